// Makes www/ a self-contained static site: copies the built package (dist/*) into www/unillm/
// (gitignored), where the page imports it from, and writes precompressed siblings (`.br`, `.gz`)
// for static hosts that serve them (scripts/serve.mjs does). Incremental: unchanged files are
// neither copied nor compressed again, so a no-op run takes milliseconds.
//   node scripts/site.mjs              copy and precompress
//   node scripts/site.mjs --no-compress  copy only (brotli -q 11 of the wasm takes ~10 s)
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const src = path.join(root, 'dist');
const dest = path.join(root, 'www', 'unillm');
const compress = !process.argv.includes('--no-compress');
const COMPRESSIBLE = /\.(js|mjs|wasm|json|ts|css|html|svg)$/;

if (!existsSync(path.join(src, 'browser.js'))) {
  console.error('scripts/site.mjs: dist/ is not built (run scripts/build.sh first)');
  process.exit(1);
}
mkdirSync(dest, { recursive: true });
const files = readdirSync(src).filter((f) => statSync(path.join(src, f)).isFile());

// files that left dist/ leave www/unillm/ too (with their compressed siblings)
for (const f of readdirSync(dest)) {
  const base = f.replace(/\.(br|gz)$/, '');
  if (!files.includes(base)) rmSync(path.join(dest, f), { force: true });
}

const fresh = (file, than) => existsSync(file) && statSync(file).mtimeMs >= statSync(than).mtimeMs;
let copied = 0, packed = 0;
for (const f of files) {
  const from = path.join(src, f), to = path.join(dest, f);
  const s = statSync(from);
  if (!existsSync(to) || statSync(to).size !== s.size || Math.abs(statSync(to).mtimeMs - s.mtimeMs) > 1) {
    copyFileSync(from, to);
    for (const ext of ['br', 'gz']) rmSync(`${to}.${ext}`, { force: true }); // never a stale sibling
    utimesSync(to, s.atime, s.mtime); // keep dist's times: an unchanged file stays "fresh"
    copied++;
  }
  if (!compress || !COMPRESSIBLE.test(f)) continue;
  for (const [ext, fn] of [['br', (b) => zlib.brotliCompressSync(b, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: b.length } })],
    ['gz', (b) => zlib.gzipSync(b, { level: 9 })]]) {
    const out = `${to}.${ext}`;
    if (fresh(out, to)) continue;
    const raw = readFileSync(to);
    writeFileSync(out, fn(raw));
    packed++;
  }
}
const size = (f) => (existsSync(f) ? statSync(f).size : NaN);
const sizes = ['unillm_bg.wasm', 'unillm_tokens_bg.wasm'].map((f) => {
  const wasm = path.join(dest, f);
  return `${f} ${size(wasm)} bytes, ${size(`${wasm}.br`)} br, ${size(`${wasm}.gz`)} gzip`;
});
console.error(`[site] www/unillm/: ${copied} file(s) copied, ${packed} compressed; ${sizes.join('; ')}`);
