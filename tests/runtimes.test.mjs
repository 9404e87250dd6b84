// The smoke suite (tests/support/smoke.mjs) in every runtime unillm supports, each importing the
// *packed* package (`npm pack`, installed into tests/.work/app by scripts/test.sh) exactly as a
// user would, and each making real fetches to the local mock OpenAI server. A runtime that cannot
// start fails its test: nothing is skipped.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMockServer } from './support/mock-server.mjs';
import { withBrowser } from './support/browser.mjs';
import { writeWorkerdConfig } from './support/workerd.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const app = path.join(here, '.work', 'app');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const EXPECTED_CHECKS = 17;

let mock;
before(async () => {
  assert.ok(existsSync(path.join(app, 'node_modules', 'unillm', 'package.json')), 'the packed package is not installed: run `npm test`');
  copyFileSync(path.join(here, 'support', 'smoke.mjs'), path.join(app, 'smoke.mjs'));
  mock = await startMockServer();
});
after(async () => {
  await mock?.close();
});

/** Runs a command; resolves with stdout, rejects with stderr on a non-zero exit or a timeout. */
function run(cmd, args, { cwd = app, timeoutMs = 120_000, env = {} } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${cmd} timed out\n${err}`)); }, timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${path.basename(cmd)} exited ${code}\n--- stdout\n${out}\n--- stderr\n${err}`));
    });
  });
}

function lastJsonLine(out) {
  const line = out.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  assert.ok(line, `no result line in output:\n${out}`);
  return JSON.parse(line);
}

function checkResult(result, runtime) {
  assert.equal(result.error, undefined, `${runtime}: ${result.error}`);
  assert.equal(result.passed.length, EXPECTED_CHECKS, `${runtime} ran ${result.passed.length} checks: ${result.passed.join(', ')}`);
}

// A script that imports `unillm` by its bare name from inside the app, runs the suite, prints JSON.
const SCRIPT = `
import * as unillm from 'unillm';
import { runSmoke } from './smoke.mjs';
const base = (globalThis.Deno ? Deno.args : process.argv.slice(2))[0];
let result;
try {
  result = { passed: await runSmoke(unillm, base), resolved: import.meta.resolve?.('unillm') };
} catch (e) {
  result = { error: String(e?.stack ?? e), passed: [] };
}
console.log(JSON.stringify(result));
`;

test('node: the packed package passes the smoke suite', async () => {
  writeFileSync(path.join(app, 'run.mjs'), SCRIPT);
  const result = lastJsonLine(await run(process.execPath, ['run.mjs', mock.url]));
  checkResult(result, 'node');
  assert.match(result.resolved, /node_modules\/unillm\/dist\/node\.js$/);
});

test('bun: the packed package passes the smoke suite', async () => {
  writeFileSync(path.join(app, 'run.mjs'), SCRIPT);
  const result = lastJsonLine(await run(bin('bun'), ['run.mjs', mock.url]));
  checkResult(result, 'bun');
  assert.match(result.resolved, /node_modules\/unillm\/dist\/node\.js$/);
});

test('deno: the packed package passes the smoke suite', async () => {
  writeFileSync(path.join(app, 'run.mjs'), SCRIPT);
  const result = lastJsonLine(await run(bin('deno'), ['run', '--quiet', '--allow-read', '--allow-net', '--allow-env', 'run.mjs', mock.url],
    { env: { DENO_DIR: path.join(here, '.work', 'deno-cache'), DENO_NO_UPDATE_CHECK: '1' } }));
  checkResult(result, 'deno');
  assert.match(result.resolved, /node_modules\/unillm\/dist\/deno\.js$/);
});

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
    s.on('error', reject);
  });
}

async function waitForHttp(url, child, timeoutMs = 30_000) {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (child.exitCode !== null) throw new Error(`process exited with ${child.exitCode}`);
    try {
      const r = await fetch(url);
      await r.arrayBuffer();
      return;
    } catch { await new Promise((r) => setTimeout(r, 100)); }
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

test('workerd: a Worker importing the packed package passes the smoke suite', async () => {
  const dir = path.join(here, '.work', 'workerd');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(app, 'worker.mjs'), `
import * as unillm from 'unillm';
import { runSmoke } from './smoke.mjs';
export default {
  async fetch(request) {
    const base = new URL(request.url).searchParams.get('base');
    if (!base) return new Response('ok');
    try {
      return Response.json({ passed: await runSmoke(unillm, base) });
    } catch (e) {
      return Response.json({ error: String(e?.stack ?? e), passed: [] });
    }
  },
};`);
  // what wrangler does: bundle with the workerd conditions, keep the .wasm as a module of its own
  await run(bin('esbuild'), ['worker.mjs', '--bundle', '--format=esm', '--platform=neutral', '--conditions=workerd,worker,browser',
    '--main-fields=module,main', '--external:*.wasm', `--outfile=${path.join(dir, 'worker.js')}`, '--log-level=warning']);
  const bundled = readFileSync(path.join(dir, 'worker.js'), 'utf8');
  for (const wasm of ['unillm_bg.wasm', 'unillm_tokens_bg.wasm']) {
    assert.match(bundled, new RegExp(`from "\\./${wasm.replace('.', '\\.')}"`), `the bundle imports ${wasm} as a module (workerd entry chosen)`);
    copyFileSync(path.join(app, 'node_modules', 'unillm', 'dist', wasm), path.join(dir, wasm));
  }
  const port = await freePort();
  const config = writeWorkerdConfig(dir, port, [['worker.js', 'esModule'], ['unillm_bg.wasm', 'wasm'], ['unillm_tokens_bg.wasm', 'wasm']]);
  const child = spawn(bin('workerd'), ['serve', config], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let logs = '';
  child.stdout.on('data', (d) => { logs += d; });
  child.stderr.on('data', (d) => { logs += d; });
  try {
    await waitForHttp(`http://127.0.0.1:${port}/`, child);
    const res = await fetch(`http://127.0.0.1:${port}/?base=${encodeURIComponent(mock.url)}`);
    const result = await res.json();
    checkResult(result, `workerd (logs: ${logs})`);
  } finally {
    child.kill('SIGTERM');
  }
});

/** A static file server for the browser test (the app folder, as a site would serve it). */
function serveStatic(dir) {
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };
  const server = http.createServer((req, res) => {
    const p = path.join(dir, decodeURIComponent(new URL(req.url, 'http://x').pathname));
    if (!p.startsWith(dir) || !existsSync(p)) { res.writeHead(404); return res.end(); }
    res.writeHead(200, { 'content-type': types[path.extname(p)] ?? 'application/octet-stream' });
    res.end(readFileSync(p));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

test('chromium: a page importing the packed package (native ESM) passes the smoke suite', async () => {
  writeFileSync(path.join(app, 'index.html'), `<!doctype html><meta charset="utf-8"><title>unillm smoke</title>
<link rel="icon" href="data:,">
<script type="importmap">{ "imports": { "unillm": "/node_modules/unillm/dist/browser.js" } }</script>
<script type="module">
  import * as unillm from 'unillm';
  import { runSmoke } from '/smoke.mjs';
  const base = new URLSearchParams(location.search).get('base');
  runSmoke(unillm, base).then((passed) => { window.__result = { passed }; },
    (e) => { window.__result = { error: String(e?.stack ?? e), passed: [] }; });
</script>`);
  const server = await serveStatic(app);
  await withBrowser(async (page, consoleErrors) => {
    const { port } = server.address();
    await page.goto(`http://127.0.0.1:${port}/index.html?base=${encodeURIComponent(mock.url)}`);
    await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 60_000 });
    const result = await page.evaluate(() => window.__result);
    checkResult(result, 'chromium');
    // fetch failures the suite provokes on purpose (401, 429, ...) are logged by Chromium itself
    const unexpected = consoleErrors.filter((e) => !/status of (401|429|503|400)|net::ERR_ABORTED|Failed to load resource/.test(e));
    assert.deepEqual(unexpected, [], 'console errors');
  }).finally(() => server.close());
});
