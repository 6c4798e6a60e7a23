#!/usr/bin/env bash
# Configures and builds stratus (and its tests) into ./build. Warnings are errors.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSTRATUS_WERROR=ON >/dev/null
ninja -C build -j"$(nproc)" "$@"
