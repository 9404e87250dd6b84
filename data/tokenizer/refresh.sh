#!/usr/bin/env bash
# Regenerate data/tokenizer/*.bin from registry crates (tiktoken-rs: rank files; regex-syntax:
# Unicode tables). The versions are the ones Cargo.lock pins for the dev-dependency tiktoken-rs.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo fetch --quiet
meta=$(cargo metadata --format-version 1 --quiet)
dir_of() { python3 -c 'import json,sys,os; m=json.load(sys.stdin); print([os.path.dirname(p["manifest_path"]) for p in m["packages"] if p["name"]==sys.argv[1]][0])' "$1" <<<"$meta"; }
python3 data/tokenizer/generate.py --tiktoken-rs "$(dir_of tiktoken-rs)" --regex-syntax "$(dir_of regex-syntax)"
