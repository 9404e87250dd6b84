// The demo page that `npm start` serves: in headless Chromium, the mock model streams a reply.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from '../scripts/serve.mjs';
import { withBrowser } from './support/browser.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const shots = path.join(here, '.work', 'screenshots');

test('www: the playground streams a reply from the mock provider', async () => {
  mkdirSync(shots, { recursive: true });
  const server = createServer();
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  try {
    await withBrowser(async (page, consoleErrors) => {
      await page.setViewportSize({ width: 900, height: 700 });
      await page.goto(`http://127.0.0.1:${port}/`);
      await page.waitForFunction(() => /^v\d/.test(document.getElementById('version').textContent));
      await page.fill('#prompt', 'Hello from the browser test');
      await page.click('#send');
      // streaming is visible: the reply grows while the state is "streaming"
      await page.waitForFunction(() => document.getElementById('reply').textContent.length > 10);
      const midway = await page.$eval('#reply', (el) => ({ state: el.dataset.state, len: el.textContent.length }));
      await page.waitForSelector('#reply[data-state="done"]', { timeout: 30_000 });
      const reply = await page.$eval('#reply', (el) => el.textContent);
      assert.equal(midway.state, 'streaming');
      assert.ok(midway.len < reply.length, 'the reply arrived in pieces');
      assert.match(reply, /You said: "Hello from the browser test"$/);
      const stats = await page.$eval('#stats', (el) => el.textContent);
      assert.match(stats, /time to first token/);
      assert.match(stats, /completion tokens/);
      await page.screenshot({ path: path.join(shots, 'playground-mock-stream.png'), fullPage: true });
      // a typed error is shown by name
      await page.fill('#model', 'openai/gpt-4o-mini');
      await page.fill('#apiKey', '');
      await page.click('#send');
      await page.waitForSelector('#reply[data-state="error"]');
      assert.match(await page.$eval('#reply', (el) => el.textContent), /^AuthenticationError: no API key for openai/);
      await page.screenshot({ path: path.join(shots, 'playground-typed-error.png'), fullPage: true });
      assert.deepEqual(consoleErrors, []);
    });
  } finally {
    server.close();
  }
});
