#!/usr/bin/env bash
# The long fuzz run: every target of tests/fuzz.rs for <seconds> (default 120) each, optimised
# but with overflow checks and debug assertions on (an overflow is a panic, as in the short run),
# seeded by the clock. Adds the figures to benches/fuzz-ledger.json; failing inputs land in
# tests/fuzz-corpus/<target>/crash-*. Extra arguments go to the test binary; targets can be
# picked with UNILLM_FUZZ_TARGETS=sse,request.
set -euo pipefail
cd "$(dirname "$0")/.."
export UNILLM_FUZZ_SECONDS="${1:-120}"
shift || true
export CARGO_PROFILE_RELEASE_OVERFLOW_CHECKS=true CARGO_PROFILE_RELEASE_DEBUG_ASSERTIONS=true
# LTO buys the test binary nothing and costs minutes of linking
export CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16
exec nice -n 10 cargo test --release --test fuzz -- --nocapture --test-threads 1 "$@"
