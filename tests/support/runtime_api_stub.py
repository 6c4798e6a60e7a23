#!/usr/bin/env python3
"""A minimal Lambda Runtime API (2018-06-01) server, for tests only: hands a fixed list of events to
one runtime process and prints, one JSON line each on stdout, what the runtime posts back.

    runtime_api_stub.py [--events JSON-LIST] [--handler index.handler] [--function NAME]
                        [--timeout-s S] [--code-dir DIR] -- BOOTSTRAP [ARGS...]

It listens on 127.0.0.1 (a free port), starts BOOTSTRAP in its own process group with
AWS_LAMBDA_RUNTIME_API, _HANDLER, LAMBDA_TASK_ROOT and the other variables Lambda sets (cwd = the code
dir, default the bootstrap's folder), serves /next once per event, and when every event has been
answered (or after --timeout-s, default 30) stops the process group and exits: 0 if every event got
a /response or /error, 1 otherwise. Standard library only.

Printed lines: {"kind": "response"|"error"|"init_error", "requestId", "status", "headers", "body"}
where body is parsed JSON when it parses, else text.
"""
import argparse
import http.server
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid

PREFIX = "/2018-06-01/runtime"


class State:
    def __init__(self, events, function, timeout_s):
        self.lock = threading.Condition()
        self.pending = list(events)  # events not yet handed out
        self.outstanding = {}  # request id -> event handed out, not yet answered
        self.answered = 0
        self.total = len(events)
        self.function = function
        self.timeout_s = timeout_s
        self.done = threading.Event()


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # The runtime is killed while it waits on /next: a reset connection is expected then.
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


def make_handler(state):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body leave in one send with Nagle off: two sends cost ~40 ms per invoke
        # (Nagle + delayed ACK), which would hide the runtime's own speed.
        disable_nagle_algorithm = True

        def log_message(self, *args):
            pass

        def reply(self, status, body, headers=()):
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            lines = [f"HTTP/1.1 {status} {self.responses.get(status, ('',))[0]}",
                     "Content-Type: application/json", f"Content-Length: {len(data)}"]
            lines += [f"{k}: {v}" for k, v in headers]
            self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode() + data)

        def do_GET(self):
            if self.path != PREFIX + "/invocation/next":
                return self.reply(404, {"errorMessage": "not found", "errorType": "NotFound"})
            with state.lock:
                # Lambda's /next blocks until there is work; here, until the stub stops.
                while not state.pending and not state.done.is_set():
                    state.lock.wait(0.2)
                if state.done.is_set():
                    self.close_connection = True
                    return
                event = state.pending.pop(0)
                request_id = str(uuid.uuid4())
                state.outstanding[request_id] = event
            deadline_ms = int(time.time() * 1000) + 3000
            self.reply(200, json.dumps(event).encode(), [
                ("Lambda-Runtime-Aws-Request-Id", request_id),
                ("Lambda-Runtime-Deadline-Ms", str(deadline_ms)),
                ("Lambda-Runtime-Invoked-Function-Arn",
                 f"arn:aws:lambda:us-east-1:000000000000:function:{state.function}"),
                ("Lambda-Runtime-Trace-Id",
                 "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1"),
            ])

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = raw.decode(errors="replace")
            parts = self.path[len(PREFIX):].strip("/").split("/") if self.path.startswith(PREFIX) else []
            if parts == ["init", "error"]:
                kind, request_id = "init_error", None
            elif len(parts) == 3 and parts[0] == "invocation" and parts[2] in ("response", "error"):
                kind, request_id = parts[2], parts[1]
            else:
                return self.reply(404, {"errorMessage": "not found", "errorType": "NotFound"})
            with state.lock:
                if request_id is not None and state.outstanding.pop(request_id, None) is None:
                    return self.reply(400, {"errorMessage": "unknown request id",
                                            "errorType": "InvalidRequestID"})
                keep = {k: v for k, v in self.headers.items() if k.lower().startswith("lambda-runtime")}
                print(json.dumps({"kind": kind, "requestId": request_id, "headers": keep, "body": body}),
                      flush=True)
                if request_id is not None:
                    state.answered += 1
                if kind == "init_error" or state.answered == state.total:
                    state.done.set()
                state.lock.notify_all()
            self.reply(202, {"status": "OK"})

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", default='[{"hello": "world"}]')
    parser.add_argument("--handler", default="index.handler")
    parser.add_argument("--function", default="ric-node")
    parser.add_argument("--timeout-s", type=float, default=30)
    parser.add_argument("--code-dir")
    parser.add_argument("bootstrap", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.bootstrap[1:] if args.bootstrap[:1] == ["--"] else args.bootstrap
    if not command:
        parser.error("give the bootstrap to run after --")
    events = json.loads(args.events)
    state = State(events, args.function, args.timeout_s)

    server = Server(("127.0.0.1", 0), make_handler(state))
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()

    code_dir = os.path.abspath(args.code_dir or os.path.dirname(os.path.abspath(command[0])))
    env = dict(os.environ)
    env.update({
        "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{port}",
        "_HANDLER": args.handler,
        "LAMBDA_TASK_ROOT": code_dir,
        "AWS_LAMBDA_FUNCTION_NAME": args.function,
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{args.function}",
        "AWS_LAMBDA_LOG_STREAM_NAME": "2026/01/01/[$LATEST]stub",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
    })
    print(f"stub: listening on 127.0.0.1:{port}, running {' '.join(command)} with _HANDLER={args.handler}",
          file=sys.stderr, flush=True)
    started = time.monotonic()
    child = subprocess.Popen([os.path.abspath(command[0])] + command[1:], cwd=code_dir, env=env,
                             start_new_session=True)
    try:
        while not state.done.wait(0.05):
            if child.poll() is not None:
                print(f"stub: the runtime exited with {child.returncode} before answering", file=sys.stderr)
                break
            if time.monotonic() - started > args.timeout_s:
                print(f"stub: gave up after {args.timeout_s} s", file=sys.stderr)
                break
    finally:
        state.done.set()
        with state.lock:
            state.lock.notify_all()
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGTERM)
            try:
                child.wait(2)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()
        server.shutdown()
    print(f"stub: {state.answered}/{state.total} answered in {time.monotonic() - started:.3f} s",
          file=sys.stderr)
    return 0 if state.answered == state.total else 1


if __name__ == "__main__":
    sys.exit(main())
