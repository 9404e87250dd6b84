// Small DOM and formatting helpers shared by the page's modules.

export const $ = (id) => document.getElementById(id);

/** `el('span', { className: 'x', title: 'y' }, 'text', child)`: an element with properties and children. */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k.startsWith('aria-') || k === 'role' || k === 'for') node.setAttribute(k, v === true ? 'true' : String(v));
    else node[k] = v;
  }
  node.append(...children.filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

export function debounce(fn, ms) {
  let t = null;
  const run = (...args) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...args), typeof ms === 'function' ? ms(...args) : ms);
  };
  run.cancel = () => clearTimeout(t);
  return run;
}

const intFmt = new Intl.NumberFormat('en-US');
export const fmtInt = (n) => intFmt.format(n);

/** US dollars with enough significant digits for tiny per-request costs ($0.000042). */
export function fmtUSD(x) {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  if (x === 0) return '$0';
  const abs = Math.abs(x);
  if (abs >= 100) return `$${x.toFixed(0)}`;
  if (abs >= 1) return `$${x.toFixed(2)}`;
  // 3 significant digits, never exponent notation
  const digits = Math.min(10, Math.max(2, 2 - Math.floor(Math.log10(abs))));
  return `$${x.toFixed(digits).replace(/(\.\d*?[1-9])0+$/, '$1')}`;
}

/** Price per million tokens, as the providers quote it. */
export const fmtPerM = (perToken) => (perToken == null ? '—' : `${fmtUSD(perToken * 1e6)}/M`);

/** A compact token count: 1,234 / 128K / 1.05M. */
export function fmtTokens(n) {
  if (n == null) return '—';
  if (n >= 1e6) return `${+(n / 1e6).toFixed(2)}M`;
  if (n >= 1e4) return `${Math.round(n / 1e3)}K`;
  return fmtInt(n);
}

/**
 * Wraps an async function so that only the latest call's result is delivered: while one call is in
 * flight, newer calls wait and replace each other, and every superseded call resolves to `null`
 * (stale). At most one call runs at a time, so a burst of keystrokes costs two runs, not twenty.
 */
export function latestOnly(fn) {
  let running = false;
  let pending = null;
  let seq = 0;
  function pump() {
    if (running || !pending) return;
    const job = pending;
    pending = null;
    running = true;
    fn(job.arg).then(
      (r) => (job.n === seq ? job.resolve(r) : job.resolve(null)),
      (e) => (job.n === seq ? job.reject(e) : job.resolve(null)),
    ).finally(() => { running = false; pump(); });
  }
  return (arg) => new Promise((resolve, reject) => {
    pending?.resolve(null);
    pending = { arg, resolve, reject, n: ++seq };
    pump();
  });
}
