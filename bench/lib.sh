# shellcheck shell=bash disable=SC2034  # the variables set here are used by the sourcing scripts
# Shared by the benchmarks that measure `stratus offline` against serverless-offline
# (bench/invoke/run.sh, bench/http/run.sh); sourced, not run. Before sourcing, the script sets
#   here  its own folder          work  its generated folder (gitignored)
# and gets: die/say, the real interpreters first on PATH (real_python, real_node), the AWS and
# Serverless environment the servers need, build_loadgen, install_peers, free_port, now_ms,
# tree_rss_mb, tree_stats, and start_server/stop_server (each stopped on exit by a trap).

bench_root=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

die() { echo "run.sh: $*" >&2; exit 2; }
say() { echo "run.sh: $*" >&2; }
command -v g++ >/dev/null || die "needs g++ (to build the load generator)"
command -v node >/dev/null || die "needs node and npm (serverless-offline and the node handler)"
command -v python3 >/dev/null || die "needs python3"

# The real interpreter, not a version-manager shim: pyenv's `python3` is a bash script that costs
# ~60 ms per start, which would be charged to whoever spawns it.
real_python=$(python3 -c 'import sys; print(sys.executable)')
real_node=$(node -e 'console.log(process.execPath)')
# Every server resolves `python3` to the real binary too (serverless-offline spawns `python3`).
PATH=$(dirname "$real_python"):$PATH
export PATH
export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench AWS_REGION=us-east-1 \
  SLS_TELEMETRY_DISABLED=1 SLS_NOTIFICATIONS_MODE=off

# shellcheck disable=SC2154  # set by the sourcing script
mkdir -p "$work"

# build_loadgen: builds bench/invoke/loadgen.cpp into $work/loadgen when missing or older; sets loadgen.
build_loadgen() {
  loadgen=$work/loadgen
  local src=$bench_root/invoke/loadgen.cpp
  if [[ ! -x $loadgen || $src -nt $loadgen ]]; then
    say "building $loadgen"
    g++ -O2 -std=c++20 -pthread -Wall -Wextra -o "$loadgen" "$src"
  fi
}

# install_peers DIR: npm `osls` + `serverless-offline` under DIR, once per version pair; sets sls.
osls_version=4.3.1
offline_version=14.8.2
install_peers() {
  local peers=$1
  sls=$peers/node_modules/.bin/sls
  if [[ ! -x $sls || ! -f $peers/.versions-$osls_version-$offline_version ]]; then
    say "installing osls $osls_version + serverless-offline $offline_version under $peers ..."
    rm -rf "$peers"
    mkdir -p "$peers"
    echo '{"private": true}' >"$peers/package.json"
    # --legacy-peer-deps: serverless-offline 14 names the proprietary serverless@4 as a peer, which
    # npm would otherwise install beside osls.
    (cd "$peers" && npm install --silent --legacy-peer-deps --no-audit --no-fund \
      "osls@$osls_version" "serverless-offline@$offline_version" >/dev/null)
    touch "$peers/.versions-$osls_version-$offline_version"
  fi
}

# write_service DIR PY_EVENTS NODE_EVENTS: the benches' service in DIR: `bench` (stage dev,
# us-east-1, timeout 30) with a trivial python function `py` and a trivial node function `node`,
# each followed by its YAML `events:` block ("" for none), and serverless-offline as its plugin.
write_service() {
  mkdir -p "$1"
  {
    printf 'service: bench\nprovider:\n  name: aws\n  region: us-east-1\n  stage: dev\n  timeout: 30\n'
    printf 'functions:\n  py:\n    runtime: python3.13\n    handler: handler.handler\n%s' "$2"
    printf '  node:\n    runtime: nodejs22.x\n    handler: handler.handler\n%s' "$3"
    printf 'plugins:\n  - serverless-offline\ncustom:\n  serverless-offline:\n    host: 127.0.0.1\n'
  } >"$1/serverless.yml"
  printf 'def handler(event, context):\n    return {"ok": True}\n' >"$1/handler.py"
  printf 'exports.handler = async () => ({ ok: true });\n' >"$1/handler.js"
}

free_port() { "$real_python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

now_ms() { "$real_python" -c 'import time; print("%.3f" % (time.time() * 1000))'; }

# tree_stats PID: "MB N CPU_MS" for PID's descendants (not PID itself, the `timeout` wrapper): their
# summed VmRSS in MB, how many they are, and the CPU time (user + system) the tree has used so far,
# including that of processes of it that have ended.
tree_stats() {
  "$real_python" - "$1" <<'PY'
import os, sys
root, children, stats = int(sys.argv[1]), {}, {}
for p in os.listdir("/proc"):
    if not p.isdigit():
        continue
    try:
        with open(f"/proc/{p}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        continue
    children.setdefault(int(fields[1]), []).append(int(p))
    # utime + stime, and cutime + cstime: those of its children that have ended (and been waited
    # for), whose own entries are gone
    stats[int(p)] = sum(int(x) for x in fields[11:15])  # clock ticks
rss, procs, ticks, pending = 0, 0, 0, list(children.get(root, []))
while pending:
    pid = pending.pop()
    pending += children.get(pid, [])
    try:
        with open(f"/proc/{pid}/status") as f:
            rss += next((int(l.split()[1]) for l in f if l.startswith("VmRSS:")), 0)
        procs += 1
        ticks += stats.get(pid, 0)
    except OSError:
        pass
print("%.1f %d %d" % (rss / 1024, procs, ticks * 1000 // os.sysconf("SC_CLK_TCK")))
PY
}
tree_rss_and_procs() { tree_stats "$1" | cut -d' ' -f1,2; }  # "MB N"
tree_rss_mb() { tree_stats "$1" | cut -d' ' -f1; }

# json_field FILE KEY
json_field() { "$real_python" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }

# stop_server [PID]: stops the server started as PID (default: the last one started, $server_pid)
# and its whole tree. The exit trap stops every server still running.
server_pid=
running_servers=()
stop_server() {
  local pid=${1:-$server_pid} kept=() p
  [[ -n $pid ]] || return 0
  kill -TERM -- "-$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL -- "-$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  for p in "${running_servers[@]}"; do [[ $p == "$pid" ]] || kept+=("$p"); done
  running_servers=("${kept[@]}")
  [[ $pid != "$server_pid" ]] || server_pid=
}
stop_all_servers() {
  local pid
  for pid in "${running_servers[@]}"; do stop_server "$pid"; done
}
trap stop_all_servers EXIT INT TERM

# start_server NAME CMD DIR PORT BUDGET_S: runs the shell command CMD in DIR, logging to
# $work/NAME.log, in its own session (so the whole tree stops as one group) under `timeout BUDGET_S`
# (so it never outlives its budget), and waits until 127.0.0.1:PORT accepts a connection (dies if
# it does not within 60 s). Sets server_pid, and server_t0 / server_t_ready (epoch ms: started,
# listening). Several may run at once.
start_server() {
  local name=$1 cmd=$2 dir=$3 port=$4 budget=$5
  say "$name: starting: $cmd"
  server_t0=$(now_ms)
  (cd "$dir" && exec setsid timeout -k 5 "$budget" bash -c "exec $cmd" </dev/null >"$work/$name.log" 2>&1) &
  server_pid=$!
  running_servers+=("$server_pid")
  local ready=0
  for _ in $(seq 1200); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then ready=1; break; fi
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.05
  done
  ((ready)) || { tail -20 "$work/$name.log" >&2; die "$name did not listen on $port"; }
  server_t_ready=$(now_ms)
}
