#!/usr/bin/env bash
# Builds stratus and runs the bundled example service (tests/fixtures/services/example) on the
# emulator: validate, package, one `invoke local`, then `stratus offline` serving its HTTP API on
# 127.0.0.1:3000 and the Lambda Invoke API on 127.0.0.1:3002 until Ctrl-C (a curl and an
# `aws lambda invoke` against them are printed to try).
#
#   scripts/run-example.sh           serve until Ctrl-C
#   scripts/run-example.sh --check   invoke each function once through the Invoke API, call the
#                                    HTTP API once, then stop
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh stratus
example=tests/fixtures/services/example
stratus=$PWD/build/stratus
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
set -x
"$stratus" validate -c "$example/serverless.yml"
"$stratus" package -c "$example/serverless.yml" --package "$out"
"$stratus" invoke local -c "$example/serverless.yml" -f getOrder --data '{"pathParameters": {"id": "42"}}'
set +x
if [[ ${1:-} != --check ]]; then
  echo "Try: curl http://127.0.0.1:3000/orders/42"
  echo " or: aws lambda invoke --endpoint-url http://127.0.0.1:3002 --function-name getOrder out.json"
  exec "$stratus" offline -c "$example/serverless.yml" --http-port 3000 --lambda-port 3002
fi
# --check: serve on a free port, invoke every function once with curl, stop with SIGINT.
"$stratus" offline -c "$example/serverless.yml" --http-port 0 --lambda-port 0 --aws-port 0 --json >"$out/banner" 2>"$out/log" &
pid=$!
for _ in $(seq 200); do [[ -s $out/banner ]] && break; sleep 0.05; done
endpoint=$(sed -n 's/.*"lambdaEndpoint":"\([^"]*\)".*/\1/p' "$out/banner")
[[ -n $endpoint ]] || { cat "$out/log" >&2; kill "$pid"; exit 1; }
status=0
for fn in createOrder getOrder nightlyReport processOrder onUpload; do
  code=$(curl -s -o "$out/$fn.json" -w '%{http_code}' -X POST -d '{}' "$endpoint/2015-03-31/functions/$fn/invocations")
  echo "$fn: HTTP $code $(head -c 200 "$out/$fn.json")"
  [[ $code == 200 ]] || status=1
done
http=$(sed -n 's/.*"httpEndpoint":"\([^"]*\)".*/\1/p' "$out/banner")
code=$(curl -s -o "$out/http.json" -w '%{http_code}' "$http/orders/42")
echo "GET $http/orders/42: HTTP $code $(head -c 200 "$out/http.json")"
[[ $code == 200 ]] || status=1
kill -INT "$pid"
wait "$pid"
"$stratus" billing -c "$example/serverless.yml"
exit "$status"
