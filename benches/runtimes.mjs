// Per-call cost in every runtime: the scenarios of benches/runtimes/scenarios.mjs (non-streaming
// requests one and 32 at a time, OpenAI and Anthropic streams, a request with a 2 MB image) in
// Node, Bun, Deno, workerd and headless Chromium, one process each, one after the other, against
// one mock provider (benches/server.mjs, its own process). Inside each process completion() runs
// beside fetch + JSON.parse and the Vercel AI SDK, in alternating rounds; ratios are taken within
// a process, so they compare across runtimes where absolute figures (and VM drift) do not.
//
//   node benches/runtimes.mjs [--rounds N] [--runtimes node,bun,deno,workerd,chromium] [--dist DIR]
//                             [--quick] [--json] [--timeout S]
//   (or: npm run bench -- runtimes ...)
// --dist: the built package (default: dist/ of this repo); --quick: 3 rounds of smaller blocks;
// --json: the results as JSON on stdout instead of Markdown (either way also written to
// benches/.work/runtimes/last.json, with every round's figure); --timeout: seconds a runtime may take
// (default 120 + 40 a round), then its processes are killed. Progress goes to stderr.
// Runtimes come from the repo's node_modules/.bin (installed by scripts/setup.sh), Chromium is
// /usr/bin/chromium; the AI SDK from benches/node_modules (benches/run.mjs installs it).
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CHUNKS, SCENARIO_NAMES } from './runtimes/scenarios.mjs';
import { withBrowser } from '../tests/support/browser.mjs';
import { writeWorkerdConfig } from '../tests/support/workerd.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, '..');
const flag = (name) => process.argv.includes(`--${name}`);
const option = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const QUICK = flag('quick');
const ROUNDS = Number(option('rounds', QUICK ? 3 : 7));
const RUNTIMES = option('runtimes', 'node,bun,deno,workerd,chromium').split(',');
const DIST = path.resolve(option('dist', path.join(root, 'dist')));
const TIMEOUT_MS = 1000 * Number(option('timeout', (QUICK ? 60 : 120) + ROUNDS * (QUICK ? 10 : 40))); // per runtime
const work = path.join(here, '.work', 'runtimes');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const say = (m) => process.stderr.write(`${m}\n`);
const firstLine = (e) => String(e?.message ?? e).trim().split('\n')[0];

// ---------------------------------------------------------------------------------------------
// processes and servers, each closed by the runtime's cleanup

/** Spawns a process whose stderr (and, with progress, stdout) lines are echoed; resolves with stdout on exit 0. */
function start(cmd, args, onClose, { env = {}, echoStdout = false, cwd = work } = {}) {
  const child = spawn(cmd, args, { cwd, env: { ...process.env, PWD: cwd, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  onClose(() => child.exitCode === null && child.kill('SIGKILL'));
  let out = '', err = '';
  child.stdout.on('data', (d) => { out += d; if (echoStdout) process.stderr.write(d); });
  child.stderr.on('data', (d) => { err += d; process.stderr.write(d); });
  const done = new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${path.basename(cmd)} exited ${code}: ${err.trim().split('\n').pop()}`))));
  });
  done.catch(() => {}); // a server killed at the end is no failure; who awaits `done` still sees it
  return { child, done };
}

const lastJson = (out) => JSON.parse(out.trim().split('\n').filter((l) => l.startsWith('{')).pop() ?? 'null');

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

/** GET that waits as long as the answer takes (fetch would give up on headers after 300 s). */
function get(url) {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

async function waitForHttp(url, child) {
  for (const t0 = Date.now(); Date.now() - t0 < 30_000; await new Promise((r) => setTimeout(r, 100))) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode} before it listened`);
    if (await get(url).then(() => true, () => false)) return;
  }
  throw new Error(`${url} did not answer within 30 s`);
}

/** A static server: URL prefix -> folder. */
function serveStatic(routes, onClose) {
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm' };
  const server = http.createServer((req, res) => {
    const url = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const [prefix, dir] = routes.find(([p]) => url.startsWith(p));
    const file = path.join(dir, url.slice(prefix.length));
    if (!file.startsWith(dir) || !existsSync(file)) { res.writeHead(404); return res.end(); }
    res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  onClose(() => new Promise((r) => { server.closeAllConnections(); server.close(r); }));
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}`)));
}

/** esbuild, as wrangler bundles a Worker; when the AI SDK is not there, a stand-in module that throws why. */
function bundle(entry, outfile, args) {
  const r = spawnSync(bin('esbuild'), [entry, '--bundle', '--format=esm', `--outfile=${outfile}`, '--log-level=error', ...args], { encoding: 'utf8' });
  if (r.status !== 0 && entry.endsWith('vercel.mjs')) {
    writeFileSync(outfile, `throw new Error(${JSON.stringify(`AI SDK not bundled (npm run bench installs it): ${firstLine(r.stderr || r.error)}`)});\n`);
  } else if (r.status !== 0) throw new Error(`esbuild ${path.basename(entry)}: ${r.stderr || r.error}`);
}
const WORKERD_BUNDLE = ['--platform=neutral', '--conditions=workerd,worker,browser', '--main-fields=module,main'];

// ---------------------------------------------------------------------------------------------
// one runner per runtime: resolves with the result of runAll (benches/runtimes/scenarios.mjs)

const cli = (cmd, pre, entry, env) => async (base, options, onClose) => {
  const args = [...pre, path.join(here, 'runtimes', 'cli.mjs'), pathToFileURL(path.join(DIST, entry)).href, base, JSON.stringify(options)];
  return lastJson(await start(cmd, args, onClose, { env, cwd: here }).done);
};

const RUNNERS = {
  node: cli(process.execPath, [], 'node.js'),
  bun: cli(bin('bun'), ['run'], 'node.js'),
  deno: cli(bin('deno'), ['run', '--allow-all', '--quiet'], 'deno.js', { DENO_DIR: path.join(work, 'deno-cache'), DENO_NO_UPDATE_CHECK: '1' }),

  async workerd(base, options, onClose) {
    const dir = path.join(work, 'workerd');
    mkdirSync(dir, { recursive: true });
    bundle(path.join(here, 'runtimes', 'worker.mjs'), path.join(dir, 'worker.js'),
      [...WORKERD_BUNDLE, `--alias:unillm=${path.join(DIST, 'workerd.js')}`, '--external:*.wasm', '--external:./vercel.js']);
    bundle(path.join(here, 'runtimes', 'vercel.mjs'), path.join(dir, 'vercel.js'), WORKERD_BUNDLE);
    const wasm = ['unillm_bg.wasm', 'unillm_tokens_bg.wasm'];
    for (const w of wasm) copyFileSync(path.join(DIST, w), path.join(dir, w));
    const port = await freePort();
    const config = writeWorkerdConfig(dir, port, [['worker.js', 'esModule'], ['vercel.js', 'esModule'], ...wasm.map((w) => [w, 'wasm'])]);
    const { child } = start(bin('workerd'), ['serve', '--verbose', config], onClose, { cwd: dir, echoStdout: true });
    const url = `http://127.0.0.1:${port}/`;
    await waitForHttp(url, child);
    const result = JSON.parse(await get(`${url}?base=${encodeURIComponent(base)}&options=${encodeURIComponent(JSON.stringify(options))}`));
    if (result.error) throw new Error(result.error);
    return result;
  },

  async chromium(base, options, onClose) {
    const dir = path.join(work, 'chromium');
    mkdirSync(dir, { recursive: true });
    bundle(path.join(here, 'runtimes', 'vercel.mjs'), path.join(dir, 'vercel.js'), ['--platform=browser']);
    writeFileSync(path.join(dir, 'index.html'), `<!doctype html><meta charset="utf-8"><title>unillm per-runtime bench</title>
<link rel="icon" href="data:,">
<script type="importmap">{ "imports": { "unillm": "/dist/browser.js" } }</script>
<script type="module">
  import * as unillm from 'unillm';
  import { runAll } from '/runtimes/scenarios.mjs';
  window.bench = (base, options) => runAll({ unillm, loadVercel: () => import('/vercel.js'), base, ...options, log: console.log });
</script>`);
    const site = await serveStatic([['/dist/', DIST], ['/runtimes/', path.join(here, 'runtimes')], ['/', dir]], onClose);
    return withBrowser(async (page, errors) => {
      onClose(() => page.context().close());
      page.on('console', (m) => m.type() === 'log' && say(m.text()));
      await page.goto(`${site}/index.html`);
      await page.waitForFunction(() => window.bench || null, null, { timeout: 30_000 }).catch(() => { throw new Error(`the page did not load: ${errors.join('; ')}`); });
      return page.evaluate(([b, o]) => window.bench(b, o), [base, options]);
    });
  },
};

// ---------------------------------------------------------------------------------------------
// the run

const closers = []; // what the runtime running now started: its processes, servers, browser

const NEEDS = { bun: bin('bun'), deno: bin('deno'), workerd: bin('workerd'), chromium: '/usr/bin/chromium' };

async function runRuntime(name, base) {
  if (!RUNNERS[name]) return { error: `unknown runtime (one of ${Object.keys(RUNNERS).join(', ')})` };
  if (NEEDS[name] && !existsSync(NEEDS[name])) return { error: `${NEEDS[name]} is missing (scripts/setup.sh installs it)` };
  const t0 = Date.now();
  let timer;
  try {
    say(`--- ${name}`);
    const timeout = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`no result within ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS); });
    return { ...await Promise.race([RUNNERS[name](base, { rounds: ROUNDS, quick: QUICK }, (f) => closers.push(f)), timeout]), seconds: (Date.now() - t0) / 1000 };
  } catch (e) {
    say(`${name} failed: ${e?.stack ?? e}`);
    return { error: firstLine(e), seconds: (Date.now() - t0) / 1000 };
  } finally {
    clearTimeout(timer);
    for (const close of closers.splice(0).reverse()) await Promise.resolve().then(close).catch(() => {});
  }
}

/** Ratios to the raw loop (> 1: faster than it), per contender. */
function withRatios(result) {
  for (const s of Object.values(result.scenarios ?? {})) {
    s.ratio = { unillm: s.rate.unillm / s.rate.raw || null, vercel: s.rate.vercel / s.rate.raw || null };
  }
  return result;
}

const x = (r) => (r ? `${r.toFixed(2)}x` : 'n/a');
const value = (s, who) => {
  const v = s.rate[who];
  if (!v) return s.errors[who] ? `n/a (${s.errors[who]})` : 'n/a';
  return s.unit === 'ms' ? `${(1000 / v).toFixed(1)} ms` : `${Math.round(v).toLocaleString('en-US')} ${s.unit}`;
};
const label = (name, r) => (r.runtime ?? name);

function markdown(results, meta) {
  const lines = [`${meta.date}, unillm ${meta.unillm}, ${meta.rounds} rounds (median), streams of ${CHUNKS} chunks, ${meta.machine}; ${meta.seconds.toFixed(0)} s`, ''];
  const heads = SCENARIO_NAMES.map((n) => Object.values(results).find((r) => r.scenarios?.[n])?.scenarios[n].title ?? n);
  for (const [title, who] of [['unillm / raw fetch + JSON.parse', 'unillm'], ['Vercel AI SDK / raw fetch + JSON.parse', 'vercel']]) {
    lines.push(`**${title}** (> 1: faster)`, '', `| runtime | ${heads.join(' | ')} |`, `| --- |${' ---: |'.repeat(heads.length)}`);
    for (const [name, r] of Object.entries(results)) {
      const cells = SCENARIO_NAMES.map((n) => (r.error ? '—' : x(r.scenarios[n]?.ratio[who])));
      lines.push(`| ${label(name, r)} | ${cells.join(' | ')} |`);
    }
    lines.push('');
  }
  for (const [name, r] of Object.entries(results)) {
    lines.push(`### ${label(name, r)}`, '');
    if (r.error) { lines.push(`Did not run: ${r.error}`, ''); continue; }
    if (r.vercel !== 'ok') lines.push(`Vercel AI SDK: n/a, ${r.vercel}`, '');
    lines.push('| scenario | fetch + JSON.parse | unillm | Vercel AI SDK | unillm / raw | AI SDK / raw |', '| --- | ---: | ---: | ---: | ---: | ---: |');
    for (const s of Object.values(r.scenarios)) {
      lines.push(`| ${s.title}${s.error ? ` (stopped: ${s.error})` : ''} | ${value(s, 'raw')} | ${value(s, 'unillm')} | ${value(s, 'vercel')} | ${x(s.ratio.unillm)} | ${x(s.ratio.vercel)} |`);
    }
    lines.push('', `${r.seconds.toFixed(0)} s`, '');
  }
  return lines.join('\n');
}

const t0 = Date.now();
mkdirSync(work, { recursive: true });
if (!existsSync(path.join(DIST, 'node.js'))) throw new Error(`no built package in ${DIST} (npm run build, or --dist DIR)`);
const server = spawn(process.execPath, [path.join(here, 'server.mjs')], { env: { ...process.env, CHUNKS: String(CHUNKS) }, stdio: ['ignore', 'pipe', 'inherit'] });
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    for (const close of closers.splice(0)) close();
    server.kill();
    process.exit(130);
  });
}
const results = {};
try {
  const base = await new Promise((resolve) => server.stdout.once('data', (d) => resolve(String(d).trim())));
  for (const name of RUNTIMES) results[name] = withRatios(await runRuntime(name, base));
} finally {
  server.kill();
}
const cpus = os.cpus();
const meta = {
  date: new Date().toISOString().slice(0, 10), unillm: Object.values(results).find((r) => r.unillm)?.unillm, rounds: ROUNDS, quick: QUICK,
  machine: `${cpus.length} × ${cpus[0]?.model.trim()}, ${os.platform()} ${os.release()}`, dist: DIST, seconds: (Date.now() - t0) / 1000,
};
const json = JSON.stringify({ ...meta, results }, null, 2);
writeFileSync(path.join(work, 'last.json'), json);
console.log(flag('json') ? json : markdown(results, meta));
