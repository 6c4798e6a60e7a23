#!/usr/bin/env bash
# HTTP-trigger benchmark: a trivial node and a trivial python handler, each behind an `httpApi` GET
# route (/node, /py) of one service, served by serverless-offline (npm `osls` + `serverless-offline`,
# shared with bench/invoke and installed there once, under bench/invoke/work/peers) and by
# `stratus offline`, side by side: both servers run at once, and every measurement taken on one is
# taken on the other right after. For each server and handler: warm throughput, p50 and p99 latency,
# errors and non-200 answers at 1, 8 and 64 concurrent keep-alive connections; and the RSS of the
# server's whole process tree idle (ready, nothing invoked), right after its last load, and again
# REAP_WAIT seconds later (stratus runs with --idle-timeout 3, so its idle instances are gone by
# then; serverless-offline keeps what it keeps).
#
# This VM's speed drifts by 10-20% from one minute to the next. So each measurement is repeated in
# ROUNDS rounds; within a round the two servers take turns (who goes first alternates from round to
# round, and stratus goes last in the final one, so its reap wait starts right after its load). The
# tables give each server's median over the rounds and the range of its req/s: a slow minute slows
# both sides of a ratio, not one. The server not being measured is idle: each run waits until it is
# quiet (see quiesce).
#
#   bench/http/run.sh [path/to/stratus]   (default: ./build/stratus; skipped while it lacks `offline`)
#
# Environment: SECONDS_PER_RUN (default 5) per measurement, ROUNDS (default 3), WARMUP (warm-up
# requests per connection before each measurement, default 10), CONNECTIONS (default "1 8 64"; the
# ratios need 8 and 64), REAP_WAIT (seconds after the load before the last RSS reading, default 8),
# REAP_SLACK_MB (how far above its idle RSS stratus may stay after the reap wait, default 5).
# Everything is generated under bench/http/work/ (gitignored): the load generator
# (bench/invoke/loadgen.cpp, built with g++), the service, one JSON result per measurement. Servers
# listen on 127.0.0.1 at free ports, each under `timeout` so none outlives the script. Prints
# markdown tables on stdout; progress on stderr. The parts shared with bench/invoke/run.sh are in
# bench/lib.sh.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
stratus=$(realpath -m "${1:-$root/build/stratus}")
seconds=${SECONDS_PER_RUN:-5}
rounds=${ROUNDS:-3}
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

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
out=$work/results
rm -rf "$out"
mkdir -p "$out"

# --- the servers ------------------------------------------------------------------------------
# start_target NAME START_CMD PORT: starts START_CMD (a shell command, run in the service folder,
# which must serve the service's httpApi routes at the root of 127.0.0.1:PORT, e.g. /py), reads its
# idle footprint into work/results/NAME-server.json, and checks that each route answers 200 (which
# also starts each function's first instance, outside the measurements).
targets=()
declare -A pid_of port_of idle_procs_of
start_target() {
  local name=$1 cmd=$2 port=$3 fn url idle
  # start + first requests + rounds x 2 handlers x N connection counts x 2 servers x (warm-up +
  # quiesce + run) + the reap wait, each bounded by a time-out
  local per_run=$((2 * timeout_ms / 1000 + 16 + seconds))
  local budget=$((120 + rounds * 2 * ${#conns_list[@]} * 2 * per_run + reap_wait))
  start_server "$name" "$cmd" "$service" "$port" "$budget"
  sleep 1  # let start-up work settle before reading the idle footprint
  read -r -a idle <<<"$(tree_rss_and_procs "$server_pid")"
  printf '{"start_ms": %.1f, "idle_rss_mb": %s, "idle_procs": %s, ' \
    "$(awk -v a="$server_t0" -v b="$server_t_ready" 'BEGIN {print b - a}')" "${idle[0]}" "${idle[1]}" \
    >"$out/$name-server.json"
  for fn in py node; do
    url=http://127.0.0.1:$port/$fn
    "$loadgen" --method GET --url "$url" --clients 1 --requests 1 --timeout-ms "$timeout_ms" \
      >"$out/$name-$fn-first.json" || true
    grep -q '"statuses":{"200":1}' "$out/$name-$fn-first.json" ||
      { tail -20 "$work/$name.log" >&2; die "$name: GET $url did not answer 200: $(cat "$out/$name-$fn-first.json")"; }
  done
  targets+=("$name")
  pid_of[$name]=$server_pid
  port_of[$name]=$port
  idle_procs_of[$name]=${idle[1]}
}

port=$(free_port)
lambda_port=$(free_port)
start_target serverless-offline "node $sls offline start --httpPort $port --lambdaPort $lambda_port" "$port"
if [[ -x $stratus ]] && "$stratus" offline --help >/dev/null 2>&1; then
  port=$(free_port)
  start_target stratus "$stratus offline --http-port $port --lambda-port 0 --aws-port 0 --idle-timeout 3" "$port"
else
  say "no stratus with an \`offline\` command at $stratus: measuring serverless-offline only"
fi

# --- the measurements -------------------------------------------------------------------------
# quiesce NAME: waits (at most 15 s) until the servers other than NAME are quiet: at most 20 ms of CPU
# in the last second (serverless-offline goes on working for a few seconds after a load) and, for
# stratus, its idle instances reaped (--idle-timeout 3; a reap would otherwise land in NAME's run).
quiesce() {
  local name=$1 other waited quiet stats
  local -A cpu_before=()
  for ((waited = 0; waited <= 15; waited++)); do
    quiet=1
    for other in "${targets[@]}"; do
      [[ $other != "$name" ]] || continue
      read -r -a stats <<<"$(tree_stats "${pid_of[$other]}")"
      if [[ -z ${cpu_before[$other]:-} ]] || ((stats[2] - ${cpu_before[$other]} > 20)); then quiet=0; fi
      if [[ $other == stratus ]] && ((stats[1] != ${idle_procs_of[$other]})); then quiet=0; fi
      cpu_before[$other]=${stats[2]}
    done
    ((quiet)) && return 0
    sleep 1
  done
}

# measure NAME FN C ROUND: a warm-up at C connections (servers that add an instance, a process or a
# worker thread, per concurrent request pay those cold starts here), the other servers left to
# quiesce, then the measured run, into work/results/NAME-FN-cC-rROUND.json.
measure() {
  local name=$1 fn=$2 c=$3 round=$4
  local url=http://127.0.0.1:${port_of[$name]}/$fn
  "$loadgen" --method GET --url "$url" --clients "$c" --requests $((c * warmup_per_conn)) \
    --timeout-ms "$timeout_ms" >/dev/null || true
  quiesce "$name"
  say "round $round of $rounds: $name: $fn at $c connections for ${seconds}s"
  "$loadgen" --method GET --url "$url" --clients "$c" --seconds "$seconds" --timeout-ms "$timeout_ms" \
    >"$out/$name-$fn-c$c-r$round.json" || true
}

declare -A load_stats
for ((round = 1; round <= rounds; round++)); do
  order=("${targets[@]}")
  if (((rounds - round) % 2 == 1 && ${#targets[@]} == 2)); then order=("${targets[1]}" "${targets[0]}"); fi
  for fn in py node; do
    for c in "${conns_list[@]}"; do
      for name in "${order[@]}"; do
        measure "$name" "$fn" "$c" "$round"
        load_stats[$name]=$(tree_rss_and_procs "${pid_of[$name]}")
      done
    done
  done
done
say "waiting ${reap_wait}s for idle instances to be reaped"
sleep "$reap_wait"
for name in "${targets[@]}"; do
  read -r -a load <<<"${load_stats[$name]}"
  read -r -a reaped <<<"$(tree_rss_and_procs "${pid_of[$name]}")"
  printf '"load_rss_mb": %s, "load_procs": %s, "reaped_rss_mb": %s, "reaped_procs": %s}\n' \
    "${load[0]}" "${load[1]}" "${reaped[0]}" "${reaped[1]}" >>"$out/$name-server.json"
  stop_server "${pid_of[$name]}"
done

# --- report -----------------------------------------------------------------------------------
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
"$real_python" - "$out" "$(nproc) cores, load average $load_before before / $load_after after" \
  "$seconds" "${conns_list[*]}" "$reap_wait" "$reap_slack_mb" "$rounds" "${targets[@]}" <<'PY'
import json, os, statistics, sys
out, machine, seconds, reap_wait, slack = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[5], float(sys.argv[6])
conns, rounds, targets = [int(c) for c in sys.argv[4].split()], int(sys.argv[7]), sys.argv[8:]
def load(name, part):
    with open(os.path.join(out, f"{name}-{part}.json")) as f:
        return json.load(f)
each = {(t, fn, c): [load(t, f"{fn}-c{c}-r{r}") for r in range(1, rounds + 1)]
        for t in targets for fn in ("node", "py") for c in conns}
# The median over the rounds of each figure; errors and non-200 answers are summed.
runs = {}
for key, rs in each.items():
    runs[key] = {
        "rps": statistics.median(r["rps"] for r in rs),
        "rps_range": (min(r["rps"] for r in rs), max(r["rps"] for r in rs)),
        "p50_ms": statistics.median(r["p50_ms"] for r in rs),
        "p99_ms": statistics.median(r["p99_ms"] for r in rs),
        "errors": sum(r["errors"] for r in rs),
        "non200": sum(n for r in rs for s, n in r["statuses"].items() if s != "200"),
    }
servers = {t: load(t, "server") for t in targets}

print(f"HTTP API (httpApi GET routes), trivial handlers, keep-alive; {rounds} rounds of {seconds} s per "
      f"server, handler and connection count, the servers taking turns; {machine}\n")
print("Medians over the rounds (req/s: median, and the range over the rounds)\n")
print("| server | fn | connections | req/s | req/s range | p50 ms | p99 ms | errors / non-200 |")
print("|---|---|---|---|---|---|---|---|")
for (t, fn, c), r in runs.items():
    lo, hi = r["rps_range"]
    print(f"| {t} | {fn} | {c} | {r['rps']:,.0f} | {lo:,.0f}-{hi:,.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} "
          f"| {r['errors']} / {r['non200']} |")

print(f"\nRSS of each server's process tree, MB (processes in the tree)\n")
print(f"| server | start→listening ms | idle | right after its last load | {reap_wait} s later |")
print("|---|---|---|---|---|")
for t, s in servers.items():
    print(f"| {t} | {s['start_ms']:.0f} | {s['idle_rss_mb']:.1f} ({s['idle_procs']}) | "
          f"{s['load_rss_mb']:.1f} ({s['load_procs']}) | {s['reaped_rss_mb']:.1f} ({s['reaped_procs']}) |")

if "stratus" in targets:
    print("\nstratus against serverless-offline (targets from the issue; medians over the rounds)\n")
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
