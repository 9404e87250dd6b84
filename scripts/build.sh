#!/usr/bin/env bash
# Builds the npm package into dist/: two wasm modules (release, LTO) from this crate, the core
# (`unillm_bg.wasm`) and the tokenizer alone (`unillm_tokens_bg.wasm`, feature `tokens-only`;
# see src/lib.rs for why), wasm-bindgen's glue for each (--target web, which every runtime can
# load: initSync for Node/workerd, async init for browsers/Deno), the hand-written JS entry points
# and the TypeScript types. Incremental: a no-op build takes < 1 s.
set -euo pipefail
cd "$(dirname "$0")/.."
export RUSTUP_TOOLCHAIN=unillm-wasm
log() { printf '\033[1;34m[build]\033[0m %s\n' "$*" >&2; }

profile=release
[ "${UNILLM_FAST:-0}" = 1 ] && profile=wasm-fast
mkdir -p dist target/pkg

# build <name> [cargo args...]: cargo, then wasm-bindgen + wasm-opt only when the module changed
build() {
  local name=$1; shift
  cargo build --quiet --profile "$profile" --target wasm32-unknown-unknown "$@"
  local raw=target/wasm32-unknown-unknown/$profile/unillm.wasm
  # the glue patch is part of the output: a change to it rebuilds too
  local sum; sum=$(cat "$raw" scripts/patch-glue.mjs | sha256sum | cut -c1-32)
  if [ "$(cat "target/pkg/.stamp-$name" 2>/dev/null)" = "$sum" ] && [ -f "dist/${name}_bg.wasm" ]; then return; fi
  log "wasm-bindgen $name"
  wasm-bindgen --target web --weak-refs --out-dir target/pkg --out-name "$name" "$raw"
  node scripts/patch-glue.mjs "target/pkg/$name.js"
  if [ "${UNILLM_WASM_OPT:-1}" = 1 ] && [ "$profile" = release ]; then
    log "wasm-opt -O3 $name"
    # binaryen from npm (Debian's v108 produces modules that fail to load); -O3 for speed
    node_modules/.bin/wasm-opt -O3 --strip-debug --strip-producers --enable-bulk-memory --enable-nontrapping-float-to-int \
      --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
      "target/pkg/${name}_bg.wasm" -o "target/pkg/${name}_bg.opt.wasm"
    mv "target/pkg/${name}_bg.opt.wasm" "target/pkg/${name}_bg.wasm"
  fi
  if [ "$name" = unillm ]; then
    # The core may be instantiated on first use (js/node.js): `initLazy(load)` makes the glue's
    # `wasm` a stand-in whose first property read instantiates `load()`'s module and hands back
    # the real export; from then on `wasm` is the instance's exports, so calls pay nothing.
    grep -q '^let wasmModule, wasmInstance, wasm;$' target/pkg/unillm.js && grep -q '^function initSync(module) {$' target/pkg/unillm.js \
      || { echo "build.sh: wasm-bindgen's glue changed shape; review initLazy" >&2; exit 1; }
    cat >> target/pkg/unillm.js <<'JS'

// Appended by scripts/build.sh: instantiate on first use.
export function initLazy(load) {
    if (wasm !== undefined) return;
    const standIn = new Proxy({}, { get(_, key) {
        wasm = undefined;
        try { initSync(load()); } catch (e) { wasm = standIn; throw e; }
        return wasm[key];
    } });
    wasm = standIn;
}
JS
    cp target/pkg/unillm.d.ts dist/unillm-glue.d.ts
  fi
  cp "target/pkg/$name.js" "target/pkg/${name}_bg.wasm" dist/
  echo "$sum" > "target/pkg/.stamp-$name"
}
build unillm_tokens --features tokens-only
build unillm

# the hand-written layer: entry points per runtime, the API, the types; the error classes and the
# limits in errors.js, api.js and index.d.ts are generated from the core's tables (scripts/gen-js.mjs)
# with the toolchain `cargo test` uses, so the native build is shared with it
env -u RUSTUP_TOOLCHAIN cargo run --quiet --example js_tables > target/pkg/js-tables.json
cp js/*.js js/*.d.ts dist/
node scripts/gen-js.mjs target/pkg/js-tables.json dist
mv dist/options.md target/pkg/options.md  # docs/options.md must equal it (tests/taxonomy.test.mjs)
for name in unillm unillm_tokens; do
  log "dist/${name}_bg.wasm: $(stat -c %s "dist/${name}_bg.wasm") bytes, $(gzip -9 -c "dist/${name}_bg.wasm" | wc -c) gzip -9"
done
log "both: $(cat dist/unillm_bg.wasm | gzip -9 | wc -c | { read a; echo $(( a + $(gzip -9 -c dist/unillm_tokens_bg.wasm | wc -c) )); }) gzip -9 (each file compressed alone)"
# www/ as a self-contained static site: the package copied into www/unillm/ with .br/.gz siblings
bash scripts/site.sh
