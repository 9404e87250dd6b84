#!/usr/bin/env bash
# Runs every test: the native core (cargo test), then the packed npm package in Node, Bun, Deno,
# workerd and headless Chromium against local mock servers, plus a TypeScript check of the types.
set -euo pipefail
cd "$(dirname "$0")/.."
log() { printf '\033[1;34m[test]\033[0m %s\n' "$*" >&2; }
t0=$(date +%s)

bash scripts/setup.sh
bash scripts/build.sh

log "native core: cargo test"
cargo test --quiet 2>&1 | grep -vE '^\s*$|^running [0-9]+ tests?$' || { echo "cargo test failed" >&2; exit 1; }

log "packing the npm package and installing it into an empty project"
work=tests/.work
rm -rf "$work/app" "$work"/unillm-*.tgz
mkdir -p "$work/app"
tarball=$(npm pack --silent --pack-destination "$work" | tail -n 1)
echo '{ "name": "unillm-test-app", "private": true, "type": "module" }' > "$work/app/package.json"
(cd "$work/app" && npm install --silent --no-audit --no-fund --no-package-lock "../$tarball")

log "TypeScript: the public types compile against a usage example"
node_modules/.bin/tsc -p tests/types/tsconfig.json

log "JS tests: node, bun, deno, workerd, chromium"
node --test --test-concurrency=1 tests/*.test.mjs
log "all tests passed in $(( $(date +%s) - t0 )) s"
