// The demo page (www/, served by scripts/serve.mjs) in headless Chromium: the token counter agrees
// with the package in Node, stays responsive under a 1 MB paste, the cost table sorts and filters
// with the package's prices, the playground streams text and tool calls from the mock provider,
// and the page works from plain static files. Screenshots of each state: tests/.work/screenshots/.
// Measurements (page weight, time to interactive, input latency): tests/.work/www-metrics.json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createServer } from '../scripts/serve.mjs';
import { withBrowser } from './support/browser.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, '..');
const shots = path.join(here, '.work', 'screenshots');
// the packed package, as installed by scripts/test.sh
const u = await import(pathToFileURL(path.join(here, '.work', 'app', 'node_modules', 'unillm', 'dist', 'node.js')));

const SPAN_CAP = 4000; // www/counter.js
const metrics = {};

async function listen(server) {
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${server.address().port}/`;
}

async function shot(page, name, opts = {}) {
  await page.screenshot({ path: path.join(shots, `${name}.png`), ...opts });
}

/** Scrolls `selector` to the top of the viewport (below the sticky header), without animation. */
async function scrollTo(page, selector) {
  await page.$eval(selector, (e) => window.scrollTo({ top: e.getBoundingClientRect().top + window.scrollY - 60, behavior: 'instant' }));
}

/** Waits for the playground's reply state (the reply box itself is hidden while empty). */
const replyState = (page, state) => page.waitForSelector(`#reply[data-state="${state}"]`, { state: 'attached', timeout: 30_000 });
const count = (page) => page.$eval('#tokenCount', (e) => ({ state: e.dataset.state, text: e.textContent }));
const fmt = (n) => n.toLocaleString('en-US');

/** Waits until the counter shows `n` tokens (and is not counting). */
async function waitForCount(page, n, timeout = 15_000) {
  await page.waitForFunction((want) => {
    const e = document.getElementById('tokenCount');
    return e.dataset.state === 'ready' && e.textContent === want;
  }, fmt(n), { timeout }).catch(async (e) => {
    throw new Error(`count never showed ${n}: ${JSON.stringify(await count(page))} (${e.message})`);
  });
}

/** Types into the counter as a user would (replacing its content). */
async function setCounterText(page, text) {
  await page.fill('#countInput', text);
}

/** The model picker: type, then pick the first suggestion with the keyboard. */
async function pickModel(page, selector, query, want, screenshot) {
  await page.fill(selector, '');
  await page.type(selector, query);
  await page.waitForSelector(`${selector} ~ .combo-pop:not([hidden]) li`);
  if (screenshot) await shot(page, screenshot);
  const options = await page.$$eval(`${selector} ~ .combo-pop li .combo-value`, (els) => els.map((e) => e.textContent));
  const i = options.indexOf(want);
  assert.ok(i >= 0, `${want} among the suggestions for "${query}": ${options.slice(0, 8)}`);
  for (let k = 0; k <= i; k++) await page.press(selector, 'ArrowDown');
  await page.press(selector, 'Enter');
  assert.equal(await page.inputValue(selector), want);
}

/** Costs of the visible table rows as numbers (NaN for unpriced). */
const tableTotals = (page) => page.$$eval('#costRows tr', (rows) => rows.map((r) => ({ key: r.dataset.key, total: Number(r.dataset.total), provider: r.dataset.provider })));

async function waitForPrices(page, inputTokens, outputTokens) {
  await page.waitForFunction(([i, o]) => {
    const t = document.getElementById('costTable');
    return t.dataset.state === 'ready' && t.dataset.inputTokens === String(i) && t.dataset.outputTokens === String(o);
  }, [inputTokens, outputTokens], { timeout: 15_000 });
}

test('www: counter, costs and playground in headless Chromium', async (t) => {
  mkdirSync(shots, { recursive: true });
  for (const f of readdirSync(shots)) if (f.endsWith('.png')) rmSync(path.join(shots, f));
  const t0 = Date.now();
  const server = createServer();
  const url = await listen(server);
  try {
    await withBrowser(async (page, consoleErrors) => {
      await page.setViewportSize({ width: 1200, height: 900 });
      await page.emulateMedia({ colorScheme: 'light' });

      await t.test('loads: worker and wasm ready, first count shown; page weight and time to interactive', async () => {
        await page.goto(url);
        await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
        await page.waitForSelector('#tokenCount[data-state="ready"]');
        await page.waitForSelector('#costTable[data-state="ready"]');
        const timing = await page.evaluate(() => ({
          workerReady: performance.getEntriesByName('unillm:worker-ready')[0]?.startTime,
          firstCount: performance.getEntriesByName('unillm:first-count')[0]?.startTime,
          domContentLoaded: performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd,
        }));
        assert.ok(timing.firstCount > 0, 'the first count is marked');
        // the playground's instance loads when the page is idle: wait for it, then weigh everything
        await page.waitForFunction(() => performance.getEntriesByType('resource').filter((e) => e.name.includes('/unillm/')).length >= 5, null, { timeout: 10_000 });
        await page.waitForTimeout(300);
        const pageEntries = await page.evaluate(() => [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
          .map((e) => ({ name: e.name, transferSize: e.transferSize, encoded: e.encodedBodySize, decoded: e.decodedBodySize })));
        const workers = page.workers();
        assert.equal(workers.length, 1, 'one counting worker');
        const workerEntries = await workers[0].evaluate(() => performance.getEntriesByType('resource')
          .map((e) => ({ name: e.name, transferSize: e.transferSize, encoded: e.encodedBodySize, decoded: e.decodedBodySize })));
        const weight = {};
        for (const e of [...pageEntries, ...workerEntries]) {
          const ext = new URL(e.name).pathname.match(/\.(\w+)$/)?.[1] ?? 'html';
          weight[ext] ??= { requests: 0, transferBytes: 0, decodedBytes: 0 };
          weight[ext].requests++;
          weight[ext].transferBytes += e.transferSize;
          weight[ext].decodedBytes += e.decoded;
        }
        const total = Object.values(weight).reduce((a, w) => a + w.transferBytes, 0);
        const wasm = [...pageEntries, ...workerEntries].filter((e) => e.name.endsWith('.wasm'));
        // two modules (the core and the tokenizer), each downloaded once and compressed
        for (const file of ['/unillm_bg.wasm', '/unillm_tokens_bg.wasm']) {
          const fetched = wasm.filter((e) => e.name.endsWith(file) && e.transferSize > 1000);
          assert.equal(fetched.length, 1, `${file} is downloaded once: ${JSON.stringify(wasm)}`);
          assert.ok(fetched[0].encoded < fetched[0].decoded * 0.8, `${file} travels compressed`);
        }
        metrics.pageWeight = { totalTransferBytes: total, byType: weight };
        metrics.timeToInteractiveMs = { workerReady: Math.round(timing.workerReady), firstCountShown: Math.round(timing.firstCount), domContentLoaded: Math.round(timing.domContentLoaded) };
        await shot(page, '01-loaded-desktop-light');
      });

      await t.test('token counter: text, as countTokens counts it; model picker; highlighting', async () => {
        const text = 'Héllo wörld! unillm counts tokens in a Web Worker. Ελληνικά, русский — naïve café, 12345678901234567890.\n\n  Indented line.';
        await setCounterText(page, text);
        await waitForCount(page, u.countTokens(text, { model: 'gpt-4o' }));
        assert.equal(await page.textContent('#exactness'), 'exact · o200k_base');
        assert.equal(await page.textContent('#charCount'), fmt([...text].length));
        // the highlighted spans re-join to the text, and there is one per token (none empty here)
        await page.waitForSelector('#tokenView[data-complete="true"]');
        const spans = await page.$$eval('#tokenView .tk', (els) => els.map((e) => e.textContent));
        assert.equal(spans.join(''), text);
        const { ends } = u.tokenize(text, { model: 'gpt-4o' });
        const nonEmpty = [...ends].filter((e, i) => e > (ends[i - 1] ?? 0)).length;
        assert.equal(spans.length, nonEmpty);
        assert.deepEqual(spans.slice(0, 3), [...ends].slice(0, 3).map((e, i) => text.slice(ends[i - 1] ?? 0, e)));
        await scrollTo(page, '#tokens');
        await shot(page, '02-counter-text-gpt-4o');

        // a non-OpenAI model, picked with the keyboard: cl100k_base, labelled an estimate
        await pickModel(page, '#countModel', 'claude-sonnet-4-5', 'claude-sonnet-4-5', '03a-counter-model-picker-open');
        const expect = u.tokenCounter({ model: 'claude-sonnet-4-5', text });
        assert.equal(expect.exact, false);
        assert.equal(expect.tokens, u.countTokens(text, { model: 'claude-sonnet-4-5' }));
        await waitForCount(page, expect.tokens);
        assert.equal(await page.textContent('#exactness'), `estimate · ${expect.encoding}`);
        await shot(page, '03-counter-text-estimate-claude');

        // highlighting off: no spans; on again: back
        await page.click('label:has(#showTokens)');
        await page.waitForSelector('#tokenView', { state: 'hidden' });
        await page.click('label:has(#showTokens)');
        await page.waitForSelector('#tokenView .tk');
        await pickModel(page, '#countModel', 'gpt-4o', 'gpt-4o');
        await waitForCount(page, u.countTokens(text, { model: 'gpt-4o' }));
      });

      await t.test('token counter: messages JSON, as tokenCounter counts it; invalid JSON explained inline', async () => {
        await page.click('label[for="modeMessages"]');
        assert.equal(await page.textContent('#countInputLabel'), 'Messages (OpenAI chat JSON)');
        const messages = [
          { role: 'system', content: 'You are terse.' },
          { role: 'user', content: 'What is the capital of France?' },
          { role: 'assistant', content: 'Paris.' },
          { role: 'user', content: [{ type: 'text', text: 'And of Japan? ' }, { type: 'text', text: 'One word.' }] },
        ];
        await page.fill('#countInput', JSON.stringify(messages, null, 2));
        const expect = u.tokenCounter({ model: 'gpt-4o', messages });
        await waitForCount(page, expect.tokens);
        assert.equal(await page.textContent('#exactness'), 'exact · o200k_base');
        // one block per message, its content's tokens re-joining to it
        await page.waitForSelector('#tokenView[data-complete="true"]');
        const blocks = await page.$$eval('#tokenView .tok-msg', (els) => els.map((e) => ({ role: e.querySelector('.tok-role').textContent, text: [...e.querySelectorAll('.tk')].map((s) => s.textContent).join('') })));
        assert.deepEqual(blocks, messages.map((m) => ({ role: m.role, text: typeof m.content === 'string' ? m.content : m.content.map((p) => p.text).join('') })));
        await scrollTo(page, '#tokens');
        await shot(page, '04-counter-messages-json');

        await page.fill('#countInput', '[{"role": "user", "content": "unterminated"');
        await page.waitForSelector('#countError:not([hidden])');
        assert.match(await page.textContent('#countError'), /^Invalid JSON: /);
        assert.equal((await count(page)).state, 'invalid');
        assert.equal(await page.getAttribute('#countInput', 'aria-invalid'), 'true');
        await shot(page, '05-counter-invalid-json');
        await page.fill('#countInput', '{"role": "user"}');
        await page.waitForFunction(() => /Expected a JSON array/.test(document.getElementById('countError').textContent));

        // back to text: the text typed before is still there
        await page.click('label[for="modeText"]');
        await page.waitForSelector('#countError', { state: 'hidden' });
        assert.equal((await count(page)).state, 'ready');
      });

      await t.test('token counter: a 1 MB paste is counted in the worker while the page keeps answering input', async () => {
        const words = readFileSync(path.join(root, 'README.md'), 'utf8');
        let big = '';
        while (big.length < 1024 * 1024) big += words;
        big = big.slice(0, 1024 * 1024);
        const expected = u.countTokens(big, { model: 'gpt-4o' });
        // probes: input latency of keypresses in another field, long tasks, gaps between frames
        await page.evaluate(() => {
          const p = (window.__probe = { keys: [], longTasks: [], maxFrameGap: 0, running: true });
          document.getElementById('prompt').addEventListener('keydown', (e) => p.keys.push(performance.now() - e.timeStamp));
          new PerformanceObserver((l) => { for (const e of l.getEntries()) p.longTasks.push(e.duration); }).observe({ type: 'longtask' });
          let last = performance.now();
          const frame = (now) => { p.maxFrameGap = Math.max(p.maxFrameGap, now - last); last = now; if (p.running) requestAnimationFrame(frame); };
          requestAnimationFrame(frame);
        });
        // a real paste (Ctrl+V from the clipboard; CDP's insertText is quadratic on a textarea)
        await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(url).origin });
        await page.evaluate((text) => navigator.clipboard.writeText(text), big);
        await page.focus('#countInput');
        await page.evaluate(() => document.getElementById('countInput').select());
        const t1 = Date.now();
        await page.keyboard.press('Control+V');
        // the textarea's own editing of 1 MB is the browser's work, before any counting starts
        const pastedMs = Date.now() - t1;
        const pasteTasks = await page.evaluate(() => window.__probe.longTasks.splice(0));
        await page.evaluate(() => { window.__probe.maxFrameGap = 0; });
        assert.equal(await page.$eval('#countInput', (e) => e.value.length), big.length);
        // now type in the playground's message box while the worker counts
        await page.$eval('#prompt', (e) => { e.value = ''; e.focus(); });
        const typing = page.keyboard.type(' typing while the worker counts a megabyte', { delay: 15 });
        await waitForCount(page, expected, 30_000);
        const countedMs = Date.now() - t1;
        await typing;
        const probe = await page.evaluate(() => { window.__probe.running = false; return window.__probe; });
        const worst = Math.max(...probe.keys);
        metrics.megabytePaste = {
          chars: big.length, tokens: expected, pasteMs: pastedMs, pasteLongTasksMs: pasteTasks.map(Math.round), countShownAfterPasteStartMs: countedMs,
          keypresses: probe.keys.length, worstKeyLatencyMs: Math.round(worst * 10) / 10,
          longTasksWhileCountingMs: probe.longTasks.map(Math.round), maxFrameGapWhileCountingMs: Math.round(probe.maxFrameGap),
        };
        assert.ok(probe.keys.length >= 40, 'keypresses were measured');
        assert.ok(worst < 100, `every keypress handled within 100 ms while counting (worst ${worst.toFixed(1)} ms)`);
        assert.equal(await page.inputValue('#prompt'), ' typing while the worker counts a megabyte');
        // the highlighting is capped and says so
        await page.waitForSelector('#tokenView[data-complete="true"]');
        const view = await page.$eval('#tokenView', (e) => ({ shown: Number(e.dataset.shown), total: Number(e.dataset.total), spans: [...e.querySelectorAll('.tk')].map((s) => s.textContent) }));
        assert.equal(view.shown, SPAN_CAP);
        assert.equal(view.total, expected);
        const { ends } = u.tokenize(big, { model: 'gpt-4o' });
        const first = [...ends.subarray(0, SPAN_CAP)].map((e, i) => big.slice(ends[i - 1] ?? 0, e)).filter(Boolean);
        assert.deepEqual(view.spans, first, 'the first tokens, highlighted');
        assert.match(await page.textContent('#tokenNote'), new RegExp(`first ${fmt(SPAN_CAP)} of ${fmt(expected)} tokens`));
        await scrollTo(page, '#tokens');
        await shot(page, '06-counter-1mb-paste-capped-highlight');
        // the table follows: with ~250K input tokens, small context windows overflow
        await waitForPrices(page, expected, 500);
        await scrollTo(page, '#costs');
        await shot(page, '07-costs-after-1mb-paste');
      });

      await t.test('cost table: package prices, sorting both ways, filters, chart', async () => {
        const text = readFileSync(path.join(root, 'README.md'), 'utf8').slice(0, 4000);
        await setCounterText(page, text);
        const n = u.countTokens(text, { model: 'gpt-4o' });
        await waitForCount(page, n);
        await page.fill('#outTokens', '800');
        await waitForPrices(page, n, 800);
        assert.equal(await page.textContent('#costIn'), fmt(n));
        const priceOf = (key) => u.completionCost({ model: key, usage: { prompt_tokens: n, completion_tokens: 800 } });
        const near = (a, b) => Math.abs(a - b) <= 1e-12 + Math.abs(b) * 1e-9;

        // default: total ascending
        let rows = await tableTotals(page);
        assert.equal(rows.length, 25);
        for (const r of rows) assert.ok(near(r.total, priceOf(r.key)), `${r.key}: ${r.total} vs completionCost ${priceOf(r.key)}`);
        const ascending = (xs) => xs.every((x, i) => i === 0 || xs[i - 1] <= x);
        assert.ok(ascending(rows.map((r) => r.total)), 'ascending by total');
        assert.equal(await page.getAttribute('#costTable th[data-sort="total"]', 'aria-sort'), 'ascending');
        // click: descending
        await page.click('#costTable th[data-sort="total"] button');
        rows = await tableTotals(page);
        assert.ok(ascending(rows.map((r) => -r.total)), 'descending by total');
        assert.equal(await page.getAttribute('#costTable th[data-sort="total"]', 'aria-sort'), 'descending');
        for (const r of rows.slice(0, 5)) assert.ok(near(r.total, priceOf(r.key)));
        await scrollTo(page, '#costs');
        await shot(page, '08-costs-sorted-by-total-descending');
        // and back, with the keyboard
        await page.focus('#costTable th[data-sort="total"] button');
        await page.keyboard.press('Enter');
        rows = await tableTotals(page);
        assert.ok(ascending(rows.map((r) => r.total)), 'ascending again');
        await page.click('#costMore');
        assert.equal((await tableTotals(page)).length, 50);

        // filters: provider, capability, search
        await page.selectOption('#costProvider', 'anthropic');
        await page.click('label:has(#cap-vision)');
        await page.click('label:has(#cap-reasoning)');
        rows = await tableTotals(page);
        assert.ok(rows.length > 0);
        for (const r of rows) {
          const info = u.getModelInfo(r.key);
          assert.equal(info.litellm_provider, 'anthropic', r.key);
          assert.ok(u.supportsVision(r.key) && u.supportsReasoning(r.key), `${r.key} supports vision and reasoning`);
        }
        await page.fill('#costSearch', 'sonnet');
        await page.waitForFunction(() => [...document.querySelectorAll('#costRows tr')].every((r) => r.dataset.key.includes('sonnet')));
        rows = await tableTotals(page);
        assert.ok(rows.length > 0 && rows.every((r) => r.key.includes('sonnet')));
        // the chart: the ticked models (a few popular ones at first), plus one more ticked here
        const before = await page.$$eval('#costChart svg g', (g) => g.length);
        const box = page.locator('#costRows tr').first().locator('input[type=checkbox]');
        const wasTicked = await box.isChecked();
        await box.click();
        const after = await page.$$eval('#costChart svg g', (g) => g.length);
        assert.equal(after, before + (wasTicked ? -1 : 1));
        const labels = await page.$$eval('#costChart svg g text.chart-label', (els) => els.map((e) => e.textContent));
        assert.ok(wasTicked || labels.some((l) => rows[0].key.endsWith(l.replace(/^…/, ''))), `chart shows ${rows[0].key}: ${labels}`);
        await scrollTo(page, '#costs');
        await shot(page, '09-costs-filtered-anthropic-vision-reasoning-sonnet');
        // clear ticks: the chart falls back to the first rows of the table
        await page.click('#costClear');
        assert.equal(await page.$$eval('#costChart svg g', (g) => g.length), Math.min(8, rows.length));
        assert.match(await page.textContent('#costChart figcaption'), /first \d+ rows/);
        // reset the filters
        await page.fill('#costSearch', '');
        await page.selectOption('#costProvider', '');
        await page.click('label:has(#cap-vision)');
        await page.click('label:has(#cap-reasoning)');
      });

      await t.test('playground: the mock streams text, then usage, cost and latency', async () => {
        await page.selectOption('#provider', 'mock');
        assert.equal(await page.inputValue('#model'), 'mock/demo');
        await page.fill('#prompt', 'Hello from the browser test');
        await page.click('#send');
        // streaming is visible: the reply grows while the state is "streaming"
        await page.waitForFunction(() => document.getElementById('reply').textContent.length > 10);
        const midway = await page.$eval('#reply', (el) => ({ state: el.dataset.state, len: el.textContent.length }));
        await replyState(page, 'done');
        const reply = await page.textContent('#reply');
        assert.equal(midway.state, 'streaming');
        assert.ok(midway.len < reply.length, 'the reply arrived in pieces');
        assert.match(reply, /You said: "Hello from the browser test"$/);
        const stats = await page.$$eval('#stats > div', (els) => Object.fromEntries(els.map((e) => [e.dataset.stat, e.querySelector('dd').textContent])));
        assert.match(stats.ttft, /^\d+ ms$/);
        assert.match(stats.total, /^\d+ ms$/);
        assert.ok(Number.parseInt(stats.ttft, 10) <= Number.parseInt(stats.total, 10));
        // the same call in Node gives the usage the page shows
        const messages = [{ role: 'system', content: 'You are a helpful assistant.' }, { role: 'user', content: 'Hello from the browser test' }];
        const res = await u.completion({ model: 'mock/demo', messages });
        assert.equal(stats.prompt, fmt(res.usage.prompt_tokens));
        assert.equal(stats.completion, fmt(res.usage.completion_tokens));
        assert.equal(stats.cost, '$0 (the mock is free)');
        await scrollTo(page, '#playground');
        await shot(page, '10-playground-mock-stream');

        // a mock named after a priced model: the cost it would have there, from completionCost
        await pickModel(page, '#model', 'gpt-4o-mini', 'mock/gpt-4o-mini');
        await page.click('#send');
        await replyState(page, 'done');
        const res2 = await u.completion({ model: 'mock/gpt-4o-mini', messages });
        const cost = u.completionCost({ model: 'gpt-4o-mini', usage: res2.usage });
        const shown = await page.$eval('#stats [data-stat="cost"]', (e) => ({ label: e.querySelector('dt').textContent, value: e.querySelector('dd').textContent }));
        assert.equal(shown.label, 'cost if billed as gpt-4o-mini');
        const value = Number(shown.value.replace('$', ''));
        assert.ok(cost > 0 && Math.abs(value - cost) / cost < 0.01, `${shown.value} ≈ ${cost}`);
        await shot(page, '11-playground-mock-priced-as-gpt-4o-mini');
      });

      await t.test('playground: tools JSON is validated; the tool call builds up with its arguments', async () => {
        await page.click('#toolsBox summary');
        await page.fill('#tools', '[{"type": "function", "function": {"name": "get_weather"');
        await page.waitForSelector('#toolsError:not([hidden])');
        assert.match(await page.textContent('#toolsError'), /^Invalid JSON/);
        await page.click('#send');
        assert.equal(await page.evaluate(() => document.activeElement.id), 'tools', 'an invalid tools array is not sent');
        await scrollTo(page, '#toolsBox');
        await shot(page, '12-playground-invalid-tools-json');

        await page.click('#toolsExample');
        await page.waitForSelector('#toolsError', { state: 'hidden' });
        await page.selectOption('#provider', 'mock');
        await page.fill('#prompt', 'What is the weather in Paris?');
        await page.click('#send');
        // the call appears while its arguments are still arriving
        await page.waitForSelector('.tool-call[data-state="building"] .tool-name:text("get_weather")', { timeout: 10_000 });
        await replyState(page, 'done');
        const card = await page.$eval('.tool-call', (e) => ({ state: e.dataset.state, name: e.querySelector('.tool-name').textContent, args: e.querySelector('.tool-args').textContent }));
        assert.equal(card.state, 'done');
        assert.equal(card.name, 'get_weather');
        const args = JSON.parse(card.args);
        // the same arguments the package builds in Node from the tool's JSON Schema
        const tools = JSON.parse(await page.inputValue('#tools'));
        const res = await u.completion({ model: 'mock/demo', messages: [{ role: 'user', content: 'What is the weather in Paris?' }], tools });
        assert.deepEqual(args, JSON.parse(res.choices[0].message.tool_calls[0].function.arguments));
        assert.deepEqual(Object.keys(args).sort(), ['city', 'unit']);
        assert.equal(await page.textContent('#stats [data-stat="finish"] dd'), 'tool_calls');
        await scrollTo(page, '#chat .actions');
        await shot(page, '13-playground-tool-call');
        await page.fill('#tools', '');
      });

      await t.test('playground: stop aborts the stream; typed errors show name and message; the key is saved only on request', async () => {
        await page.selectOption('#provider', 'mock');
        await page.fill('#prompt', 'a long message to echo back '.repeat(12));
        await page.click('#send');
        await page.waitForFunction(() => document.getElementById('reply').textContent.length > 20);
        await page.click('#stop');
        await replyState(page, 'aborted');
        assert.match(await page.textContent('#replyError'), /^APIUserAbortError: /);
        assert.ok((await page.textContent('#reply')).length > 20, 'the text received so far stays');
        assert.ok(await page.isDisabled('#stop'));
        await shot(page, '14-playground-stopped');

        await page.selectOption('#provider', 'openai');
        assert.equal(await page.inputValue('#model'), 'openai/gpt-4o-mini');
        await page.fill('#apiKey', '');
        await page.click('#send');
        await replyState(page, 'error');
        assert.match(await page.textContent('#replyError'), /^AuthenticationError: no API key for openai/);
        await scrollTo(page, '#chat .actions');
        await shot(page, '15-playground-typed-error');

        // the key: memory only, until the box is ticked; unticking removes it
        const stored = () => page.evaluate(() => localStorage.getItem('unillm:apiKey:openai'));
        await page.fill('#apiKey', 'sk-test-not-a-real-key');
        assert.equal(await stored(), null);
        await page.check('#saveKey');
        assert.equal(await stored(), 'sk-test-not-a-real-key');
        await page.uncheck('#saveKey');
        assert.equal(await stored(), null);
        await page.fill('#apiKey', '');
        await page.selectOption('#provider', 'mock');
      });

      await t.test('keyboard: focus is visible; the page has no console errors', async () => {
        await page.evaluate(() => window.scrollTo(0, 0));
        await page.focus('#countModel');
        await page.keyboard.press('Tab');
        const focused = await page.evaluate(() => {
          const e = document.activeElement;
          const s = getComputedStyle(e);
          return { id: e.id, outline: s.outlineStyle, width: s.outlineWidth };
        });
        assert.equal(focused.id, 'countInput');
        assert.notEqual(focused.outline, 'none');
        assert.deepEqual(consoleErrors, []);
      });

      await t.test('dark mode and a 390 px phone', async () => {
        await page.emulateMedia({ colorScheme: 'dark' });
        await page.evaluate(() => window.scrollTo(0, 0));
        await shot(page, '16-desktop-dark');
        await page.setViewportSize({ width: 390, height: 844 });
        await page.reload();
        await page.waitForSelector('#costTable[data-state="ready"]', { timeout: 30_000 });
        await page.waitForSelector('#tokenCount[data-state="ready"]');
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `no horizontal scrolling at 390 px (${overflow} px too wide)`);
        await shot(page, '17-phone-390-dark');
        await page.emulateMedia({ colorScheme: 'light' });
        await shot(page, '18-phone-390-light');
        await scrollTo(page, '#costs');
        await shot(page, '19-phone-390-costs');
        await scrollTo(page, '#model');
        await page.fill('#prompt', 'Hi from a phone');
        await page.click('#send');
        await replyState(page, 'done');
        await scrollTo(page, '#chat .actions');
        await shot(page, '20-phone-390-playground-reply');
        await page.evaluate(() => window.scrollTo({ top: 0, behavior: 'instant' }));
        await shot(page, '21-phone-390-full-page', { fullPage: true });
        assert.deepEqual(consoleErrors, []);
      });
    });
  } finally {
    server.close();
  }
  metrics.durationMs = Date.now() - t0;
  writeFileSync(path.join(here, '.work', 'www-metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
  t.diagnostic(`www metrics: ${JSON.stringify(metrics)}`);
});

test('www: works as plain static files (no compression, no /unillm/ fallback)', async () => {
  // a copy of www/ with the package beside it, as scripts/site.mjs makes it, behind the dumbest
  // static server: files by path, a MIME type by extension, nothing else
  const dir = mkdtempSync(path.join(os.tmpdir(), 'unillm-site-'));
  const dist = path.join(here, '.work', 'app', 'node_modules', 'unillm', 'dist');
  cpSync(path.join(root, 'www'), dir, { recursive: true, filter: (src) => !src.startsWith(path.join(root, 'www', 'unillm')) });
  cpSync(dist, path.join(dir, 'unillm'), { recursive: true });
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm' };
  const server = http.createServer((req, res) => {
    const p = new URL(req.url, 'http://x').pathname;
    const file = path.join(dir, p === '/' ? 'index.html' : p);
    try {
      const body = readFileSync(file);
      res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  const url = await listen(server);
  try {
    await withBrowser(async (page, consoleErrors) => {
      await page.goto(url);
      await page.waitForSelector('#tokenCount[data-state="ready"]', { timeout: 30_000 });
      await page.fill('#countInput', 'plain static files');
      await waitForCount(page, u.countTokens('plain static files', { model: 'gpt-4o' }));
      await page.click('#send');
      await replyState(page, 'done');
      assert.deepEqual(consoleErrors, []);
    });
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
