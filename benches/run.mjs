// `npm run bench`: installs the peers measured side by side (benches/package.json, pinned), dumps
// the tokenizer corpus (built from files on this machine, the parity tests' corpus), then runs
// each bench in its own Node process. Output is Markdown; benches/RESULTS.md keeps past runs.
//
//   npm run bench                       # everything
//   npm run bench -- tokenizer          # some of: completion, tokenizer, runtimes
//   npm run bench -- runtimes --quick --runtimes node,deno   # other arguments go to each bench
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, '..');
const run = (cmd, args, opts = {}) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
const BENCHES = ['completion', 'tokenizer', 'runtimes'];
const args = process.argv.slice(2);
const wanted = args.filter((a) => BENCHES.includes(a));
const which = wanted.length ? wanted : BENCHES;
const passed = args.filter((a) => !BENCHES.includes(a));

const installed = ['ai', '@ai-sdk/openai', '@ai-sdk/anthropic', 'gpt-tokenizer', 'tiktoken', 'js-tiktoken']
  .every((p) => existsSync(path.join(here, 'node_modules', p, 'package.json')));
if (!installed) run('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock'], { cwd: here });

if (which.includes('tokenizer') && !existsSync(path.join(here, '.work', 'corpus', 'multilingual.txt'))) {
  run('cargo', ['test', '--release', '--quiet', '--test', 'tokenizer_parity', 'dump_corpus', '--', '--ignored'], { cwd: root });
}
for (const b of which) run(process.execPath, [path.join(here, `${b}.mjs`), ...passed]);
