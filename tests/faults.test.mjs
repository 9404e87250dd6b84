// Fault injection in every runtime: the packed package against a hostile upstream
// (tests/support/hostile-server.mjs), the cases in tests/support/faults.mjs. Each case must end as
// its typed error within its bound, the next call must work, and the runtime process's peak RSS
// growth during the case must stay within RSS_BOUND_MB with the default limits.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { startHostileServer } from './support/hostile-server.mjs';
import { app, runIn, RUNTIMES } from './support/runtimes.mjs';

const RSS_BOUND_MB = 64;
const report = path.join(path.dirname(app), 'faults');

let hostile;
before(async () => {
  assert.ok(existsSync(path.join(app, 'node_modules', 'unillm', 'package.json')), 'the packed package is not installed: run `npm test`');
  hostile = await startHostileServer();
  mkdirSync(report, { recursive: true });
});
after(async () => {
  await hostile?.close();
});

// every runtime with its own transport, and Node once more over its `fetch` (undici)
const RUNS = [...RUNTIMES.map((r) => [r, r, '']), ['node-fetch', 'node', '#fetch']];

for (const [name, runtime, via] of RUNS) {
  test(`${name}: every hostile upstream ends as a typed error in time, memory stays bounded, the next call works`, async () => {
    const result = await runIn(runtime, {
      module: 'faults.mjs', fn: 'runFaults', arg: hostile.url + via, timeoutMs: 120_000, onPids: (fn) => hostile.setPids(fn),
    });
    assert.equal(result.error, undefined, `${name}: ${result.error}\n${result.logs ?? ''}`);
    // the figures per runtime, for benches/RESULTS.md
    writeFileSync(path.join(report, `${name}.json`), JSON.stringify(result.value, null, 1));
    const problems = result.value.flatMap((r) => [
      ...r.problems.map((p) => `${r.model}: ${p}`),
      ...(r.rssGrowthMB > RSS_BOUND_MB ? [`${r.model}: peak RSS grew by ${r.rssGrowthMB} MB (bound ${RSS_BOUND_MB})`] : []),
    ]);
    assert.deepEqual(problems, [], `${name}:\n${problems.join('\n')}`);
  });
}
