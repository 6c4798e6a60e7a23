#!/usr/bin/env bash
# Invoke-API benchmark: a trivial python and a trivial node handler behind the Lambda Invoke API
# (POST /2015-03-31/functions/NAME/invocations), served by serverless-offline (npm `osls` +
# `serverless-offline`, installed here once) and, once it exists, by `stratus offline`, on the same
# service. For each server and handler: warm throughput and latency at 1, 16 and 64 concurrent
# keep-alive clients, the first (cold) request after start minus the bare interpreter start (the
# median over COLD_RUNS fresh starts of the server, as the bare start is a median too), and the RSS of
# the server's whole process tree when idle (ready, nothing invoked) and after the load.
#
#   bench/invoke/run.sh [path/to/stratus]   (default: ./build/stratus; skipped while it lacks `offline`)
#
# Environment: SECONDS_PER_RUN (default 5) per client count, WARMUP (warm-up requests per client
# before each run, default 10), BARE_RUNS (default 20), COLD_RUNS (fresh server starts timed for the
# cold start, default 5), CLIENTS (default "1 16 64"; the ratios need 16 and 64). Everything is
# generated under bench/invoke/work/ (gitignored): the load
# generator (loadgen.cpp, built with g++), the service, the npm peers, one JSON result per run.
# Servers listen on 127.0.0.1 at free ports, each under `timeout` so none outlives the script.
# Prints markdown tables on stdout; progress on stderr. The parts shared with bench/http/run.sh are in
# bench/lib.sh.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
stratus=$(realpath -m "${1:-$root/build/stratus}")
seconds=${SECONDS_PER_RUN:-5}
warmup_per_client=${WARMUP:-10}
timeout_ms=30000  # per request: the functions' timeout; a slower answer counts as an error
bare_runs=${BARE_RUNS:-20}
cold_runs=${COLD_RUNS:-5}
work=$here/work
read -ra clients_list <<<"${CLIENTS:-1 16 64}"

# shellcheck source=bench/lib.sh
source "$here/../lib.sh"
build_loadgen

# --- the service ------------------------------------------------------------------------------
service=$work/service
write_service "$service" "" ""
declare -A deployed=([py]=bench-dev-py [node]=bench-dev-node)

# --- the peers --------------------------------------------------------------------------------
peers=$work/peers
install_peers "$peers"
# The plugin is resolved from the service folder.
ln -sfn "$peers/node_modules" "$service/node_modules"

# --- helpers ----------------------------------------------------------------------------------
# bare_start_ms CMD...: median wall time of BARE_RUNS runs of CMD (after one warm-up), ms.
bare_start_ms() {
  "$real_python" - "$bare_runs" "$@" <<'EOF'
import statistics, subprocess, sys, time
runs, cmd = int(sys.argv[1]), sys.argv[2:]
subprocess.run(cmd, check=True)
times = []
for _ in range(runs):
    t = time.perf_counter()
    subprocess.run(cmd, check=True)
    times.append((time.perf_counter() - t) * 1000)
print("%.1f" % statistics.median(times))
EOF
}

# measure_target NAME START_CMD PORT: starts START_CMD (a shell command, run in the service folder,
# which must serve the Lambda Invoke API on 127.0.0.1:PORT) and writes work/results/NAME-*.json.
measure_target() {
  local name=$1 cmd=$2 port=$3 out=$work/results
  mkdir -p "$out"
  rm -f "$out/$name"-*.json
  # start + cold requests + 2 handlers x 3 client counts x (warm-up + run), each bounded by a time-out
  local budget=$((120 + 2 * 3 * (seconds + 2 * timeout_ms / 1000)))
  local fn url c run idle_rss
  # The first request to each function, before any other: its cold start as the client sees it. The
  # server is started COLD_RUNS times for that (the last start stays up for the warm runs); the idle
  # footprint is read after the first start, before anything is invoked.
  for ((run = 1; run <= cold_runs; run++)); do
    start_server "$name" "$cmd" "$service" "$port" "$budget"
    sleep 1  # let start-up work settle: the idle footprint, and a cold start that is only a cold start
    ((run == 1)) && idle_rss=$(tree_rss_mb "$server_pid")
    for fn in py node; do
      url=http://127.0.0.1:$port/2015-03-31/functions/${deployed[$fn]}/invocations
      "$loadgen" --url "$url" --clients 1 --requests 1 --timeout-ms "$timeout_ms" --body '{"n":1}' \
        >"$out/$name-$fn-cold$run.json"
      [[ $(json_field "$out/$name-$fn-cold$run.json" requests) == 1 ]] ||
        { tail -20 "$work/$name.log" >&2; die "$name: the cold request to $fn failed: $(cat "$out/$name-$fn-cold$run.json")"; }
    done
    ((run == cold_runs)) || stop_server
  done
  for fn in py node; do
    url=http://127.0.0.1:$port/2015-03-31/functions/${deployed[$fn]}/invocations
    for c in "${clients_list[@]}"; do
      # Warm up at the same concurrency first: servers that add an instance (a process, a worker
      # thread) per concurrent request pay those cold starts here, not in the measured run.
      "$loadgen" --url "$url" --clients "$c" --requests $((c * warmup_per_client)) --timeout-ms "$timeout_ms" \
        --body '{"n":1}' >/dev/null
      say "$name: $fn at $c clients for ${seconds}s"
      "$loadgen" --url "$url" --clients "$c" --seconds "$seconds" --timeout-ms "$timeout_ms" --body '{"n":1}' \
        >"$out/$name-$fn-c$c.json"
    done
  done
  local load_rss
  load_rss=$(tree_rss_mb "$server_pid")
  stop_server
  printf '{"start_ms": %.1f, "idle_rss_mb": %s, "load_rss_mb": %s}\n' \
    "$(awk -v a="$server_t0" -v b="$server_t_ready" 'BEGIN {print b - a}')" "$idle_rss" "$load_rss" >"$out/$name-server.json"
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# --- the bare interpreters --------------------------------------------------------------------
say "timing the bare interpreters ($bare_runs runs each): $real_python -c pass, $real_node -e 0"
declare -A bare=([python]=$(bare_start_ms "$real_python" -c pass) [node]=$(bare_start_ms "$real_node" -e 0))

# --- the servers ------------------------------------------------------------------------------
targets=(serverless-offline)
port=$(free_port)
http_port=$(free_port)
measure_target serverless-offline \
  "node $sls offline start --lambdaPort $port --httpPort $http_port" "$port"

if [[ -x $stratus ]] && "$stratus" offline --help >/dev/null 2>&1; then
  targets+=(stratus)
  port=$(free_port)
  measure_target stratus "$stratus offline --lambda-port $port --aws-port 0" "$port"
else
  say "no stratus with an \`offline\` command at $stratus: measuring serverless-offline only"
fi

# --- report -----------------------------------------------------------------------------------
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
"$real_python" - "$work/results" "$(nproc) cores, load average $load_before before / $load_after after" "${bare[python]}" "${bare[node]}" "$seconds" "${clients_list[*]}" "$cold_runs" "${targets[@]}" <<'EOF'
import json, os, statistics, sys
out, machine, bare_py, bare_node, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
clients, cold_runs, targets = [int(c) for c in sys.argv[6].split()], int(sys.argv[7]), sys.argv[8:]
bare = {"py": bare_py, "node": bare_node}
def load(name, part):
    with open(os.path.join(out, f"{name}-{part}.json")) as f:
        return json.load(f)
rows = {}
for t in targets:
    server = load(t, "server")
    for fn in ("py", "node"):
        r = {c: load(t, f"{fn}-c{c}") for c in clients}
        cold = statistics.median(load(t, f"{fn}-cold{i}")["p50_ms"] for i in range(1, cold_runs + 1))
        rows[t, fn] = dict(
            rps={c: r[c]["rps"] for c in clients},
            p50_16=r[16]["p50_ms"], p99_16=r[16]["p99_ms"], p50_64=r[64]["p50_ms"], p99_64=r[64]["p99_ms"],
            errors=sum(x["errors"] for x in r.values()),
            non200=sum(n for x in r.values() for s, n in x["statuses"].items() if s != "200"),
            cold=cold, cold_extra=cold - bare[fn], start=server["start_ms"],
            idle=server["idle_rss_mb"], load=server["load_rss_mb"])

print(f"Invoke API, trivial handlers, {seconds} s per client count, keep-alive; "
      f"bare start: python {bare_py:.1f} ms, node {bare_node:.1f} ms (medians); cold: the median of {cold_runs} "
      f"fresh starts; {machine}\n")
print("| server | fn | " + "".join(f"req/s @{c} | " for c in clients) + "p50 @16 ms | p99 @16 ms | p50 @64 ms "
      "| p99 @64 ms | errors / non-200 | cold ms | cold − bare ms | start→listening ms | idle RSS MB "
      "| RSS after load MB |")
print("|" + "---|" * (13 + len(clients)))
for (t, fn), x in rows.items():
    print(f"| {t} | {fn} | " + "".join(f"{x['rps'][c]:,.0f} | " for c in clients) + f"{x['p50_16']:.2f} | "
          f"{x['p99_16']:.2f} | {x['p50_64']:.2f} | {x['p99_64']:.2f} | {x['errors']} / {x['non200']} | "
          f"{x['cold']:.1f} | {x['cold_extra']:.1f} | {x['start']:.0f} | {x['idle']:.1f} | {x['load']:.1f} |")

if "stratus" in targets:
    print("\nstratus against serverless-offline (targets from the issue)\n")
    print("| fn | rps @16 ratio (target) | p99 @64 ratio (≤ 0.10) | cold − bare ms (≤ 15) | idle RSS MB (≤ 20) |")
    print("|---|---|---|---|---|")
    for fn, want in (("node", 3), ("py", 2)):
        s, o = rows["stratus", fn], rows["serverless-offline", fn]
        ok = lambda b: "ok" if b else "MISSED"
        r16 = s["rps"][16] / o["rps"][16]
        p99 = s["p99_64"] / o["p99_64"]
        print(f"| {fn} | {r16:.2f}× (≥ {want}) {ok(r16 >= want)} | {p99:.3f} {ok(p99 <= 0.10)} | "
              f"{s['cold_extra']:.1f} {ok(s['cold_extra'] <= 15)} | {s['idle']:.1f} {ok(s['idle'] <= 20)} |")
EOF
