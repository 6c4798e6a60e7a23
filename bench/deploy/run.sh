#!/usr/bin/env bash
# bench/deploy/run.sh [path/to/stratus]: `stratus deploy` side by side with `sls deploy` (npm osls,
# which deploys through CloudFormation), both against one local moto_server (AWS_ENDPOINT_URL), on
# the same two-function python service: a first deploy into an empty account and an unchanged
# redeploy, RUNS times each (the median is printed; moto is reset before every first deploy). Prints a
# markdown table of wall-clock seconds and the ratios (sls / stratus). Needs moto_server, node and npm.
#
# Environment: RUNS (default 1), BUDGET_S (per deploy, default 600).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$here/work
# shellcheck source=bench/lib.sh
source "$here/../lib.sh"

stratus=$(realpath "${1:-$bench_root/../build/stratus}")
[[ -x $stratus ]] || die "no stratus binary at $stratus (build it, or pass its path)"
command -v moto_server >/dev/null || die "needs moto_server (pip install 'moto[server]')"
runs=${RUNS:-1}
budget=${BUDGET_S:-600}
install_peers "$bench_root/invoke/work/peers"

service=$work/service
rm -rf "$service"
mkdir -p "$service"
cat >"$service/serverless.yml" <<'YML'
service: benchdeploy
provider:
  name: aws
  runtime: python3.12
  region: us-east-1
  stage: dev
  memorySize: 256
  environment:
    GREETING: hello
functions:
  one:
    handler: handler.one
  two:
    handler: handler.two
    timeout: 10
YML
printf 'import os\ndef one(event, context):\n    return os.environ["GREETING"]\ndef two(event, context):\n    return 2\n' \
  >"$service/handler.py"

port=$(free_port)
start_server moto "moto_server -H 127.0.0.1 -p $port" "$work" "$port" $((budget * runs * 4 + 120))
export AWS_ENDPOINT_URL=http://127.0.0.1:$port AWS_DEFAULT_REGION=us-east-1

reset_moto() { "$real_python" -c 'import sys, urllib.request; urllib.request.urlopen(urllib.request.Request(sys.argv[1] + "/moto-api/reset", method="POST")).read()' "$AWS_ENDPOINT_URL"; }

# deployed_functions: how many of the service's functions moto holds.
deployed_functions() {
  "$real_python" - <<'PY'
import boto3
names = {f["FunctionName"] for f in boto3.client("lambda").list_functions()["Functions"]}
print(len(names & {"benchdeploy-dev-one", "benchdeploy-dev-two"}))
PY
}

# timed NAME CMD...: runs CMD in the service folder (output to $work/NAME.log), prints seconds.
timed() {
  local name=$1
  shift
  local t0=$EPOCHREALTIME
  if ! (cd "$service" && timeout -k 5 "$budget" "$@") >"$work/$name.log" 2>&1; then
    tail -20 "$work/$name.log" >&2
    die "$name failed (log: $work/$name.log)"
  fi
  "$real_python" -c 'import sys; print("%.2f" % (float(sys.argv[2]) - float(sys.argv[1])))' "$t0" "$EPOCHREALTIME"
}

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

declare -A first unchanged
for tool in sls stratus; do
  if [[ $tool == sls ]]; then cmd=("$real_node" "$sls" deploy); else cmd=("$stratus" deploy); fi
  f=() u=()
  for r in $(seq "$runs"); do
    reset_moto
    rm -rf "$service/.serverless" "$service/.stratus"
    say "$tool: first deploy ($r/$runs)"
    f+=("$(timed "$tool-first-$r" "${cmd[@]}")")
    [[ $(deployed_functions) == 2 ]] || die "$tool deployed $(deployed_functions) of the 2 functions"
    say "$tool: unchanged deploy ($r/$runs)"
    u+=("$(timed "$tool-unchanged-$r" "${cmd[@]}")")
  done
  first[$tool]=$(median "${f[@]}")
  unchanged[$tool]=$(median "${u[@]}")
done
grep -qi 'no changes' "$work/stratus-unchanged-1.log" || die "stratus's unchanged deploy did not say 'no changes'"

ratio() { "$real_python" -c 'import sys; print("%.1f" % (float(sys.argv[1]) / max(float(sys.argv[2]), 0.001)))' "$1" "$2"; }
echo "Deploy of a two-function python service to moto_server (moto $("$real_python" -c "import moto; print(moto.__version__)")) on $(nproc) cores; median of $runs run(s); seconds, wall clock"
echo
echo "| deploy | sls deploy (osls $osls_version, CloudFormation) | stratus deploy | ratio |"
echo "|---|---|---|---|"
echo "| first, into an empty account | ${first[sls]} | ${first[stratus]} | $(ratio "${first[sls]}" "${first[stratus]}")× |"
echo "| unchanged | ${unchanged[sls]} | ${unchanged[stratus]} | $(ratio "${unchanged[sls]}" "${unchanged[stratus]}")× |"
