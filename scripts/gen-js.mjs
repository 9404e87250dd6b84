// Writes the parts of the JS layer that are facts of the Rust core, at build time: the error
// classes (src/error.rs, `ErrorKind::ALL`) and the call limits with their defaults
// (src/limits.rs, `limits::TABLE`), from the JSON `cargo run --example js_tables` prints.
//
//   node scripts/gen-js.mjs <tables.json> <out-dir>
//
// Each template in js/ holds `// @generated <name>` lines; each is replaced by its block in
// <out-dir>/<file>. The templates stay valid JS/TS without the blocks only in name: dist/ is
// what runs and ships.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const [tablesFile, outDir] = process.argv.slice(2);
const { errors, limits, options } = JSON.parse(readFileSync(tablesFile, 'utf8'));
const names = new Set(['UnillmError', ...errors.map((e) => e.name)]);
for (const e of errors) {
  if (!/^[A-Za-z]+$/.test(e.name) || !names.has(e.parent)) throw new Error(`gen-js: bad error kind ${JSON.stringify(e)}`);
}
const doc = (text, indent = '') => `${indent}/** ${text.replace(/\*\//g, '*\\/')} */`;

const blocks = {
  'error-classes.js': [
    ...errors.map((e) => `${doc(e.doc)}\nexport class ${e.name} extends ${e.parent} {}`),
    `const CLASSES = { ${errors.map((e) => e.name).join(', ')} };`,
    `const DEFAULT_STATUS = { ${errors.map((e) => `${e.name}: ${e.status}`).join(', ')} };`,
    `const RETRYABLE = new Set(${JSON.stringify(errors.filter((e) => e.retryable).map((e) => e.name))});`,
  ].join('\n'),
  'options.js': [
    '/** Every call option name, alias included: [the option, seconds to convert to milliseconds]. */',
    `const OPTIONS = new Map([${options.flatMap((o) => [[o.name, false], ...o.aliases].map(([n, s]) => `['${n}', ['${o.name}', ${s}]]`)).join(', ')}]);`,
  ].join('\n'),
  'options.d.ts': [
    "/** LiteLLM's and the `openai` package's names for the call options (LiteLLM's units). */",
    'export interface CallOptionAliases {',
    ...options.flatMap((o) => o.aliases.map(([n, s]) => `  /** Alias of \`${o.name}\`${s ? ' in seconds' : ''}. */\n  ${n}?: ${o.ts};`)),
    '}',
  ].join('\n'),
  'limits.js': `export const DEFAULT_LIMITS = Object.freeze({ ${limits.map((l) => `${l.name}: ${l.default}`).join(', ')} });`,
  'error-classes.d.ts': [
    `export type ErrorKind =\n${errors.map((e) => `  | '${e.name}'`).join('\n')};`,
    ...errors.map((e) => `${doc(e.doc)}\nexport declare class ${e.name} extends ${e.parent} {}`),
  ].join('\n'),
  'limits.d.ts': [
    '/** Bounds on what a call reads from the provider (bytes, or a count); each is enforced while reading. */',
    'export interface Limits {',
    ...limits.map((l) => `${doc(`${l.doc[0].toUpperCase()}${l.doc.slice(1)}. Default ${l.default}${l.name.endsWith('Bytes') ? ` (${l.default / 1048576} MiB)` : ''}.`, '  ')}\n  ${l.name}?: number;`),
    '}',
    '/** The default limits. */',
    'export declare const DEFAULT_LIMITS: Readonly<Required<Limits>>;',
  ].join('\n'),
};

// docs/options.md: the table, generated too (tests/taxonomy.test.mjs checks it is current)
const docs = [
  '# Call options',
  '',
  'Generated from `src/options.rs` by `scripts/gen-js.mjs` (do not edit). Every name below is a call',
  'option, never part of the request body sent to a provider; any other extra field of the params',
  'passes through to the provider as documented. camelCase names are in unillm\'s units',
  '(milliseconds); LiteLLM\'s snake_case keys keep LiteLLM\'s (seconds for `request_timeout`). One',
  'setting given under two names in one call is a `BadRequestError`.',
  '',
  '| option | aliases | what |',
  '| --- | --- | --- |',
  ...options.map((o) => `| \`${o.name}\` | ${o.aliases.map(([n, s]) => `\`${n}\`${s ? ' (seconds)' : ''}`).join(', ') || '—'} | ${o.doc} |`),
  '',
].join('\n');
writeFileSync(path.join(outDir, 'options.md'), docs);

for (const file of ['errors.js', 'api.js', 'index.d.ts']) {
  const src = readFileSync(path.join(root, 'js', file), 'utf8');
  let used = 0;
  const out = src.replace(/^\/\/ @generated (\S+)$/gm, (_, name) => {
    if (!(name in blocks)) throw new Error(`gen-js: js/${file} asks for an unknown block ${name}`);
    used++;
    return `// generated from the Rust core by scripts/gen-js.mjs (${name})\n${blocks[name]}`;
  });
  writeFileSync(path.join(outDir, file), out);
  if (file !== 'api.js' && used === 0) throw new Error(`gen-js: js/${file} has no @generated line`);
}
