// The page: starts the counting worker with the compiled package, then wires the token counter,
// the cost estimator and the playground. Timings are marked for the tests
// (`unillm:worker-ready`, `unillm:first-count`).
import { $ } from './util.js';
import { wasmModules, mainPackage } from './pkg.js';
import { setupCounter } from './counter.js';
import { setupCosts } from './costs.js';
import { setupPlayground } from './playground.js';

const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
const waiting = new Map();
let nextId = 0;

/** Runs `type` in the worker: resolves with its result, rejects with an error of the same name. */
function call(type, args = {}) {
  return new Promise((resolve, reject) => {
    const id = ++nextId;
    waiting.set(id, { resolve, reject });
    worker.postMessage({ id, type, ...args });
  });
}
worker.onmessage = ({ data: { id, result, error } }) => {
  const w = waiting.get(id);
  waiting.delete(id);
  if (error) w?.reject(Object.assign(new Error(error.message), { name: error.name }));
  else w?.resolve(result);
};
worker.onerror = (e) => fail(`The counting worker failed: ${e.message ?? 'unknown error'}`);

function fail(message) {
  const box = $('bootError');
  box.textContent = message;
  box.hidden = false;
  $('boot').hidden = true;
}

// the playground needs no worker: ready before anything loads (its package loads on first use)
const playground = setupPlayground();
try {
  const modules = await wasmModules();
  const { version } = await call('init', { modules });
  performance.mark('unillm:worker-ready');
  $('version').textContent = `v${version}`;
  // the first count goes to the worker before the catalogue, so it shows first
  let costs = null;
  let tokens = 0;
  const counter = setupCounter({ call, onCount: (c) => { tokens = c.tokens; costs?.setInput(tokens); } });
  const { catalogue, priced } = await call('catalogue');
  counter.setCatalogue(catalogue);
  playground.setCatalogue(catalogue);
  costs = setupCosts({ call, catalogue, priced });
  costs.setInput(tokens);
  $('boot').hidden = true;
  document.body.dataset.ready = 'true';
  // the playground's own instance, from the already compiled module, once the page is idle
  (window.requestIdleCallback ?? setTimeout)(() => mainPackage().catch(() => {}));
} catch (e) {
  fail(`Could not load unillm: ${e.name}: ${e.message}. Serve this folder over HTTP (npm start) after building the package.`);
}
