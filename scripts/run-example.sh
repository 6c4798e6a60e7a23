#!/usr/bin/env bash
# Builds stratus and runs it on the bundled example service: validate, print, package.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh stratus
example=tests/fixtures/services/example
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
set -x
./build/stratus validate -c "$example/serverless.yml"
./build/stratus print -c "$example/serverless.yml" --stage prod
./build/stratus package -c "$example/serverless.yml" --package "$out"
