#!/usr/bin/env bash
# SQS benchmark: end-to-end throughput of `stratus offline`'s SQS endpoint and its `sqs` event
# source mappings. One service (generated under bench/sqs/work/, gitignored) with a trivial python
# and a trivial node function, each with an `sqs` event (batchSize 10) on its own queue (bench-py,
# bench-node). `stratus offline` serves it with the SQS endpoint on a free --aws-port; for each
# function in turn, a small boto3 script (the real interpreter, dummy credentials, us-east-1,
# endpoint_url http://127.0.0.1:PORT) sends MESSAGES messages to its queue with SendMessageBatch
# (10 per call, from SENDERS threads) and then polls GetQueueAttributes until
# ApproximateNumberOfMessages + ApproximateNumberOfMessagesNotVisible is 0 (every message received
# and deleted by the mapping after a successful invocation), bounded by DRAIN_TIMEOUT.
#
# Reported per function: the send rate (messages accepted per second, first send to last answer),
# the end-to-end rate (messages per second from the first send to the moment the queue was found
# empty), the number of invocations and the mean batch size (from `stratus billing --json`, read
# from the service's ledger after the server stopped), and the seconds end to end.
#
# No peer comparison: serverless-offline has no built-in SQS (it needs serverless-offline-sqs and a
# separate ElasticMQ or LocalStack), so this measures stratus alone.
#
#   bench/sqs/run.sh [path/to/stratus]   (default: ./build/stratus)
#
# Environment: MESSAGES per function (default 5000), SENDERS (threads sending batches, default 4),
# DRAIN_TIMEOUT (seconds to wait for a queue to empty after its last send, default 120). The server
# listens on 127.0.0.1 under `timeout`, so nothing outlives the script; the service's .stratus/ is
# removed first, so queues and ledger hold this run only. Prints a markdown table on stdout and
# progress on stderr. Uses the helpers in bench/lib.sh.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
stratus=$(realpath -m "${1:-$root/build/stratus}")
messages=${MESSAGES:-5000}
senders=${SENDERS:-4}
drain_timeout=${DRAIN_TIMEOUT:-120}
work=$here/work

# shellcheck source=bench/lib.sh
source "$here/../lib.sh"
[[ -x $stratus ]] || die "no stratus at $stratus (build it first)"
"$real_python" -c 'import boto3' 2>/dev/null || die "needs boto3 for $real_python (pip install boto3)"

# --- the service ------------------------------------------------------------------------------
service=$work/service
rm -rf "$service/.stratus"
write_service "$service" \
  $'    events:\n      - sqs:\n          arn: arn:aws:sqs:us-east-1:000000000000:bench-py\n          batchSize: 10\n' \
  $'    events:\n      - sqs:\n          arn: arn:aws:sqs:us-east-1:000000000000:bench-node\n          batchSize: 10\n'

# --- the run ----------------------------------------------------------------------------------
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
port=$(free_port)
# start + 2 functions x (sending + draining), with room to spare
start_server stratus "$stratus offline --lambda-port 0 --aws-port $port --http-port 0" "$service" "$port" \
  $((60 + 2 * (drain_timeout + 60)))

results=$work/results.json
rm -f "$results"
"$real_python" - "http://127.0.0.1:$port" "$messages" "$senders" "$drain_timeout" "$results" <<'PY' ||
import json, sys, threading, time
import boto3
from botocore.config import Config

endpoint, messages, senders, drain_timeout, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
    float(sys.argv[4]), sys.argv[5]
sqs = boto3.client("sqs", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="bench",
                   aws_secret_access_key="bench",
                   config=Config(max_pool_connections=max(10, senders), retries={"max_attempts": 1}))

def say(msg):
    print(f"run.sh: {msg}", file=sys.stderr, flush=True)

def remaining(url):
    a = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    return int(a["ApproximateNumberOfMessages"]) + int(a["ApproximateNumberOfMessagesNotVisible"])

results = {}
for fn in ("py", "node"):
    url = sqs.get_queue_url(QueueName=f"bench-{fn}")["QueueUrl"]
    if remaining(url):
        sys.exit(f"run.sh: queue bench-{fn} is not empty before the run")
    batches = [[{"Id": str(i), "MessageBody": json.dumps({"fn": fn, "n": b * 10 + i})}
                for i in range(min(10, messages - b * 10))] for b in range((messages + 9) // 10)]
    failed = []
    def send(part):
        for entries in part:
            r = sqs.send_message_batch(QueueUrl=url, Entries=entries)
            if r.get("Failed"):
                failed.extend(r["Failed"])
    say(f"{fn}: sending {messages} messages to {url} ({len(batches)} SendMessageBatch calls, {senders} threads)")
    threads = [threading.Thread(target=send, args=(batches[k::senders],)) for k in range(senders)]
    t0, cpu0 = time.perf_counter(), time.process_time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    t_sent = time.perf_counter()
    if failed:
        sys.exit(f"run.sh: {fn}: {len(failed)} messages were not accepted: {failed[:3]}")
    left = None
    while time.perf_counter() - t_sent < drain_timeout:
        left = remaining(url)
        if left == 0:
            break
        time.sleep(0.02)
    t_done = time.perf_counter()
    if left:
        sys.exit(f"run.sh: {fn}: {left} of {messages} messages still in bench-{fn} after {drain_timeout:g} s")
    results[fn] = {"messages": messages, "send_s": t_sent - t0, "e2e_s": t_done - t0,
                   "client_cpu_s": time.process_time() - cpu0}
    say(f"{fn}: sent in {t_sent - t0:.2f} s, all processed after {t_done - t0:.2f} s")
with open(out, "w") as f:
    json.dump(results, f)
PY
  { tail -20 "$work/stratus.log" >&2; die "the run failed (server log: $work/stratus.log)"; }
stop_server
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

(cd "$service" && "$stratus" billing --json) >"$work/billing.json" || die "stratus billing --json failed"

# --- report -----------------------------------------------------------------------------------
"$real_python" - "$results" "$work/billing.json" "$senders" \
  "$(nproc) cores, load average $load_before before / $load_after after" <<'PY'
import json, sys
results, billing = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
senders, machine = sys.argv[3], sys.argv[4]
by_name = {f["function"]: f for f in billing["functions"]}
print(f"SQS: SendMessageBatch (10 per call, {senders} sender threads, boto3) into `stratus offline`, "
      f"`sqs` events with batchSize 10, trivial handlers; {machine}\n")
print("| fn | messages | send msg/s | end-to-end msg/s | invocations | errors | mean batch size | seconds |")
print("|---|---|---|---|---|---|---|---|")
for fn, r in results.items():
    b = by_name.get(f"bench-dev-{fn}", {})
    inv, err = b.get("invocations", 0), b.get("errors", 0)
    mean = r["messages"] / inv if inv else float("nan")
    print(f"| {fn} | {r['messages']:,} | {r['messages'] / r['send_s']:,.0f} | {r['messages'] / r['e2e_s']:,.0f} | "
          f"{inv:,} | {err} | {mean:.2f} | {r['e2e_s']:.2f} |")
print("\nCPU seconds of the boto3 client (sending and polling), for a sense of how much of the machine it took: "
      + ", ".join(f"{fn} {r['client_cpu_s']:.2f} s" for fn, r in results.items()))
PY
echo
echo "uptime: $(uptime)"
