#!/usr/bin/env bash
# Packaging benchmark: `stratus package` (a fresh run, and an incremental run with nothing
# changed) against Info-ZIP `zip -qrX` on the same two generated services, plus the start-up
# time of `stratus --version`. Medians of RUNS repetitions; the ratio stratus/zip should be <= 1.
#
#   bench/package/run.sh [--with-sls] [path/to/stratus]   (default: ./build/stratus; nothing is built here)
#
# --with-sls also times the Serverless Framework v3 line (`osls`, installed once with npm under
# bench/package/work/peers) packaging the node_modules service and printing its version, side by
# side in the same run. Environment: RUNS (default 7). The services are generated once under bench/package/work/
# (gitignored) by generate.py, byte-identical every time, and regenerated when it changes.
# Uses hyperfine when installed, else a loop timed with date +%s%N.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
with_sls=0
if [[ ${1:-} == --with-sls ]]; then
  with_sls=1
  shift
fi
stratus=$(realpath "${1:-$root/build/stratus}")
runs=${RUNS:-7}
work=$here/work

die() { echo "run.sh: $*" >&2; exit 2; }
[[ -x $stratus ]] || die "no stratus binary at $stratus (build it first: ninja -C build stratus)"
command -v zip >/dev/null || die "needs Info-ZIP zip (apt-get install zip)"
command -v python3 >/dev/null || die "needs python3 (to generate the services and read timings)"

# --- the services -------------------------------------------------------------------------
stamp=$work/.generated-$(sha256sum "$here/generate.py" | cut -c1-16)
if [[ ! -f $stamp ]]; then
  echo "generating services under $work ..." >&2
  rm -rf "$work"
  mkdir -p "$work"
  python3 "$here/generate.py" "$work"
  touch "$stamp"
fi

# --- timing -------------------------------------------------------------------------------
have_hyperfine=0
command -v hyperfine >/dev/null && have_hyperfine=1

# median_seconds PREPARE COMMAND: runs COMMAND (in the current folder) RUNS times after one
# warm-up, PREPARE before each, and prints the median wall time in seconds.
median_seconds() {
  local prepare=$1 cmd=$2
  if ((have_hyperfine)); then
    local json
    json=$(mktemp)
    local args=(--style none --warmup 1 --runs "$runs" --export-json "$json")
    [[ -n $prepare ]] && args+=(--prepare "$prepare")
    # hyperfine's outlier warnings are noise here; its errors are not.
    hyperfine "${args[@]}" "$cmd" >/dev/null 2>"$json.err" || { cat "$json.err" >&2; exit 1; }
    rm -f "$json.err"
    python3 -c 'import json,sys; print("%.4f" % json.load(open(sys.argv[1]))["results"][0]["median"])' "$json"
    rm -f "$json"
  else
    local times=() i start end
    for ((i = 0; i <= runs; i++)); do
      [[ -n $prepare ]] && sh -c "$prepare"
      start=$(date +%s%N)
      sh -c "$cmd" >/dev/null 2>&1
      end=$(date +%s%N)
      ((i > 0)) && times+=($((end - start)))
    done
    printf '%s\n' "${times[@]}" | sort -n | python3 -c 'import sys; t=[int(x) for x in sys.stdin]; print("%.4f" % (t[len(t)//2]/1e9))'
  fi
}

ratio() { python3 -c "import sys; print('%.2f' % (float(sys.argv[1]) / float(sys.argv[2])))" "$1" "$2"; }

zip_out=$work/zip-out.zip
printf 'stratus package vs zip -qrX  (%s, %s runs each, medians; %s cores, load %s)\n' \
  "$("$stratus" --version)" "$runs" "$(nproc)" "$(cut -d' ' -f1 /proc/loadavg)"
printf '%-10s %6s %7s | %13s %13s %9s | %9s | %11s %9s\n' \
  tree files MB "stratus fresh" "no change" "zip -qrX" "fresh/zip" "stratus MB" "zip MB"

for tree in svc-node svc-mixed; do
  cd "$work/$tree"
  rm -rf .serverless .stratus  # left by earlier versions of this script or by hand
  files=$(find . -type f | wc -l)
  mb=$(find . -type f -printf '%s\n' | awk '{s += $1} END {printf "%.1f", s / 1e6}')

  # Artifacts go outside the service, as zip's do, so neither run sees the other's output.
  out=$work/out-$tree
  fresh=$(median_seconds "rm -rf $out" "$stratus package --package $out")
  "$stratus" package --package "$out" >/dev/null 2>&1  # the state the no-change runs start from
  again=$(median_seconds "" "$stratus package --package $out")
  zipped=$(median_seconds "rm -f $zip_out" "zip -qrX $zip_out .")

  artifact=$(ls "$out"/*.zip)
  unzip -tq "$artifact" >/dev/null || die "$artifact does not test as a valid zip"
  zip_mb=$(stat -c %s "$zip_out" | awk '{printf "%.2f", $1 / 1e6}')
  our_mb=$(stat -c %s "$artifact" | awk '{printf "%.2f", $1 / 1e6}')
  printf '%-10s %6s %7s | %11ss %11ss %7ss | %9s | %11s %9s\n' \
    "$tree" "$files" "$mb" "$fresh" "$again" "$zipped" "$(ratio "$fresh" "$zipped")" "$our_mb" "$zip_mb"
done

cd "$work"
if ((have_hyperfine)) && hyperfine --help | grep -q -- '--shell'; then
  json=$(mktemp)
  hyperfine --style none -N --warmup 10 --runs $((runs * 10)) --export-json "$json" "$stratus --version" \
    >/dev/null 2>&1
  version=$(python3 -c 'import json,sys; print("%.1f" % (json.load(open(sys.argv[1]))["results"][0]["median"] * 1000))' "$json")
  floor=$(hyperfine --style none -N --warmup 10 --runs $((runs * 10)) --export-json "$json" /bin/true >/dev/null 2>&1 &&
    python3 -c 'import json,sys; print("%.1f" % (json.load(open(sys.argv[1]))["results"][0]["median"] * 1000))' "$json")
  rm -f "$json"
else
  version=$(python3 -c "print('%.1f' % (float('$(median_seconds "" "$stratus --version")') * 1000))")
  floor=$(python3 -c "print('%.1f' % (float('$(median_seconds "" "/bin/true")') * 1000))")
fi
printf 'stratus --version: median %s ms (target < 5 ms; /bin/true here: %s ms)\n' "$version" "$floor"

# --- the Serverless Framework, side by side ------------------------------------------------
if ((with_sls)); then
  peers=$work/peers
  sls=$peers/node_modules/.bin/sls
  if [[ ! -x $sls ]]; then
    echo "installing osls 4.3.1 (the open-source Serverless Framework v3 line) under $peers ..." >&2
    mkdir -p "$peers"
    (cd "$peers" && npm install --silent --legacy-peer-deps --no-audit --no-fund osls@4.3.1 >/dev/null)
  fi
  export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench SLS_TELEMETRY_DISABLED=1 SLS_NOTIFICATIONS_MODE=off
  cd "$work/svc-node"
  sls_pkg=$(median_seconds "rm -rf .serverless" "$sls package")
  rm -rf .serverless
  ours=$(median_seconds "rm -rf $work/out-svc-node" "$stratus package --package $work/out-svc-node")
  sls_version=$(median_seconds "" "$sls --version")
  ours_version=$(median_seconds "" "$stratus --version")
  printf 'sls package (svc-node): %ss, stratus package: %ss -> stratus is %sx faster (target >= 10x)\n' \
    "$sls_pkg" "$ours" "$(ratio "$sls_pkg" "$ours")"
  printf 'sls --version: %ss, stratus --version: %ss -> %sx faster\n' \
    "$sls_version" "$ours_version" "$(ratio "$sls_version" "$ours_version")"
fi
