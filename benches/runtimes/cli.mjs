// The scenarios in Node, Bun or Deno, as benches/runtimes.mjs starts them:
//   <runtime> cli.mjs <unillm entry (file URL)> <mock base URL> <options JSON>
// Progress goes to stderr, the result (JSON) to stdout.
import { runAll } from './scenarios.mjs';

const [entry, base, options] = globalThis.Deno ? Deno.args : process.argv.slice(2);
const unillm = await import(entry);
const result = await runAll({ unillm, loadVercel: () => import('./vercel.mjs'), base, ...JSON.parse(options), log: (m) => console.error(m) });
console.log(JSON.stringify(result));
process.exit(0); // keep-alive sockets must not hold the process
