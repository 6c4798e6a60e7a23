#!/usr/bin/env bash
# Installs the npm package aws-lambda-ric (AWS's Node.js Runtime API client) for the fixture
# tests/fixtures/functions/ric-node into a cache folder outside the clone, and prints that folder
# (it holds node_modules/). Idempotent: a second run with the same package.json/lock prints the
# path at once. The native build (bundled curl + aws-lambda-cpp) takes minutes, hence the cache.
#
#   scripts/ric-fixture.sh            -> prints e.g. /root/.cache/stratus/ric-node/3.3.0-1a2b3c4d
#   scripts/ric-fixture.sh --check    -> also runs the fixture's bootstrap against
#                                        tests/support/runtime_api_stub.py (index.handler twice,
#                                        index.fails once) and fails unless all three are answered
#
# The fixture's bootstrap finds the client in $LAMBDA_TASK_ROOT/node_modules or in
# $STRATUS_RIC_NODE/node_modules: set STRATUS_RIC_NODE to the printed folder (or symlink its
# node_modules into a copy of the fixture).
#
# Needs node >= 18 and npm, plus the build tools: cmake, make, g++, unzip, python3 and
# (Debian) `apt-get install -y autoconf automake libtool`. Environment: STRATUS_CACHE
# (default $HOME/.cache/stratus).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
fixture=$root/tests/fixtures/functions/ric-node
die() { echo "ric-fixture.sh: $*" >&2; exit 2; }
check=0
if [[ ${1:-} == --check ]]; then
  check=1
  shift
fi

# check_fixture DIR: the bootstrap, driven by a stub Runtime API, answers every event.
check_fixture() {
  local stub=$root/tests/support/runtime_api_stub.py
  STRATUS_RIC_NODE=$1 python3 "$stub" --handler index.handler --timeout-s 20 \
    --events '[{"hello": "world"}, {"n": 2}]' -- "$fixture/bootstrap" >&2 || die "index.handler: the check failed"
  STRATUS_RIC_NODE=$1 python3 "$stub" --handler index.fails --timeout-s 20 \
    --events '[{"boom": true}]' -- "$fixture/bootstrap" >&2 || die "index.fails: the check failed"
}

command -v npm >/dev/null || die "needs node and npm"
for tool in autoreconf automake libtoolize cmake make g++ unzip; do
  command -v "$tool" >/dev/null ||
    die "needs $tool to build aws-lambda-ric (Debian: apt-get install -y autoconf automake libtool cmake make g++ unzip)"
done

version=$(node -p 'require(process.argv[1]).dependencies["aws-lambda-ric"]' "$fixture/package.json")
inputs=("$fixture/package.json")
[[ -f $fixture/package-lock.json ]] && inputs+=("$fixture/package-lock.json")
key=$(cat "${inputs[@]}" | sha256sum | cut -c1-8)
dest=${STRATUS_CACHE:-$HOME/.cache/stratus}/ric-node/$version-$key
if [[ -f $dest/.complete ]]; then
  ((check)) && check_fixture "$dest"
  echo "$dest"
  exit 0
fi

# Build in a scratch folder beside the destination and rename it into place, so an interrupted
# build never looks complete.
mkdir -p "$(dirname "$dest")"
scratch=$(mktemp -d "$dest.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
cp "$fixture/package.json" "$scratch/"
[[ -f $fixture/package-lock.json ]] && cp "$fixture/package-lock.json" "$scratch/"
echo "building aws-lambda-ric $version into $dest (takes several minutes) ..." >&2
start=$(date +%s)
(
  cd "$scratch"
  # npm 11 runs a dependency's install scripts only when package.json allows them (allowScripts
  # above); the native addon is built by those scripts.
  if [[ -f package-lock.json ]]; then
    npm ci --no-audit --no-fund --loglevel=error
  else
    npm install --no-audit --no-fund --loglevel=error
  fi
) >&2
[[ -f $scratch/node_modules/aws-lambda-ric/bin/index.mjs ]] || die "npm finished but aws-lambda-ric/bin/index.mjs is missing"
ls "$scratch"/node_modules/aws-lambda-ric/build/Release/*.node >/dev/null 2>&1 ||
  ls "$scratch"/node_modules/aws-lambda-ric/dist/*.node >/dev/null 2>&1 ||
  die "npm finished but the native addon (rapid-client.node) was not built"
touch "$scratch/.complete"
rm -rf "$dest"
mv "$scratch" "$dest"
trap - EXIT
echo "built in $(($(date +%s) - start)) s" >&2
((check)) && check_fixture "$dest"
echo "$dest"
