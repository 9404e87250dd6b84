// The playground: one streamed `completion()` on the main thread, with the reply, tool calls as
// they build up, usage, cost and latency. `mock/...` models need no key and no network.
import { $, el, debounce, fmtInt, fmtUSD } from './util.js';
import { combobox, searcher } from './combobox.js';
import { mainPackage } from './pkg.js';

// The providers `completion()` can call (the package has no list of them yet; see the report's
// wishes). `table`: the provider names of their models in the price table; `first`: a default model.
const PROVIDERS = [
  { id: 'mock', name: 'Mock — no key, no network', first: 'demo' },
  { id: 'openai', name: 'OpenAI', first: 'gpt-4o-mini' },
  { id: 'anthropic', name: 'Anthropic', first: 'claude-sonnet-4-5' },
  { id: 'gemini', name: 'Google Gemini', first: 'gemini-2.5-flash' },
  { id: 'azure', name: 'Azure OpenAI', first: 'gpt-4o-mini' },
  { id: 'groq', name: 'Groq', first: 'llama-3.3-70b-versatile' },
  { id: 'deepseek', name: 'DeepSeek', first: 'deepseek-chat' },
  { id: 'mistral', name: 'Mistral', first: 'mistral-small-latest' },
  { id: 'xai', name: 'xAI', first: 'grok-3-mini' },
  { id: 'openrouter', name: 'OpenRouter', first: 'openai/gpt-4o-mini' },
  { id: 'together_ai', name: 'Together AI', first: 'meta-llama/Llama-3.3-70B-Instruct-Turbo' },
  { id: 'fireworks_ai', name: 'Fireworks AI', first: 'accounts/fireworks/models/llama-v3p3-70b-instruct' },
  { id: 'perplexity', name: 'Perplexity', first: 'sonar' },
  { id: 'deepinfra', name: 'DeepInfra', first: 'meta-llama/Llama-3.3-70B-Instruct' },
  { id: 'cerebras', name: 'Cerebras', first: 'llama-3.3-70b' },
  { id: 'ollama_chat', name: 'Ollama (local server)', table: ['ollama', 'ollama_chat'], first: 'llama3.2', local: true },
  { id: 'hosted_vllm', name: 'vLLM (local server)', first: 'my-model', local: true },
];
const byId = new Map(PROVIDERS.map((p) => [p.id, p]));
const MOCK_MODELS = ['demo', 'gpt-4o-mini', 'gpt-4o', 'claude-sonnet-4-5', 'gemini/gemini-2.5-flash'];
const TOOLS_EXAMPLE = JSON.stringify([{
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'The current weather in a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string', description: 'City name' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
      required: ['city', 'unit'],
    },
  },
}], null, 2);
const KEY_PREFIX = 'unillm:apiKey:';
/** localStorage, or nothing where it is unavailable (storage disabled, sandboxed frames). */
const storage = {
  get(k) { try { return localStorage.getItem(k); } catch { return null; } },
  set(k, v) { try { localStorage.setItem(k, v); } catch { /* not saved */ } },
  remove(k) { try { localStorage.removeItem(k); } catch { /* nothing saved */ } },
};

const withProvider = (provider, name) => (name.startsWith(`${provider}/`) ? name : `${provider}/${name}`);
const providerOf = (model) => (byId.has(model.split('/')[0]) ? model.split('/')[0] : null);

/** Works before the worker is ready; the model suggestions come with `setCatalogue`. */
export function setupPlayground() {
  const form = $('chat');
  const providerSel = $('provider');
  const modelInput = $('model');
  const keyInput = $('apiKey');
  const saveKey = $('saveKey');
  const toolsInput = $('tools');
  /** API keys typed in this session, by provider: memory only, unless "save" is ticked. */
  const keys = new Map();
  let controller = null;

  providerSel.append(...PROVIDERS.map((p) => el('option', { value: p.id }, p.name)));

  // model suggestions: the provider's chat models from the table
  let chat = [];
  const suggestions = new Map();
  function suggestionsFor(pid) {
    if (!suggestions.has(pid)) {
      const p = byId.get(pid);
      const names = pid === 'mock' ? MOCK_MODELS
        : chat.filter((m) => (p.table ?? [pid]).includes(m.provider)).map((m) => m.key.replace(/^[^/]+\//, (pre) => (pre === `${pid}/` ? '' : pre)));
      suggestions.set(pid, names.map((n) => {
        const value = withProvider(pid, n);
        const detail = pid === 'mock' ? (n === 'demo' ? 'free, no price' : `mock reply, priced as ${n}`) : '';
        return { value, detail, text: value.toLowerCase() };
      }));
    }
    return suggestions.get(pid);
  }
  combobox(modelInput, { search: (q) => searcher(suggestionsFor(providerSel.value))(q), onPick: syncProvider });
  modelInput.addEventListener('change', syncProvider);
  modelInput.addEventListener('input', debounce(syncProvider, 300));

  /** A typed `provider/model` selects its provider. */
  function syncProvider() {
    const p = providerOf(modelInput.value.trim());
    if (p && p !== providerSel.value) {
      providerSel.value = p;
      showProvider();
    }
  }

  function showProvider() {
    const p = byId.get(providerSel.value);
    keyInput.value = keys.get(p.id) ?? storage.get(KEY_PREFIX + p.id) ?? '';
    saveKey.checked = storage.get(KEY_PREFIX + p.id) !== null;
    keyInput.placeholder = p.id === 'mock' ? 'not needed for mock/ models' : p.local ? 'usually not needed for a local server' : `your ${p.name} key`;
    $('apiBase').placeholder = p.local ? 'http://localhost:… (default)' : 'the provider’s default';
  }

  providerSel.addEventListener('change', () => {
    const p = byId.get(providerSel.value);
    if (providerOf(modelInput.value.trim()) !== p.id) modelInput.value = withProvider(p.id, p.first);
    showProvider();
  });

  // API key: in memory; in localStorage only while "save" is ticked
  keyInput.addEventListener('input', () => {
    const pid = providerSel.value;
    keys.set(pid, keyInput.value);
    if (saveKey.checked) store(pid, keyInput.value);
  });
  saveKey.addEventListener('change', () => {
    const pid = providerSel.value;
    if (saveKey.checked) store(pid, keyInput.value);
    else storage.remove(KEY_PREFIX + pid);
  });
  function store(pid, value) {
    if (value) storage.set(KEY_PREFIX + pid, value);
    else storage.remove(KEY_PREFIX + pid);
  }

  // tools: validated as they are typed
  function parseTools() {
    const text = toolsInput.value.trim();
    if (!text) return { tools: undefined };
    let tools;
    try { tools = JSON.parse(text); } catch (e) { return { error: `Invalid JSON: ${e.message}` }; }
    if (!Array.isArray(tools)) return { error: 'Tools must be a JSON array: [{ "type": "function", "function": { "name": … } }]' };
    for (const [i, t] of tools.entries()) {
      if (t?.type !== 'function') return { error: `Tool ${i + 1}: "type" must be "function"` };
      if (typeof t.function?.name !== 'string' || !t.function.name) return { error: `Tool ${i + 1}: "function.name" is required` };
      if (t.function.parameters !== undefined && (typeof t.function.parameters !== 'object' || Array.isArray(t.function.parameters) || t.function.parameters === null)) {
        return { error: `Tool ${i + 1}: "function.parameters" must be a JSON Schema object` };
      }
    }
    return { tools };
  }
  function showToolsCheck() {
    const { tools, error } = parseTools();
    const msg = $('toolsError');
    msg.hidden = !error;
    msg.textContent = error ?? '';
    $('toolsOk').textContent = tools ? `${tools.length} tool${tools.length === 1 ? '' : 's'}: ${tools.map((t) => t.function.name).join(', ')}` : '';
    if (error) toolsInput.setAttribute('aria-invalid', 'true'); else toolsInput.removeAttribute('aria-invalid');
    return { tools, error };
  }
  toolsInput.addEventListener('input', debounce(showToolsCheck, 150));
  $('toolsExample').addEventListener('click', () => {
    toolsInput.value = TOOLS_EXAMPLE;
    $('toolsBox').open = true;
    showToolsCheck();
  });

  $('prompt').addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); form.requestSubmit(); }
  });
  $('stop').addEventListener('click', () => controller?.abort());

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const { tools, error: toolsError } = showToolsCheck();
    if (toolsError) {
      $('toolsBox').open = true;
      toolsInput.focus();
      return;
    }
    controller?.abort();
    const ctrl = controller = new AbortController();
    const reply = $('reply');
    const replyText = document.createTextNode('');
    reply.replaceChildren(replyText);
    reply.dataset.state = 'streaming';
    $('replyError').hidden = true;
    $('toolCalls').replaceChildren();
    $('reasoning').hidden = true;
    $('reasoningText').textContent = '';
    $('stats').replaceChildren();
    $('send').disabled = true;
    $('stop').disabled = false;

    const model = modelInput.value.trim();
    const isMock = model.startsWith('mock/');
    const num = (id) => ($(id).value.trim() === '' ? undefined : Number($(id).value));
    const t0 = performance.now();
    let ttft = null;
    let usage = null;
    let finish = null;
    const calls = new Map(); // tool call index -> { args, argsEl }
    const first = () => { ttft ??= performance.now() - t0; };
    try {
      const pkg = await mainPackage();
      const stream = await pkg.completion({
        model,
        messages: [
          ...($('system').value.trim() ? [{ role: 'system', content: $('system').value }] : []),
          { role: 'user', content: $('prompt').value },
        ],
        temperature: num('temperature'),
        max_tokens: num('maxTokens'),
        tools,
        stream: true,
        stream_options: { include_usage: true },
        apiKey: keyInput.value || undefined,
        apiBase: $('apiBase').value.trim() || undefined,
        mockDelay: isMock ? 30 : undefined, // the mock answers instantly; pace it like a real stream
        signal: ctrl.signal,
      });
      for await (const chunk of stream) {
        const choice = chunk.choices[0];
        const delta = choice?.delta ?? {};
        if (delta.content) { first(); replyText.appendData(delta.content); }
        if (delta.reasoning_content) {
          first();
          $('reasoning').hidden = false;
          $('reasoningText').append(delta.reasoning_content);
        }
        for (const tc of delta.tool_calls ?? []) { first(); toolCallDelta(calls, tc); }
        if (choice?.finish_reason) finish = choice.finish_reason;
        if (chunk.usage) usage = chunk.usage;
      }
      reply.dataset.state = 'done';
      if (!replyText.data) reply.replaceChildren(); // a tool call only: no empty reply box
      // once complete, pretty-print arguments that are valid JSON
      for (const c of calls.values()) {
        try { c.argsEl.textContent = JSON.stringify(JSON.parse(c.args), null, 2); c.card.dataset.state = 'done'; } catch { c.card.dataset.state = 'partial'; }
      }
      const total = performance.now() - t0;
      stat('time to first token', `${Math.round(ttft ?? total)} ms`, 'ttft');
      stat('total time', `${Math.round(total)} ms`, 'total');
      if (finish) stat('finish', finish, 'finish');
      if (usage) {
        stat('prompt tokens', fmtInt(usage.prompt_tokens), 'prompt');
        stat('completion tokens', fmtInt(usage.completion_tokens), 'completion');
        const [label, value] = costOf(pkg, model, usage);
        stat(label, value, 'cost');
      }
    } catch (e) {
      const aborted = e?.name === 'APIUserAbortError';
      reply.dataset.state = aborted ? 'aborted' : 'error';
      if (!replyText.data) reply.replaceChildren();
      const box = $('replyError');
      box.hidden = false;
      box.replaceChildren(el('strong', {}, e?.name ?? 'Error'), `: ${e?.message ?? e}`);
      if (aborted) stat('stopped after', `${Math.round(performance.now() - t0)} ms`, 'total');
    } finally {
      if (controller === ctrl) {
        $('send').disabled = false;
        $('stop').disabled = true;
        controller = null;
      }
    }
  });

  function toolCallDelta(calls, tc) {
    let c = calls.get(tc.index);
    if (!c) {
      const nameEl = el('span', { className: 'tool-name' });
      const argsEl = el('pre', { className: 'tool-args' });
      const card = el('div', { className: 'tool-call', dataset: { state: 'building' } }, el('span', { className: 'tool-label' }, 'tool call'), nameEl, argsEl);
      c = { name: '', args: '', nameEl, argsEl, card };
      calls.set(tc.index, c);
      $('toolCalls').append(card);
    }
    if (tc.function?.name) { c.name += tc.function.name; c.nameEl.textContent = c.name; }
    if (tc.function?.arguments) { c.args += tc.function.arguments; c.argsEl.textContent = c.args; }
  }

  /** The cost line: the package's `usage.cost`, else (mock) the price of the model it pretends to be. */
  function costOf(pkg, model, usage) {
    if (typeof usage.cost === 'number') return ['cost', fmtUSD(usage.cost)];
    if (model.startsWith('mock/')) {
      const as = model.slice(5);
      try {
        return [`cost if billed as ${as}`, fmtUSD(pkg.completionCost({ model: as, usage }))];
      } catch {
        return ['cost', '$0 (the mock is free)'];
      }
    }
    return ['cost', 'unknown (not in the price table)'];
  }

  function stat(label, value, key) {
    $('stats').append(el('div', { dataset: { stat: key } }, el('dt', {}, label), el('dd', {}, value)));
  }

  providerSel.value = providerOf(modelInput.value) ?? 'mock';
  showProvider();
  return {
    setCatalogue(catalogue) {
      chat = catalogue.filter((m) => m.mode === 'chat');
      suggestions.clear();
    },
  };
}
