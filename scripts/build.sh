#!/usr/bin/env bash
# Builds the npm package into dist/: the wasm (release, LTO), wasm-bindgen's glue (--target web,
# which every runtime can load: initSync for Node/workerd, async init for browsers/Deno), the
# hand-written JS entry points and the TypeScript types. Incremental: a no-op build takes < 1 s.
set -euo pipefail
cd "$(dirname "$0")/.."
export RUSTUP_TOOLCHAIN=unillm-wasm
log() { printf '\033[1;34m[build]\033[0m %s\n' "$*" >&2; }

profile=release
[ "${UNILLM_FAST:-0}" = 1 ] && profile=wasm-fast
cargo build --quiet --profile "$profile" --target wasm32-unknown-unknown
raw=target/wasm32-unknown-unknown/$profile/unillm.wasm
mkdir -p dist target/pkg

# wasm-bindgen + wasm-opt only when the compiled module changed
sum=$(sha256sum "$raw" | cut -c1-32)
if [ "$(cat target/pkg/.stamp 2>/dev/null)" != "$sum" ] || [ ! -f dist/unillm_bg.wasm ]; then
  log "wasm-bindgen"
  wasm-bindgen --target web --weak-refs --out-dir target/pkg --out-name unillm "$raw"
  if [ "${UNILLM_WASM_OPT:-1}" = 1 ] && [ "$profile" = release ]; then
    log "wasm-opt -O3"
    # binaryen from npm (Debian's v108 produces modules that fail to load); -O3 for speed,
    # the size is already small after LTO
    node_modules/.bin/wasm-opt -O3 --strip-debug --strip-producers --enable-bulk-memory --enable-nontrapping-float-to-int \
      --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
      target/pkg/unillm_bg.wasm -o target/pkg/unillm_bg.opt.wasm
    mv target/pkg/unillm_bg.opt.wasm target/pkg/unillm_bg.wasm
  fi
  cp target/pkg/unillm.js target/pkg/unillm_bg.wasm dist/
  cp target/pkg/unillm.d.ts dist/unillm-glue.d.ts
  echo "$sum" > target/pkg/.stamp
fi
# the hand-written layer: entry points per runtime, the API, the types
cp js/*.js js/*.d.ts dist/
size=$(stat -c %s dist/unillm_bg.wasm); gz=$(gzip -9 -c dist/unillm_bg.wasm | wc -c)
log "dist/unillm_bg.wasm: $size bytes, $gz gzip -9"
# www/ as a self-contained static site: the package copied into www/unillm/ with .br/.gz siblings
bash scripts/site.sh
