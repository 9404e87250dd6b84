// `npm start`: serves www/ (and the built package under /dist/) on 127.0.0.1 and prints the URL.
// Everything runs in the visitor's tab; this server only hands out static files.
import http from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.wasm': 'application/wasm', '.json': 'application/json', '.svg': 'image/svg+xml',
  '.ts': 'text/plain; charset=utf-8', '.png': 'image/png', '.ico': 'image/x-icon',
};

function resolvePath(urlPath) {
  const p = decodeURIComponent(urlPath);
  const [base, rel] = p.startsWith('/dist/') ? [path.join(root, 'dist'), p.slice(6)] : [path.join(root, 'www'), p.slice(1) || 'index.html'];
  const full = path.resolve(base, rel);
  return full.startsWith(base + path.sep) || full === base ? full : null;
}

export function createServer() {
  return http.createServer(async (req, res) => {
    try {
      let file = resolvePath(new URL(req.url, 'http://localhost').pathname);
      if (file && (await stat(file).catch(() => null))?.isDirectory()) file = path.join(file, 'index.html');
      const body = file && (await readFile(file).catch(() => null));
      if (!body) { res.writeHead(404, { 'content-type': 'text/plain' }); return res.end('not found'); }
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
      res.end(body);
    } catch (e) {
      res.writeHead(500); res.end(String(e));
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
