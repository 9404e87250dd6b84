// The token counter: text or chat `messages` JSON in, the model's token count out, live while
// typing. Counting happens in the worker (`call('count')`); only the latest result is shown.
import { $, el, debounce, fmtInt, latestOnly } from './util.js';
import { combobox, searcher } from './combobox.js';

/** Highlighting stops after this many tokens: a 1 MB paste would otherwise mean 200,000 spans. */
export const SPAN_CAP = 4000;
const CHUNK = 500;

const SAMPLE_TEXT = 'unillm counts tokens with the tokenizer compiled into its WebAssembly: o200k_base for GPT-4o and newer, cl100k_base for GPT-4 — and as an estimate for models whose tokenizer is not public. Nothing leaves this tab, déjà vu or not.';
const SAMPLE_MESSAGES = JSON.stringify([
  { role: 'system', content: 'You are a concise assistant.' },
  { role: 'user', content: 'How many tokens is this conversation?' },
], null, 2);

export const POPULAR = ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'gpt-5', 'o3', 'claude-sonnet-4-5', 'claude-opus-4-1', 'claude-haiku-4-5',
  'gemini/gemini-2.5-pro', 'gemini/gemini-2.5-flash', 'mistral/mistral-large-latest', 'deepseek/deepseek-chat'];

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
const escapeHtml = (s) => s.replace(/[&<>"]/g, (c) => ESCAPES[c]);

/**
 * Starts counting at once; the model picker's suggestions come with `setCatalogue` (every model of
 * the table: { key, provider, mode, ... }).
 * @param call (type, args) => Promise: the worker
 * @param onCount ({ tokens, model }) => void: each displayed count (the cost table follows it)
 */
export function setupCounter({ call, onCount }) {
  const input = $('countInput');
  const modelInput = $('countModel');
  const texts = { text: SAMPLE_TEXT, messages: SAMPLE_MESSAGES };
  let mode = 'text';
  let first = true;
  input.value = texts.text;

  let search = () => ({ items: [], more: 0 });
  combobox(modelInput, { search: (q) => search(q), onPick: () => schedule() });
  modelInput.addEventListener('input', () => schedule());

  const count = latestOnly((args) => call('count', args));

  async function run() {
    const text = input.value;
    const model = modelInput.value.trim() || 'gpt-4o';
    const spans = $('showTokens').checked;
    $('tokenCount').dataset.state = 'counting';
    let r;
    try {
      r = await count({ mode, model, input: text, spans, cap: SPAN_CAP });
    } catch (e) {
      r = { invalid: `${e.name}: ${e.message}` };
    }
    if (r === null) return; // superseded by a newer input
    show(r, model);
    // the input changed while the worker counted: its own count is already scheduled, and until
    // it lands this one is not the count of what the box holds
    if (input.value !== text || (modelInput.value.trim() || 'gpt-4o') !== model) $('tokenCount').dataset.state = 'counting';
  }
  // short inputs count at typing speed; long ones wait for a pause
  const schedule = debounce(run, () => (input.value.length > 50_000 ? 200 : 40));

  function show(r, model) {
    const countEl = $('tokenCount');
    const error = $('countError');
    $('charCount').textContent = r.chars == null ? '—' : fmtInt(r.chars);
    if (r.invalid) {
      countEl.dataset.state = 'invalid';
      countEl.textContent = '—';
      error.textContent = r.invalid;
      error.hidden = false;
      input.setAttribute('aria-invalid', 'true');
      $('exactness').hidden = true;
      $('countMs').textContent = '';
      renderTokens(null);
      return;
    }
    error.hidden = true;
    input.removeAttribute('aria-invalid');
    countEl.textContent = fmtInt(r.tokens);
    countEl.dataset.state = 'ready';
    countEl.dataset.tokens = r.tokens;
    const badge = $('exactness');
    badge.hidden = false;
    badge.dataset.exact = r.exact;
    badge.textContent = `${r.exact ? 'exact' : 'estimate'} · ${r.encoding}`;
    badge.title = r.exact
      ? `${model} uses ${r.encoding}: this is the count the provider bills`
      : `${model} is not an OpenAI model: its tokenizer is not compiled in, so this is approximated with ${r.encoding}`;
    $('countMs').textContent = `counted in ${r.ms < 10 ? r.ms.toFixed(1) : Math.round(r.ms)} ms, in a worker`;
    renderTokens(r.parts);
    if (first) {
      first = false;
      performance.mark('unillm:first-count');
    }
    onCount({ tokens: r.tokens, model });
  }

  let renderGen = 0;
  function renderTokens(parts) {
    const gen = ++renderGen;
    const view = $('tokenView');
    const note = $('tokenNote');
    if (!parts) {
      view.hidden = true;
      note.textContent = '';
      return;
    }
    view.hidden = false;
    view.replaceChildren();
    // HTML strings (one parse each is much faster than a createElement per token), added about
    // CHUNK tokens per frame so that no single task lays out thousands of spans
    const chunks = []; // each: [[target, html], ...]
    let chunk = [];
    let inChunk = 0;
    let k = 0;
    let shown = 0, total = 0;
    for (const p of parts) {
      let target = view;
      if (p.role !== null) {
        target = el('div', { className: 'tok-body' });
        view.append(el('div', { className: 'tok-msg' }, el('span', { className: 'tok-role' }, p.role), target));
      }
      let html = '';
      let prev = 0;
      for (let i = 0; i < p.ends.length; i++) {
        const end = p.ends[i];
        // a token that ends inside a character ends after it: the next one may be empty
        if (end > prev) html += `<span class="tk tk${k++ % 4}" title="token ${p.ids[i]}">${escapeHtml(p.text.slice(prev, end))}</span>`;
        prev = end;
        if (++inChunk === CHUNK) {
          chunk.push([target, html]);
          chunks.push(chunk);
          chunk = [];
          html = '';
          inChunk = 0;
        }
      }
      if (html) chunk.push([target, html]);
      shown += p.ends.length;
      total += p.total;
    }
    if (chunk.length) chunks.push(chunk);
    view.dataset.shown = shown;
    view.dataset.total = total;
    view.dataset.complete = 'false';
    const next = () => {
      if (gen !== renderGen) return; // a newer count replaced this one
      for (const [target, html] of chunks.shift() ?? []) target.insertAdjacentHTML('beforeend', html);
      if (chunks.length) requestAnimationFrame(next);
      else view.dataset.complete = 'true';
    };
    next();
    note.textContent = shown < total
      ? `Highlighting the first ${fmtInt(shown)} of ${fmtInt(total)} tokens (capped so that big inputs stay fast; the count above covers everything).`
      : mode === 'messages' ? 'Each message’s content, token by token (the chat format adds a few framing tokens per message).' : '';
  }

  input.addEventListener('input', () => { $('tokenCount').dataset.state = 'counting'; schedule(); });
  $('showTokens').addEventListener('change', () => run());
  for (const radio of document.querySelectorAll('input[name="inputMode"]')) {
    radio.addEventListener('change', () => {
      if (!radio.checked) return;
      texts[mode] = input.value;
      mode = radio.value;
      input.value = texts[mode];
      $('countInputLabel').textContent = mode === 'text' ? 'Text' : 'Messages (OpenAI chat JSON)';
      input.classList.toggle('mono', mode === 'messages');
      run();
    });
  }
  run();
  return {
    setCatalogue(catalogue) {
      const entries = catalogue.map((m) => ({ value: m.key, detail: [m.provider, m.mode].filter(Boolean).join(' · '), text: `${m.key} ${m.provider}`.toLowerCase() }));
      const byKey = new Map(entries.map((e) => [e.value, e]));
      search = searcher(entries, { initial: POPULAR.map((k) => byKey.get(k)).filter(Boolean) });
    },
  };
}
