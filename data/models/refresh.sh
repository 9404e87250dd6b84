#!/usr/bin/env bash
# Re-vendor LiteLLM's model table from the pinned `litellm` wheel on PyPI and regenerate the Rust
# table. Uses only pip (no other downloads). Usage: data/models/refresh.sh [VERSION]
# (default: the version in data/models/VERSION; a new version argument is written back there).
# To refresh the parity fixture too: python3 data/models/gen_parity.py (needs litellm installed).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
version="${1:-$(cat "$here/VERSION")}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download "litellm==$version" --no-deps --only-binary=:all: -d "$tmp" -q
wheel="$(ls "$tmp"/litellm-*.whl)"
python3 - "$wheel" "$here" "$version" <<'PY'
import sys, zipfile, os
wheel, here, version = sys.argv[1:]
with zipfile.ZipFile(wheel) as z:
    data = z.read("litellm/model_prices_and_context_window_backup.json")
    lic = [n for n in z.namelist() if n.endswith(".dist-info/licenses/LICENSE") or n.endswith(".dist-info/LICENSE")]
    if not lic:
        sys.exit("no LICENSE in the wheel")
    licence = z.read(lic[0])
open(os.path.join(here, "model_prices_and_context_window.json"), "wb").write(data)
open(os.path.join(here, "LICENSE-litellm"), "wb").write(licence)
open(os.path.join(here, "VERSION"), "w").write(version + "\n")
PY
python3 "$here/gen.py"
