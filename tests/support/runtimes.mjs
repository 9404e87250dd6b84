// Runs a suite module (plain JS exporting `async fn(unillm, arg)`) against the *packed* package in
// each runtime unillm supports, as a user would import it: Node, Bun and Deno run a script in the
// test app, workerd serves a bundled Worker (what wrangler does), Chromium loads a page with an
// import map. The suite's return value comes back as JSON. `onPids(fn)` is told how to find the
// runtime's process ids (for memory measurements), once it runs.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync, readFileSync, existsSync, readdirSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { withBrowser } from './browser.mjs';
import { writeWorkerdConfig } from './workerd.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const tests = path.resolve(here, '..');
const root = path.resolve(tests, '..');
export const app = path.join(tests, '.work', 'app');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
export const RUNTIMES = ['node', 'bun', 'deno', 'workerd', 'chromium'];

/** Copies a suite module from tests/support/ into the test app (where it imports the package). */
function install(module) {
  copyFileSync(path.join(here, module), path.join(app, module));
}

/** Runs a command; resolves with stdout, rejects with stderr on a non-zero exit or a timeout. */
export function run(cmd, args, { cwd = app, timeoutMs = 120_000, env = {}, onSpawn } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    onSpawn?.(child);
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
  if (!line) throw new Error(`no result line in output:\n${out}`);
  return JSON.parse(line);
}

// A script that imports `unillm` by its bare name from inside the app, runs the suite, prints JSON.
const script = (module, fn) => `
import * as unillm from 'unillm';
import { ${fn} } from './${module}';
const arg = (globalThis.Deno ? Deno.args : process.argv.slice(2))[0];
let result;
try {
  result = { value: await ${fn}(unillm, arg), resolved: import.meta.resolve?.('unillm') };
} catch (e) {
  result = { error: String(e?.stack ?? e) };
}
console.log(JSON.stringify(result));
`;

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

/** A static file server for the browser (the app folder, as a site would serve it). */
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

/** Chromium's renderer processes (where a page's wasm runs). */
function rendererPids() {
  const out = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8');
      if (cmd.includes('chromium') && cmd.includes('--type=renderer')) out.push(Number(d));
    } catch { /* gone */ }
  }
  return out;
}

/**
 * Runs `fn` of `module` (a file in tests/support/) in `runtime` with `arg`; resolves with
 * `{ value, resolved?, logs? }` or `{ error }`.
 */
export async function runIn(runtime, { module, fn, arg, timeoutMs = 120_000, onPids = () => {} }) {
  install(module);
  const onSpawn = (child) => onPids(() => [child.pid]);
  if (runtime === 'node' || runtime === 'bun' || runtime === 'deno') {
    const file = `run-${fn}.mjs`;
    writeFileSync(path.join(app, file), script(module, fn));
    const [cmd, args, env] = runtime === 'node' ? [process.execPath, [file, arg], {}]
      : runtime === 'bun' ? [bin('bun'), [file, arg], {}]
        : [bin('deno'), ['run', '--quiet', '--allow-read', '--allow-net', '--allow-env', file, arg],
          { DENO_DIR: path.join(tests, '.work', 'deno-cache'), DENO_NO_UPDATE_CHECK: '1' }];
    return lastJsonLine(await run(cmd, args, { env, timeoutMs, onSpawn }));
  }
  if (runtime === 'workerd') return runWorkerd(module, fn, arg, timeoutMs, onSpawn);
  if (runtime === 'chromium') return runChromium(module, fn, arg, timeoutMs, onPids);
  throw new Error(`unknown runtime ${runtime}`);
}

async function runWorkerd(module, fn, arg, timeoutMs, onSpawn) {
  const dir = path.join(tests, '.work', `workerd-${fn}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(app, `worker-${fn}.mjs`), `
import * as unillm from 'unillm';
import { ${fn} } from './${module}';
export default {
  async fetch(request) {
    const arg = new URL(request.url).searchParams.get('arg');
    if (arg === null) return new Response('ok');
    try {
      return Response.json({ value: await ${fn}(unillm, arg) });
    } catch (e) {
      return Response.json({ error: String(e?.stack ?? e) });
    }
  },
};`);
  // what wrangler does: bundle with the workerd conditions, keep the .wasm as a module of its own
  await run(bin('esbuild'), [`worker-${fn}.mjs`, '--bundle', '--format=esm', '--platform=neutral', '--conditions=workerd,worker,browser',
    '--main-fields=module,main', '--external:*.wasm', `--outfile=${path.join(dir, 'worker.js')}`, '--log-level=warning']);
  const bundled = readFileSync(path.join(dir, 'worker.js'), 'utf8');
  for (const wasm of ['unillm_bg.wasm', 'unillm_tokens_bg.wasm']) {
    if (!bundled.includes(`from "./${wasm}"`)) throw new Error(`the bundle does not import ${wasm} as a module (workerd entry not chosen)`);
    copyFileSync(path.join(app, 'node_modules', 'unillm', 'dist', wasm), path.join(dir, wasm));
  }
  const port = await freePort();
  writeWorkerdConfig(dir, port, [['worker.js', 'esModule'], ['unillm_bg.wasm', 'wasm'], ['unillm_tokens_bg.wasm', 'wasm']]);
  const child = spawn(bin('workerd'), ['serve', path.join(dir, 'config.capnp')], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  onSpawn(child);
  let logs = '';
  child.stdout.on('data', (d) => { logs += d; });
  child.stderr.on('data', (d) => { logs += d; });
  try {
    await waitForHttp(`http://127.0.0.1:${port}/`, child);
    const res = await fetch(`http://127.0.0.1:${port}/?arg=${encodeURIComponent(arg)}`, { signal: AbortSignal.timeout(timeoutMs) });
    return { ...(await res.json()), logs };
  } finally {
    child.kill('SIGTERM');
  }
}

async function runChromium(module, fn, arg, timeoutMs, onPids) {
  writeFileSync(path.join(app, `page-${fn}.html`), `<!doctype html><meta charset="utf-8"><title>unillm ${fn}</title>
<link rel="icon" href="data:,">
<script type="importmap">{ "imports": { "unillm": "/node_modules/unillm/dist/browser.js" } }</script>
<script type="module">
  import * as unillm from 'unillm';
  import { ${fn} } from '/${module}';
  const arg = new URLSearchParams(location.search).get('arg');
  ${fn}(unillm, arg).then((value) => { window.__result = { value }; },
    (e) => { window.__result = { error: String(e?.stack ?? e) }; });
</script>`);
  const server = await serveStatic(app);
  try {
    return await withBrowser(async (page, consoleErrors) => {
      onPids(rendererPids);
      const { port } = server.address();
      await page.goto(`http://127.0.0.1:${port}/page-${fn}.html?arg=${encodeURIComponent(arg)}`);
      await page.waitForFunction(() => window.__result !== undefined, null, { timeout: timeoutMs, polling: 100 });
      return { ...(await page.evaluate(() => window.__result)), consoleErrors };
    });
  } finally {
    server.close();
  }
}
