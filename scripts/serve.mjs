// `npm start`: serves www/ (and the built package under /dist/) on 127.0.0.1 and prints the URL.
// Everything runs in the visitor's tab; this server only hands out static files.
//
// The page imports the package from ./unillm/ so that www/ works as plain static files once
// scripts/site.mjs has copied dist/ there; until then (or when dist/ is newer) /unillm/ serves dist/.
// Responses are compressed (brotli, else gzip) when the client accepts it, so the page weight seen
// in the browser is realistic: a precompressed sibling (`file.br`, `file.gz`, written by
// scripts/site.mjs) is used when it is fresh, anything else is compressed once and kept in memory.
// ETags let the browser revalidate (304) instead of downloading a file again.
import http from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WWW = path.join(root, 'www');
const DIST = path.join(root, 'dist');
const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.wasm': 'application/wasm', '.json': 'application/json', '.svg': 'image/svg+xml',
  '.ts': 'text/plain; charset=utf-8', '.png': 'image/png', '.ico': 'image/x-icon', '.txt': 'text/plain; charset=utf-8',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.wasm', '.json', '.svg', '.ts', '.txt']);
const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

/** Candidate files for a URL path, in order of preference (null: outside the served roots). */
function candidates(urlPath) {
  let p;
  try { p = decodeURIComponent(urlPath); } catch { return null; }
  const inside = (base, rel) => {
    const full = path.resolve(base, rel);
    return full.startsWith(base + path.sep) || full === base ? full : null;
  };
  if (p.startsWith('/dist/')) return [inside(DIST, p.slice(6))];
  if (p.startsWith('/unillm/')) return [inside(path.join(WWW, 'unillm'), p.slice(8)), inside(DIST, p.slice(8))];
  return [inside(WWW, p.slice(1) || 'index.html')];
}

async function findFile(urlPath) {
  const found = [];
  for (let file of candidates(urlPath) ?? []) {
    if (!file) continue;
    let st = await stat(file).catch(() => null);
    if (st?.isDirectory()) {
      file = path.join(file, 'index.html');
      st = await stat(file).catch(() => null);
    }
    if (st?.isFile()) found.push({ file, st });
  }
  // www/unillm/ is a copy of dist/ (same mtimes): a newer dist/ file means a rebuild since the copy
  if (found.length === 2 && found[1].st.mtimeMs > found[0].st.mtimeMs + 1) return found[1];
  return found[0] ?? null;
}

/** br or gzip, by the client's Accept-Encoding (q=0 excluded). */
function pickEncoding(header = '') {
  const accepted = new Set(header.split(',').map((s) => s.trim().split(';')).filter(([, q]) => !/^q=0(\.0*)?$/.test(q?.trim() ?? '')).map(([e]) => e.trim()));
  if (accepted.has('br')) return 'br';
  if (accepted.has('gzip')) return 'gzip';
  return null;
}

const memo = new Map(); // `${file}|${mtime}|${size}|${encoding}` -> Promise<Buffer>
async function encoded(file, st, encoding) {
  // a precompressed sibling written by scripts/site.mjs, if not older than the file
  const sibling = `${file}.${encoding === 'br' ? 'br' : 'gz'}`;
  const sst = await stat(sibling).catch(() => null);
  if (sst?.isFile() && sst.mtimeMs >= st.mtimeMs) return readFile(sibling);
  const key = `${file}|${st.mtimeMs}|${st.size}|${encoding}`;
  if (!memo.has(key)) {
    const p = readFile(file).then((raw) => encoding === 'br'
      // quality 11 is slow on multi-megabyte files (~10 s for the wasm); 5 is within 8% of it
      ? brotli(raw, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: raw.length > 512 * 1024 ? 5 : 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length } })
      : gzip(raw, { level: 9 }));
    p.catch(() => memo.delete(key));
    memo.set(key, p);
  }
  return memo.get(key);
}

export function createServer() {
  return http.createServer(async (req, res) => {
    try {
      const found = await findFile(new URL(req.url, 'http://localhost').pathname);
      if (!found) { res.writeHead(404, { 'content-type': 'text/plain' }); return res.end('not found'); }
      const { file, st } = found;
      const ext = path.extname(file);
      const encoding = COMPRESSIBLE.has(ext) ? pickEncoding(req.headers['accept-encoding']) : null;
      const etag = `"${st.size.toString(36)}-${Math.floor(st.mtimeMs).toString(36)}${encoding ? `-${encoding}` : ''}"`;
      const headers = { 'content-type': TYPES[ext] ?? 'application/octet-stream', 'cache-control': 'no-cache', etag };
      if (COMPRESSIBLE.has(ext)) headers.vary = 'accept-encoding';
      if (req.headers['if-none-match'] === etag) { res.writeHead(304, headers); return res.end(); }
      const body = encoding ? await encoded(file, st, encoding) : await readFile(file);
      if (encoding) headers['content-encoding'] = encoding;
      headers['content-length'] = body.length;
      res.writeHead(200, headers);
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (e) {
      res.writeHead(500, { 'content-type': 'text/plain' }); res.end(String(e));
    }
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const server = createServer();
  const want = Number(process.env.PORT ?? 8787);
  server.on('error', (e) => {
    if (e.code === 'EADDRINUSE') server.listen(0, '127.0.0.1');
    else throw e;
  });
  server.on('listening', () => {
    const { port } = server.address();
    console.log(`unillm demo: http://127.0.0.1:${port}/  (Ctrl-C to stop)`);
  });
  server.listen(want, '127.0.0.1');
}
