#!/usr/bin/env bash
# Builds everything and runs every test (unit, JSON-Schema suite, end-to-end). CI runs this.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
ctest --test-dir build --output-on-failure -j"$(nproc)" --timeout 300
