#!/usr/bin/env bash
# clang-format over every tracked C++ file: rewrites them, or with --check only reports (exit 1)
# the files whose layout differs.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ${1:-} == --check ]]; then
  git ls-files '*.cpp' '*.hpp' | xargs clang-format --dry-run --Werror
else
  git ls-files '*.cpp' '*.hpp' | xargs clang-format -i
fi
