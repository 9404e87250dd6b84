// The scenarios in workerd: benches/runtimes.mjs bundles this Worker (`unillm` resolved to the
// package's workerd entry, ./vercel.js a module of its own) and requests
//   /?base=<mock base URL>&options=<options JSON>
// which answers with the result (JSON) once every scenario ran.
import * as unillm from 'unillm';
import { runAll } from './scenarios.mjs';

export default {
  async fetch(request) {
    const q = new URL(request.url).searchParams;
    if (!q.has('base')) return new Response('ready');
    try {
      const options = JSON.parse(q.get('options'));
      return Response.json(await runAll({ unillm, loadVercel: () => import('./vercel.js'), base: q.get('base'), ...options, log: console.log }));
    } catch (e) {
      return Response.json({ error: String(e?.stack ?? e) });
    }
  },
};
