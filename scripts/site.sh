#!/usr/bin/env bash
# Copies the built package into www/unillm/ (with precompressed .br/.gz siblings) so that www/ is a
# self-contained static site. Meant to be called at the end of scripts/build.sh:
#   bash scripts/site.sh
set -euo pipefail
cd "$(dirname "$0")/.."
node scripts/site.mjs "$@"
