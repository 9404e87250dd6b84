#!/usr/bin/env bash
# Installs everything unillm needs to build and test, idempotently.
#
#   - Debian packages: rustc-web/cargo-web/rust-web-src (a rustc whose std sources we can build for
#     wasm32), lld-22 (the wasm linker), chromium + chromium-driver (browser tests)
#   - a private wasm32 sysroot built from Debian's std sources, linked into rustup as `unillm-wasm`
#     (rustup's own wasm32 target downloads are not reachable here; see docs/toolchain.md)
#   - wasm-bindgen-cli at exactly the version pinned in Cargo.toml
#   - npm dev dependencies (deno, workerd, bun, playwright-core, esbuild, ...)
#
# A second run on a machine that already has everything finishes in a few seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*" >&2; }

CACHE=${UNILLM_CACHE:-$HOME/.cache/unillm}
TC=$CACHE/wasm-toolchain
TC_NAME=unillm-wasm
mkdir -p "$CACHE"

# ---------------------------------------------------------------------------------------------
# 1. Debian packages
# rust-web-llvm provides /usr/bin/rust-lld (the wasm linker rustc looks for); it is only a
# Recommends of rustc-web, so --no-install-recommends would skip it.
apt_pkgs=(rustc-web cargo-web rust-web-src rust-web-llvm lld-22 chromium chromium-driver)
missing=()
for p in "${apt_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# ---------------------------------------------------------------------------------------------
# 2. wasm32 sysroot built from Debian's std sources, stamped with the compiler version
stamp_want="$(/usr/bin/rustc -vV | tr '\n' ' ')"
stamp_have="$(cat "$TC/.stamp" 2>/dev/null || true)"
if [ "$stamp_want" != "$stamp_have" ] || [ ! -x "$TC/bin/rustc" ]; then
  log "building the wasm32 std sysroot (a few minutes, once per compiler version)"
  work=$CACHE/sysroot-build
  rm -rf "$work" "$TC"
  mkdir -p "$work/src"
  cat > "$work/Cargo.toml" <<'EOF'
[package]
name = "sysroot-probe"
version = "0.0.0"
edition = "2021"
[lib]
path = "src/lib.rs"
[profile.release]
panic = "abort"
EOF
  echo '#![no_std]' > "$work/src/lib.rs"
  (cd "$work" && RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 RUSTFLAGS=-Cembed-bitcode=yes \
     CARGO_TARGET_DIR="$work/target" \
     /usr/bin/cargo build -q --release --target wasm32-unknown-unknown \
       -Zbuild-std=std,panic_abort,panic_unwind,test)
  lib=$TC/lib/rustlib/wasm32-unknown-unknown/lib
  mkdir -p "$lib" "$TC/bin"
  find "$work/target/wasm32-unknown-unknown/release/deps" -name '*.rlib' ! -name 'libsysroot_probe*' -exec cp {} "$lib/" \;
  for d in x86_64-unknown-linux-gnu src etc; do ln -sfn "/usr/lib/rustlib/$d" "$TC/lib/rustlib/$d"; done
  printf '#!/bin/sh\nexec /usr/bin/rustc --sysroot "%s" "$@"\n' "$TC" > "$TC/bin/rustc"
  chmod +x "$TC/bin/rustc"
  ln -sfn /usr/bin/cargo "$TC/bin/cargo"
  ln -sfn /usr/bin/rustdoc "$TC/bin/rustdoc"
  echo "$stamp_want" > "$TC/.stamp"
  rm -rf "$work"
fi
if ! rustup toolchain list 2>/dev/null | grep -q "^$TC_NAME"; then
  rustup toolchain link "$TC_NAME" "$TC"
fi

# ---------------------------------------------------------------------------------------------
# 3. wasm-bindgen-cli at the exact version the crate pins
wb_version=$(sed -n 's/^wasm-bindgen *= *{ *version *= *"=\([0-9.]*\)".*/\1/p; s/^wasm-bindgen *= *"=\([0-9.]*\)".*/\1/p' Cargo.toml | head -n1)
[ -n "$wb_version" ] || { echo "could not read the pinned wasm-bindgen version from Cargo.toml" >&2; exit 1; }
have_wb=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have_wb" != "$wb_version" ]; then
  log "installing wasm-bindgen-cli $wb_version (about 3 minutes)"
  # no --locked: one dependency locked by that release is no longer in the registry
  cargo install -q wasm-bindgen-cli --version "$wb_version" --force
fi

# ---------------------------------------------------------------------------------------------
# 4. npm dev dependencies (runtimes and test drivers are npm packages too)
lock_sum=$(sha256sum package.json package-lock.json 2>/dev/null | sha256sum | cut -c1-16)
if [ ! -d node_modules ] || [ "$(cat node_modules/.unillm-stamp 2>/dev/null)" != "$lock_sum" ]; then
  log "installing npm dev dependencies"
  # `npm ci` rejects lockfiles that omit other platforms' optional binaries (deno, workerd);
  # `npm install` still installs exactly the locked versions.
  npm install --no-audit --no-fund --loglevel=error
  echo "$lock_sum" > node_modules/.unillm-stamp
fi

# Every runtime the tests use must really be there: a missing one is a failure, not a skip.
for bin in deno workerd bun; do
  [ -x "node_modules/.bin/$bin" ] || { echo "setup: node_modules/.bin/$bin is missing" >&2; exit 1; }
done
[ -x /usr/bin/chromium ] || { echo "setup: /usr/bin/chromium is missing" >&2; exit 1; }
log "toolchain ready"
