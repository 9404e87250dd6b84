// The error taxonomy has one source, src/error.rs (`ErrorKind::ALL`): the JS classes and the
// TypeScript declarations of the packed package are generated from it at build time
// (scripts/gen-js.mjs). This checks the three agree: every kind is a class extending its parent,
// with its default status and retryability, and is declared so in index.d.ts; the limit defaults
// likewise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(here, '.work', 'app', 'node_modules', 'unillm', 'dist');
const u = await import(pathToFileURL(path.join(dist, 'node.js')));
const env = { ...process.env };
delete env.RUSTUP_TOOLCHAIN;
const tables = JSON.parse(execFileSync('cargo', ['run', '--quiet', '--example', 'js_tables'], { cwd: path.join(here, '..'), env, encoding: 'utf8' }));

test('every error kind of the core is a JS class with its parent, status and retryability, declared in index.d.ts', () => {
  const dts = readFileSync(path.join(dist, 'index.d.ts'), 'utf8');
  assert.ok(tables.errors.length >= 15);
  for (const k of tables.errors) {
    const Cls = u[k.name];
    assert.equal(typeof Cls, 'function', `${k.name} is exported`);
    assert.equal(Object.getPrototypeOf(Cls), u[k.parent], `${k.name} extends ${k.parent}`);
    const e = u.makeError(k.name, 'm');
    assert.ok(e instanceof Cls && e instanceof u.UnillmError && e instanceof u.APIError, k.name);
    assert.equal(e.kind, k.name);
    assert.equal(e.status, k.status, `${k.name} status`);
    assert.equal(e.retryable, k.retryable, `${k.name} retryable`);
    assert.match(dts, new RegExp(`export declare class ${k.name} extends ${k.parent} \\{\\}`), `${k.name} declared`);
    assert.match(dts, new RegExp(`\\| '${k.name}'`), `${k.name} in the ErrorKind union`);
  }
  // kinds the JS side has beyond the core's: none (aliases only)
  const classes = Object.keys(u).filter((n) => typeof u[n] === 'function' && u[n].prototype instanceof u.UnillmError);
  const aliases = new Set(['APIConnectionTimeoutError']);
  assert.deepEqual(classes.filter((n) => !aliases.has(n)).sort(), tables.errors.map((k) => k.name).sort());
});

test('the limit defaults are the core\'s', () => {
  assert.deepEqual(u.DEFAULT_LIMITS, Object.fromEntries(tables.limits.map((l) => [l.name, l.default])));
  assert.ok(Object.isFrozen(u.DEFAULT_LIMITS));
});
