#!/usr/bin/env bash
# Installs pinned npm packages that tests drive as real clients (e.g. @aws-sdk/client-sqs) into a
# cache folder outside the clone, and prints the node_modules folder to put on NODE_PATH.
# Idempotent: a second run with the same packages prints the path at once.
#
#   scripts/npm-fixture.sh @aws-sdk/client-sqs@3.936.0 [more@versions...]
#
# Environment: STRATUS_CACHE (default $HOME/.cache/stratus). Needs node and npm.
set -euo pipefail
die() { echo "npm-fixture.sh: $*" >&2; exit 2; }
(($# > 0)) || die "usage: scripts/npm-fixture.sh PACKAGE@VERSION..."
command -v npm >/dev/null || die "needs node and npm"
for spec in "$@"; do
  [[ $spec =~ ^(@[a-z0-9._-]+/)?[a-z0-9._-]+@[0-9][0-9A-Za-z.+-]*$ ]] || die "'$spec' is not PACKAGE@EXACT_VERSION"
done
key=$(printf '%s\n' "$@" | sha256sum | cut -c1-16)
dir=${STRATUS_CACHE:-$HOME/.cache/stratus}/npm/$key
if [[ ! -f $dir/.done ]]; then
  rm -rf "$dir.tmp"
  mkdir -p "$dir.tmp"
  echo '{"private": true}' >"$dir.tmp/package.json"
  (cd "$dir.tmp" && npm install --silent --no-audit --no-fund --save-exact "$@" >&2) || die "npm install $* failed"
  touch "$dir.tmp/.done"
  rm -rf "$dir"
  mv "$dir.tmp" "$dir"  # a half-done install is never taken for a finished one
fi
echo "$dir/node_modules"
