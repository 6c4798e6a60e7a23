#!/usr/bin/env bash
# HTTP-trigger benchmark: a trivial node and a trivial python handler, each behind an `httpApi` GET
# route (/node, /py) of one service, served by serverless-offline (npm `osls` + `serverless-offline`,
# shared with bench/invoke and installed there once, under bench/invoke/work/peers) and by
# `stratus offline`, one after the other in the same run. For each server and handler: warm
# throughput, p50 and p99 latency, errors and non-200 answers at 1, 8 and 64 concurrent keep-alive
# connections; and the RSS of the server's whole process tree idle (ready, nothing invoked), right
# after the load, and again after REAP_WAIT seconds without requests (stratus runs with
# --idle-timeout 3, so its idle instances are gone by then; serverless-offline keeps what it keeps).
#
#   bench/http/run.sh [path/to/stratus]   (default: ./build/stratus; skipped while it lacks `offline`)
#
# Environment: SECONDS_PER_RUN (default 5) per connection count, WARMUP (warm-up requests per
# connection before each run, default 10), CONNECTIONS (default "1 8 64"; the ratios need 8 and 64),
# REAP_WAIT (seconds after the load before the last RSS reading, default 8), REAP_SLACK_MB (how far
# above its idle RSS stratus may stay after the reap wait, default 5). Everything is generated under
# bench/http/work/ (gitignored): the load generator (bench/invoke/loadgen.cpp, built with g++), the
# service, one JSON result per run. Servers listen on 127.0.0.1 at free ports, each under `timeout`
# so none outlives the script. Prints markdown tables on stdout; progress on stderr. The parts shared
# with bench/invoke/run.sh are in bench/lib.sh.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
stratus=$(realpath -m "${1:-$root/build/stratus}")
seconds=${SECONDS_PER_RUN:-5}
warmup_per_conn=${WARMUP:-10}
reap_wait=${REAP_WAIT:-8}
reap_slack_mb=${REAP_SLACK_MB:-5}
timeout_ms=30000  # per request: the functions' timeout; a slower answer counts as an error
work=$here/work
read -ra conns_list <<<"${CONNECTIONS:-1 8 64}"

# shellcheck source=bench/lib.sh
source "$here/../lib.sh"
build_loadgen

# --- the service ------------------------------------------------------------------------------
service=$work/service
write_service "$service" \
  $'    events:\n      - httpApi:\n          method: GET\n          path: /py\n' \
  $'    events:\n      - httpApi:\n          method: GET\n          path: /node\n'

# --- the peers (shared with bench/invoke) -----------------------------------------------------
install_peers "$bench_root/invoke/work/peers"
# The plugin is resolved from the service folder.
ln -sfn "$bench_root/invoke/work/peers/node_modules" "$service/node_modules"

# measure_target NAME START_CMD PORT: starts START_CMD (a shell command, run in the service folder,
# which must serve the service's httpApi routes at the root of 127.0.0.1:PORT, e.g. /py) and writes
# work/results/NAME-*.json.
measure_target() {
  local name=$1 cmd=$2 port=$3 out=$work/results
  mkdir -p "$out"
  rm -f "$out/$name"-*.json
  # start + first requests + 2 handlers x N connection counts x (warm-up + run) + the reap wait,
  # each bounded by a time-out
  local budget=$((120 + 2 * ${#conns_list[@]} * (seconds + 2 * timeout_ms / 1000) + reap_wait))
  start_server "$name" "$cmd" "$service" "$port" "$budget"
  sleep 1  # let start-up work settle before reading the idle footprint
  local idle idle_rss idle_procs
  idle=$(tree_rss_and_procs "$server_pid")
  read -r idle_rss idle_procs <<<"$idle"

  local fn url c
  # One request to each route first: the route must exist and answer 200 (it also starts the
  # function's first instance, outside the measured runs).
  for fn in py node; do
    url=http://127.0.0.1:$port/$fn
    "$loadgen" --method GET --url "$url" --clients 1 --requests 1 --timeout-ms "$timeout_ms" \
      >"$out/$name-$fn-first.json" || true
    grep -q '"statuses":{"200":1}' "$out/$name-$fn-first.json" ||
      { tail -20 "$work/$name.log" >&2; die "$name: GET $url did not answer 200: $(cat "$out/$name-$fn-first.json")"; }
  done
  for fn in py node; do
    url=http://127.0.0.1:$port/$fn
    for c in "${conns_list[@]}"; do
      # Warm up at the same concurrency first: servers that add an instance (a process, a worker
      # thread) per concurrent request pay those cold starts here, not in the measured run.
      "$loadgen" --method GET --url "$url" --clients "$c" --requests $((c * warmup_per_conn)) \
        --timeout-ms "$timeout_ms" >/dev/null || true
      say "$name: $fn at $c connections for ${seconds}s"
      "$loadgen" --method GET --url "$url" --clients "$c" --seconds "$seconds" --timeout-ms "$timeout_ms" \
        >"$out/$name-$fn-c$c.json" || true
    done
  done
  local load load_rss load_procs reaped reaped_rss reaped_procs
  load=$(tree_rss_and_procs "$server_pid")
  read -r load_rss load_procs <<<"$load"
  say "$name: waiting ${reap_wait}s for idle instances to be reaped"
  sleep "$reap_wait"
  reaped=$(tree_rss_and_procs "$server_pid")
  read -r reaped_rss reaped_procs <<<"$reaped"
  stop_server
  printf '{"start_ms": %.1f, "idle_rss_mb": %s, "load_rss_mb": %s, "reaped_rss_mb": %s, ' \
    "$(awk -v a="$server_t0" -v b="$server_t_ready" 'BEGIN {print b - a}')" "$idle_rss" "$load_rss" \
    "$reaped_rss" >"$out/$name-server.json"
  printf '"idle_procs": %s, "load_procs": %s, "reaped_procs": %s}\n' "$idle_procs" "$load_procs" \
    "$reaped_procs" >>"$out/$name-server.json"
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# --- the servers ------------------------------------------------------------------------------
targets=(serverless-offline)
port=$(free_port)
lambda_port=$(free_port)
measure_target serverless-offline \
  "node $sls offline start --httpPort $port --lambdaPort $lambda_port" "$port"

if [[ -x $stratus ]] && "$stratus" offline --help >/dev/null 2>&1; then
  targets+=(stratus)
  port=$(free_port)
  measure_target stratus \
    "$stratus offline --http-port $port --lambda-port 0 --aws-port 0 --idle-timeout 3" "$port"
else
  say "no stratus with an \`offline\` command at $stratus: measuring serverless-offline only"
fi

# --- report -----------------------------------------------------------------------------------
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
"$real_python" - "$work/results" "$(nproc) cores, load average $load_before before / $load_after after" \
  "$seconds" "${conns_list[*]}" "$reap_wait" "$reap_slack_mb" "${targets[@]}" <<'PY'
import json, os, sys
out, machine, seconds, reap_wait, slack = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[5], float(sys.argv[6])
conns, targets = [int(c) for c in sys.argv[4].split()], sys.argv[7:]
def load(name, part):
    with open(os.path.join(out, f"{name}-{part}.json")) as f:
        return json.load(f)
runs = {(t, fn, c): load(t, f"{fn}-c{c}") for t in targets for fn in ("node", "py") for c in conns}
servers = {t: load(t, "server") for t in targets}

print(f"HTTP API (httpApi GET routes), trivial handlers, {seconds} s per connection count, keep-alive; {machine}\n")
print("| server | fn | connections | req/s | p50 ms | p99 ms | errors / non-200 |")
print("|---|---|---|---|---|---|---|")
for (t, fn, c), r in runs.items():
    non200 = sum(n for s, n in r["statuses"].items() if s != "200")
    print(f"| {t} | {fn} | {c} | {r['rps']:,.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {r['errors']} / {non200} |")

print(f"\nRSS of each server's process tree, MB (processes in the tree)\n")
print(f"| server | start→listening ms | idle | right after the load | {reap_wait} s later |")
print("|---|---|---|---|---|")
for t, s in servers.items():
    print(f"| {t} | {s['start_ms']:.0f} | {s['idle_rss_mb']:.1f} ({s['idle_procs']}) | "
          f"{s['load_rss_mb']:.1f} ({s['load_procs']}) | {s['reaped_rss_mb']:.1f} ({s['reaped_procs']}) |")

if "stratus" in targets:
    print("\nstratus against serverless-offline (targets from the issue)\n")
    print("| target | stratus | serverless-offline | ratio | |")
    print("|---|---|---|---|---|")
    ok = lambda b: "ok" if b else "MISSED"
    def rps(fn, c, want):
        name = f"{fn} req/s @{c} ≥ {want}× theirs"
        if c not in conns:
            return print(f"| {name} | n/a | n/a | n/a | not measured |")
        s, o = runs["stratus", fn, c]["rps"], runs["serverless-offline", fn, c]["rps"]
        ratio = s / o if o else float("inf")
        print(f"| {name} | {s:,.0f} | {o:,.0f} | {ratio:.2f}× | {ok(ratio >= want)} |")
    def p99(fn, c, want):
        name = f"{fn} p99 @{c} ≤ {want:.2f}× theirs"
        if c not in conns:
            return print(f"| {name} | n/a | n/a | n/a | not measured |")
        s, o = runs["stratus", fn, c]["p99_ms"], runs["serverless-offline", fn, c]["p99_ms"]
        ratio = s / o if o else float("inf")
        print(f"| {name} | {s:.2f} ms | {o:.2f} ms | {ratio:.3f}× | {ok(ratio <= want)} |")
    rps("node", 8, 3)
    rps("node", 64, 4)
    rps("py", 8, 2.5)
    p99("node", 64, 0.10)
    p99("py", 64, 0.10)
    s = servers["stratus"]
    back = s["reaped_rss_mb"] - s["idle_rss_mb"]
    print(f"| stratus RSS {reap_wait} s after the load within {slack:g} MB of idle | {s['reaped_rss_mb']:.1f} MB "
          f"(idle {s['idle_rss_mb']:.1f}) | {servers['serverless-offline']['reaped_rss_mb']:.1f} MB | "
          f"{back:+.1f} MB | {ok(back <= slack)} |")
PY
