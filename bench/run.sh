#!/usr/bin/env bash
# Runs Oxfolio and its Python peers on the same files and prints time ratios.
# Usage: bench/run.sh            (creates bench/.venv with pandas, empyrical-reloaded, quantstats)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x bench/.venv/bin/python ]; then
  python3 -m venv bench/.venv
  bench/.venv/bin/pip install -q pandas numpy scipy empyrical-reloaded quantstats vollib
fi
cargo build --release -q -p oxfolio
bench/.venv/bin/python bench/compare.py target/release/oxfolio
bench/.venv/bin/python bench/options.py target/release/oxfolio
