// One fresh-process start-up sample for benches/tokenizer.mjs:
//   node benches/tokenizer-startup.mjs <unillm|gpt-tokenizer|tiktoken|js-tiktoken>
// prints {lib, n, ms, rssMB}: ms from the start of `import` to the first o200k_base count returned,
// rssMB the growth of the process's resident set over the same span.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, 'package.json'));
const lib = process.argv[2];
const text = 'Hello world! This is the first count.';
const rss0 = process.memoryUsage.rss();
const t0 = performance.now();
let n;
if (lib === 'unillm') {
  const m = await import(pathToFileURL(path.join(here, '..', 'dist', 'node.js')));
  n = m.countTokens(text, { encoding: 'o200k_base' });
} else if (lib === 'gpt-tokenizer') {
  const m = await import(pathToFileURL(require.resolve('gpt-tokenizer/encoding/o200k_base')));
  n = m.countTokens(text);
} else if (lib === 'tiktoken') {
  const m = await import(pathToFileURL(require.resolve('tiktoken')));
  n = m.get_encoding('o200k_base').encode(text).length;
} else if (lib === 'js-tiktoken') {
  const m = await import(pathToFileURL(require.resolve('js-tiktoken')));
  n = m.getEncoding('o200k_base').encode(text).length;
} else {
  throw new Error(`unknown library ${lib}`);
}
const ms = performance.now() - t0;
console.log(JSON.stringify({ lib, n, ms, rssMB: (process.memoryUsage.rss() - rss0) / 1e6 }));
