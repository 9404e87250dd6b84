// The smoke suite (tests/support/smoke.mjs) in every runtime unillm supports, each importing the
// *packed* package (`npm pack`, installed into tests/.work/app by scripts/test.sh) exactly as a
// user would, and each making real fetches to the local mock OpenAI server. A runtime that cannot
// start fails its test: nothing is skipped. How each runtime is started: tests/support/runtimes.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { startMockServer } from './support/mock-server.mjs';
import { app, runIn, RUNTIMES } from './support/runtimes.mjs';

const EXPECTED_CHECKS = 17;

let mock;
before(async () => {
  assert.ok(existsSync(path.join(app, 'node_modules', 'unillm', 'package.json')), 'the packed package is not installed: run `npm test`');
  mock = await startMockServer();
});
after(async () => {
  await mock?.close();
});

const ENTRY = { node: 'node.js', bun: 'node.js', deno: 'deno.js' };

for (const runtime of RUNTIMES) {
  test(`${runtime}: the packed package passes the smoke suite`, async () => {
    const result = await runIn(runtime, { module: 'smoke.mjs', fn: 'runSmoke', arg: mock.url, timeoutMs: 60_000 });
    assert.equal(result.error, undefined, `${runtime}: ${result.error}\n${result.logs ?? ''}`);
    assert.equal(result.value.length, EXPECTED_CHECKS, `${runtime} ran ${result.value.length} checks: ${result.value.join(', ')}`);
    if (ENTRY[runtime]) assert.match(result.resolved, new RegExp(`node_modules/unillm/dist/${ENTRY[runtime].replace('.', '\\.')}$`));
    if (runtime === 'chromium') {
      // fetch failures the suite provokes on purpose (401, 429, ...) are logged by Chromium itself
      const unexpected = result.consoleErrors.filter((e) => !/status of (401|429|503|400)|net::ERR_ABORTED|Failed to load resource/.test(e));
      assert.deepEqual(unexpected, [], 'console errors');
    }
  });
}
