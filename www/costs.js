// The cost estimator: every chat model with prices, priced by the package (in the worker) for the
// counter's input tokens and an expected output length. Sortable, filterable, paginated (only the
// visible rows exist in the DOM), with a chart comparing the ticked models (or the top rows).
import { $, el, debounce, fmtInt, fmtPerM, fmtTokens, fmtUSD, latestOnly } from './util.js';
import { costChart } from './chart.js';

const PAGE = 25;
/** Ticked at first, so that the chart compares familiar models (when they are in the table). */
const COMPARE_FIRST = ['gpt-4o', 'gpt-4o-mini', 'gpt-5', 'claude-sonnet-4-5', 'claude-haiku-4-5', 'gemini/gemini-2.5-pro', 'gemini/gemini-2.5-flash', 'deepseek/deepseek-chat'];
const CAPS = { tools: 'tools', vision: 'vision', reasoning: 'reasoning', structured: 'structured output' };

/**
 * @param call (type, args) => Promise: the worker
 * @param catalogue every model of the table; `priced`: the keys of the cost table's rows, in the
 *   order the worker prices them
 */
export function setupCosts({ call, catalogue, priced }) {
  const info = new Map(catalogue.map((m) => [m.key, m]));
  const rows = priced.map((key, i) => ({ i, ...info.get(key) }));
  const state = {
    inputTokens: 0, outputTokens: readOutput(), costs: null,
    sort: { key: 'total', dir: 1 }, shown: PAGE, selected: new Set(COMPARE_FIRST.filter((k) => priced.includes(k))),
  };
  const price = latestOnly((args) => call('costs', args));

  // provider filter: the providers that have priced chat models, with their model counts
  const counts = new Map();
  for (const r of rows) counts.set(r.provider, (counts.get(r.provider) ?? 0) + 1);
  $('costProvider').append(...[...counts].sort(([a], [b]) => a.localeCompare(b)).map(([p, n]) => el('option', { value: p }, `${p} (${n})`)));
  $('costTotal').textContent = fmtInt(rows.length);

  async function reprice() {
    const args = { inputTokens: state.inputTokens, outputTokens: state.outputTokens };
    const r = await price(args);
    if (r === null) return;
    state.costs = r;
    // labelled with what was priced: the input may have changed while the worker priced (a
    // reprice for it is then already scheduled, and the table stays 'pricing' until it lands)
    const t = $('costTable');
    t.dataset.inputTokens = args.inputTokens;
    t.dataset.outputTokens = args.outputTokens;
    t.dataset.state = args.inputTokens === state.inputTokens && args.outputTokens === state.outputTokens ? 'ready' : 'pricing';
    render();
  }
  const repriceSoon = debounce(reprice, 60);

  function readOutput() {
    const v = Number($('outTokens').value);
    return Number.isFinite(v) && v >= 0 ? Math.floor(v) : 0;
  }

  const total = (r) => state.costs ? state.costs.input[r.i] + state.costs.output[r.i] : NaN;
  const context = (r) => (r.maxIn ? (state.inputTokens + state.outputTokens) / r.maxIn : NaN);
  const SORTS = {
    model: (r) => r.key,
    input: (r) => state.costs?.input[r.i] ?? NaN,
    cached: (r) => state.costs?.cached[r.i] ?? NaN,
    output: (r) => state.costs?.output[r.i] ?? NaN,
    total,
    context,
  };

  function visibleRows() {
    const provider = $('costProvider').value;
    const caps = Object.keys(CAPS).filter((c) => $(`cap-${c}`).checked);
    const words = $('costSearch').value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    const hideFree = $('hideFree').checked;
    const list = rows.filter((r) => (!provider || r.provider === provider)
      && !(hideFree && !r.inPrice && !r.outPrice)
      && caps.every((c) => r[c])
      && words.every((w) => r.key.toLowerCase().includes(w) || r.provider.includes(w)));
    const { key, dir } = state.sort;
    const value = SORTS[key];
    // unknown values (no price, no window) always sink to the bottom
    return list.map((r) => [value(r), r]).sort(([a, ra], [b, rb]) => {
      const na = typeof a === 'number' && Number.isNaN(a), nb = typeof b === 'number' && Number.isNaN(b);
      if (na || nb) return na - nb;
      const c = typeof a === 'string' ? a.localeCompare(b) : a - b;
      return c * dir || ra.key.localeCompare(rb.key);
    }).map(([, r]) => r);
  }

  function render() {
    const list = visibleRows();
    const page = list.slice(0, state.shown);
    $('costRows').replaceChildren(...page.map(row));
    $('costShown').textContent = `Showing ${fmtInt(page.length)} of ${fmtInt(list.length)} matching models`;
    $('costMore').hidden = page.length >= list.length;
    $('costMore').textContent = `Show ${Math.min(PAGE, list.length - page.length)} more`;
    $('costIn').textContent = fmtInt(state.inputTokens);
    for (const th of document.querySelectorAll('#costTable th[data-sort]')) {
      th.setAttribute('aria-sort', th.dataset.sort === state.sort.key ? (state.sort.dir > 0 ? 'ascending' : 'descending') : 'none');
    }
    const picked = state.selected.size ? rows.filter((r) => state.selected.has(r.key)).sort((a, b) => total(b) - total(a)) : list.slice(0, 8);
    costChart($('costChart'), picked.map((r) => ({ key: r.key, input: state.costs?.input[r.i] ?? NaN, output: state.costs?.output[r.i] ?? NaN })),
      state.selected.size ? `The ${picked.length} ticked model${picked.length > 1 ? 's' : ''}` : `The first ${picked.length} rows of the table (tick rows to compare others)`);
  }

  function row(r) {
    const c = state.costs;
    const inC = c?.input[r.i], outC = c?.output[r.i], cached = c?.cached[r.i];
    const t = total(r), use = context(r);
    const check = el('input', { type: 'checkbox', checked: state.selected.has(r.key), 'aria-label': `Compare ${r.key} in the chart` });
    check.addEventListener('change', () => {
      if (check.checked) state.selected.add(r.key); else state.selected.delete(r.key);
      render();
    });
    const caps = Object.entries(CAPS).filter(([k]) => r[k]).map(([, v]) => v).join(', ');
    return el('tr', { dataset: { key: r.key, total: t, provider: r.provider } },
      el('td', { className: 'pick' }, check),
      el('td', { className: 'model' }, el('span', { className: 'name' }, r.key),
        el('span', { className: 'sub' }, r.provider, caps ? el('span', { className: 'wide' }, ` · ${caps}`) : null),
        el('span', { className: 'sub phone' }, `in ${fmtUSD(inC)} · out ${fmtUSD(outC)}`)),
      el('td', { className: 'num', title: `${fmtPerM(r.inPrice)} input` }, fmtUSD(inC)),
      el('td', { className: 'num', title: r.cachedPrice != null ? `${fmtPerM(r.cachedPrice)} for cache reads` : 'no cache-read price' }, Number.isNaN(cached) || cached === undefined ? '—' : fmtUSD(cached)),
      el('td', { className: 'num', title: `${fmtPerM(r.outPrice)} output` }, fmtUSD(outC)),
      el('td', { className: 'num total' }, fmtUSD(t)),
      el('td', { className: 'ctx' }, contextBar(use, r)));
  }

  function contextBar(use, r) {
    if (Number.isNaN(use)) return el('span', { className: 'sub' }, 'unknown');
    const pct = use * 100;
    const label = pct < 1 && pct > 0 ? '<1%' : `${Math.round(pct)}%`;
    const bar = el('span', { className: `bar${pct > 100 ? ' over' : ''}`, role: 'img', 'aria-label': `${label} of the ${fmtTokens(r.maxIn)}-token window${pct > 100 ? ', too long' : ''}` },
      el('span'));
    // a sliver stays visible for tiny, non-zero use
    bar.firstChild.style.width = `${Math.min(100, Math.max(pct, pct > 0 ? 1.5 : 0))}%`;
    return el('span', { className: 'ctxcell', title: `${fmtInt(state.inputTokens + state.outputTokens)} of ${fmtInt(r.maxIn)} tokens` }, bar,
      el('span', { className: 'sub' }, label, el('span', { className: 'wide' }, ` of ${fmtTokens(r.maxIn)}${pct > 100 ? ': too long' : ''}`)));
  }

  for (const th of document.querySelectorAll('#costTable th[data-sort]')) {
    th.querySelector('button').addEventListener('click', () => {
      const key = th.dataset.sort;
      state.sort = state.sort.key === key ? { key, dir: -state.sort.dir } : { key, dir: 1 };
      state.shown = PAGE;
      render();
    });
  }
  const refilter = () => { state.shown = PAGE; render(); };
  $('costProvider').addEventListener('change', refilter);
  $('costSearch').addEventListener('input', debounce(refilter, 80));
  for (const id of [...Object.keys(CAPS).map((c) => `cap-${c}`), 'hideFree']) $(id).addEventListener('change', refilter);
  $('costMore').addEventListener('click', () => { state.shown += PAGE; render(); });
  $('costClear').addEventListener('click', () => { state.selected.clear(); render(); });
  $('outTokens').addEventListener('input', () => {
    state.outputTokens = readOutput();
    $('costTable').dataset.state = 'pricing';
    repriceSoon();
  });

  render();
  return {
    /** The counter's latest count. */
    setInput(tokens) {
      if (tokens === state.inputTokens && state.costs) return;
      state.inputTokens = tokens;
      $('costIn').textContent = fmtInt(tokens);
      $('costTable').dataset.state = 'pricing';
      repriceSoon();
    },
  };
}
