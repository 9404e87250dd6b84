import { completion, version, UnillmError } from '/dist/browser.js';

const $ = (id) => document.getElementById(id);
$('version').textContent = `v${version()}`;
let controller = null;

$('chat').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  controller?.abort();
  controller = new AbortController();
  const reply = $('reply');
  const stats = $('stats');
  reply.textContent = '';
  reply.dataset.state = 'streaming';
  stats.replaceChildren();
  $('send').disabled = true;
  $('stop').disabled = false;
  const t0 = performance.now();
  let ttft = null;
  try {
    const model = $('model').value.trim();
    const stream = await completion({
      model,
      apiKey: $('apiKey').value || undefined,
      messages: [
        ...($('system').value ? [{ role: 'system', content: $('system').value }] : []),
        { role: 'user', content: $('prompt').value },
      ],
      stream: true,
      stream_options: { include_usage: true },
      mockDelay: model.startsWith('mock/') ? 30 : undefined,
      signal: controller.signal,
    });
    let usage = null;
    for await (const chunk of stream) {
      const text = chunk.choices[0]?.delta?.content;
      if (text) {
        ttft ??= performance.now() - t0;
        reply.textContent += text;
      }
      if (chunk.usage) usage = chunk.usage;
    }
    reply.dataset.state = 'done';
    const total = performance.now() - t0;
    addStat('time to first token', `${Math.round(ttft ?? total)} ms`);
    addStat('total', `${Math.round(total)} ms`);
    if (usage) {
      addStat('prompt tokens', usage.prompt_tokens);
      addStat('completion tokens', usage.completion_tokens);
      if (usage.cost != null) addStat('cost', `$${usage.cost.toFixed(6)}`);
    }
  } catch (e) {
    reply.dataset.state = 'error';
    const name = e instanceof UnillmError ? e.name : 'Error';
    reply.textContent = `${name}: ${e.message}`;
  } finally {
    $('send').disabled = false;
    $('stop').disabled = true;
  }
});

$('stop').addEventListener('click', () => controller?.abort());

function addStat(label, value) {
  const dt = document.createElement('dt');
  dt.textContent = label;
  const dd = document.createElement('dd');
  dd.textContent = value;
  $('stats').append(dt, dd);
}
