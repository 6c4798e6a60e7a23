"""Stratus Lambda runtime client for python3.x: speaks the Lambda Runtime API (2018-06-01).

Imported by the bootstrap.py beside it (as a module its byte code is cached, not compiled at every cold start).

Standard library only, and only its cheap modules: this runs on every cold start. Reads AWS_LAMBDA_RUNTIME_API, _HANDLER and LAMBDA_TASK_ROOT, imports the handler
once, then loops on /next. Error payloads and messages follow AWS's Python runtime interface client.
Writes nothing of its own to stdout; init and invoke failures are logged to stderr.
"""
import importlib
import json
import os
import _socket  # the C module itself: `import socket` adds ~4 ms to every cold start
import sys
import time

# Kept off the import list on purpose: http.client pulls in email and ssl (tens of ms per cold start),
# traceback is only needed on the error path and is imported there.

API_PREFIX = "/2018-06-01/runtime"
ERROR_TYPE_HEADER = "Lambda-Runtime-Function-Error-Type"


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # lower-cased names
        self.body = body


class RuntimeClient:
    """HTTP/1.1 over one keep-alive socket; each request leaves in one send() with Nagle off.

    `fd`: a connection to the Runtime API the engine passed down (a Unix socket: half the kernel work of
    loopback TCP per request), used first; once it ends, the client connects to `address` by TCP."""

    def __init__(self, address, fd=None):
        host, _, port = address.rpartition(":")
        self.address = (host or "127.0.0.1", int(port))
        self.host_header = address
        self.sock = None
        self.buf = b""
        self.fd = fd

    def _connect(self):
        fd, self.fd = self.fd, None
        if fd is not None:
            try:
                os.set_inheritable(fd, False)  # the function's own child processes do not get it
                sock = _socket.socket(fileno=fd)
                # With a time-out, Python waits for data in poll() before each recv(). A thread asleep in
                # recv() on a Unix socket is also woken each time the engine reads what it sent (the kernel
                # signals free space on the same wait queue): a second wake-up per invocation. poll() only
                # wakes for data. The time-out itself never matters (_fill simply waits again).
                sock.settimeout(86400.0)
                self.sock = sock
                self.buf = b""
                return
            except OSError:
                pass  # not an open socket: TCP below
        host, port = self.address
        family, kind, proto, _, addr = _socket.getaddrinfo(host, port, 0, _socket.SOCK_STREAM)[0]
        sock = _socket.socket(family, kind, proto)  # no timeout: /next is a long poll
        try:
            sock.connect(addr)
        except OSError:
            sock.close()
            raise
        sock.setsockopt(_socket.IPPROTO_TCP, _socket.TCP_NODELAY, 1)
        self.sock = sock
        self.buf = b""

    def _close(self):
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
        self.sock = None

    def _fill(self):
        while True:
            try:
                chunk = self.sock.recv(65536)
                break
            except _socket.timeout:
                continue  # an idle instance waits for its next event as long as it lives
        if not chunk:
            raise ConnectionError("runtime API closed the connection")
        self.buf += chunk

    def _read_exact(self, n):
        while len(self.buf) < n:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def _read_line(self):
        while True:
            i = self.buf.find(b"\r\n")
            if i >= 0:
                line, self.buf = self.buf[:i], self.buf[i + 2:]
                return line
            self._fill()

    def _read_response(self):
        while True:
            i = self.buf.find(b"\r\n\r\n")
            if i >= 0:
                break
            self._fill()
        head, self.buf = self.buf[:i].decode("latin-1"), self.buf[i + 4:]
        lines = head.split("\r\n")
        status = int(lines[0][9:12])  # "HTTP/1.1 200 OK"
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.lower()] = value.strip()
        if "chunked" in headers.get("transfer-encoding", "").lower():
            body = b""
            while True:
                size = int(self._read_line().split(b";")[0], 16)
                if size == 0:
                    while self._read_line():
                        pass
                    break
                body += self._read_exact(size)
                self._read_exact(2)
        else:
            body = self._read_exact(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            self._close()
        return Response(status, headers, body)

    def _encode(self, method, path, body=None, headers=None):
        lines = ["%s %s%s HTTP/1.1" % (method, API_PREFIX, path), "Host: " + self.host_header]
        if body is not None:
            lines.append("Content-Type: application/json")
            lines.append("Content-Length: %d" % len(body))
        for name, value in (headers or {}).items():
            lines.append("%s: %s" % (name, value))
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b"")

    def _request(self, method, path, body=None, headers=None):
        data = self._encode(method, path, body, headers)
        for attempt in (0, 1):
            fresh = self.sock is None
            try:
                if fresh:
                    self._connect()
                self.sock.sendall(data)
                return self._read_response()
            except (ConnectionError, OSError):
                self._close()
                # Only a reused keep-alive socket the server had already closed earns one retry.
                if attempt or fresh:
                    raise

    def next(self):
        return self._event(self._request("GET", "/invocation/next"))

    @staticmethod
    def _event(resp):
        if resp.status != 200:
            raise SystemExit("stratus bootstrap: /next answered %d" % resp.status)
        return resp, resp.body

    def answer_and_next(self, path, body, headers=None):
        """Posts an invocation's answer and asks for the next event in the same write (HTTP/1.1
        pipelining): one send instead of two. Whatever goes wrong on the way falls back to the two
        requests one at a time."""
        answer = self._encode("POST", path, body, headers)
        if self.sock is None:
            self._request("POST", path, body, headers)
            return self.next()
        try:
            self.sock.sendall(answer + self._encode("GET", "/invocation/next"))
            self._read_response()  # the answer's 202
        except (ConnectionError, OSError):
            self._close()  # a stale keep-alive socket: the answer again, alone, on a fresh one
            self._request("POST", path, body, headers)
            return self.next()
        if self.sock is not None:
            try:
                return self._event(self._read_response())
            except (ConnectionError, OSError):
                self._close()  # a server that does not pipeline closes here: ask again, alone
        return self.next()

    def respond_and_next(self, request_id, body):
        return self.answer_and_next("/invocation/%s/response" % request_id, body)

    def error_and_next(self, request_id, error):
        return self.answer_and_next("/invocation/%s/error" % request_id, _error_bytes(error),
                                    {ERROR_TYPE_HEADER: _header_safe(error["errorType"])})

    def post_init_error(self, error):
        self._request("POST", "/init/error", _error_bytes(error),
                      {ERROR_TYPE_HEADER: _header_safe(error["errorType"])})


def _header_safe(value):
    return "".join(c if " " <= c <= "~" else "?" for c in str(value))


class FaultException(Exception):
    def __init__(self, error_type, msg, trace=None):
        super().__init__(msg)
        self.error_type = error_type
        self.msg = msg
        self.trace = trace


def make_error(message, error_type, stack_trace, request_id=""):
    return {"errorMessage": message, "errorType": error_type, "requestId": request_id or "",
            "stackTrace": stack_trace if stack_trace is not None else []}


def _error_bytes(error):
    return json.dumps(error).encode("utf-8")


class _Encoder(json.JSONEncoder):
    # AWS's marshaller turns Decimal (what boto3's DynamoDB layer returns) into numbers. A Decimal can
    # only exist once its module is loaded, so the check costs no import.
    def default(self, o):
        decimal = sys.modules.get("decimal")
        if decimal is not None and isinstance(o, decimal.Decimal):
            return int(o) if o == o.to_integral_value() else float(o)
        return super().default(o)


_ENCODER = _Encoder()  # json.dumps(obj, cls=...) would build one per call, a microsecond each


def to_json(obj):
    return _ENCODER.encode(obj).encode("utf-8")


def load_handler(handler):
    try:
        modname, fname = handler.rsplit(".", 1)
    except ValueError as e:
        raise FaultException("Runtime.MalformedHandlerName", "Bad handler '%s': %s" % (handler, e))
    modname = modname.replace("/", ".")
    try:
        module = importlib.import_module(modname)
    except ImportError as e:
        raise FaultException("Runtime.ImportModuleError", "Unable to import module '%s': %s" % (modname, e))
    except SyntaxError as e:
        trace = ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)]
        raise FaultException("Runtime.UserCodeSyntaxError",
                             "Syntax error in module '%s': %s" % (modname, e), trace)
    func = getattr(module, fname, None)
    if func is None:
        raise FaultException("Runtime.HandlerNotFound", "Handler '%s' missing on module '%s'" % (fname, modname))
    return func


def fault_from_exception(exc, request_id=""):
    import traceback

    # Frames of this file are not the user's: the stack starts at the first frame outside it.
    frames = traceback.extract_tb(exc.__traceback__)
    here = os.path.abspath(__file__)
    while frames and os.path.abspath(frames[0].filename) == here:
        frames = frames[1:]
    return make_error(str(exc), type(exc).__name__, traceback.format_list(frames), request_id)


current_request_id = None
_logging_ready = False


def _setup_logging():
    """The root-logger handler of AWS's Python runtime: "[LEVEL]\t<ISO time>\t<request id>\t<message>".

    Installed only once the function has imported logging itself: importing it here would add milliseconds to every
    cold start of a function that never logs.
    """
    global _logging_ready
    _logging_ready = True
    import logging

    class RequestIdFilter(logging.Filter):
        def filter(self, record):
            record.aws_request_id = current_request_id
            return True

    handler = logging.StreamHandler(sys.stdout)
    formatter = logging.Formatter("[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s",
                                  "%Y-%m-%dT%H:%M:%S")
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    handler.addFilter(RequestIdFilter())
    logging.getLogger().addHandler(handler)


def log_error(error):
    lines = ["[ERROR] %s: %s" % (error["errorType"], error["errorMessage"])]
    if error["stackTrace"]:
        lines.append("Traceback (most recent call last):")
        lines.extend(s.rstrip("\n") for s in error["stackTrace"])
    sys.stderr.write("\r".join(lines) + "\n")


class CognitoIdentity:
    __slots__ = ["cognito_identity_id", "cognito_identity_pool_id"]


class Client:
    __slots__ = ["installation_id", "app_title", "app_version_name", "app_version_code", "app_package_name"]


class ClientContext:
    __slots__ = ["custom", "env", "client"]


def _obj_from_dict(cls, d):
    obj = cls()
    for key in cls.__slots__:
        setattr(obj, key, (d or {}).get(key))
    return obj


class LambdaContext:
    # What the environment fixes for the instance's life, read once (main) rather than per invocation;
    # memory_limit_in_mb is a string, as in AWS's Python runtime (it reads the variable as is).
    log_group_name = log_stream_name = function_name = memory_limit_in_mb = function_version = None

    @classmethod
    def read_environment(cls):
        env = os.environ
        cls.log_group_name = env.get("AWS_LAMBDA_LOG_GROUP_NAME")
        cls.log_stream_name = env.get("AWS_LAMBDA_LOG_STREAM_NAME")
        cls.function_name = env.get("AWS_LAMBDA_FUNCTION_NAME")
        cls.memory_limit_in_mb = env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        cls.function_version = env.get("AWS_LAMBDA_FUNCTION_VERSION")

    def __init__(self, request_id, deadline_ms, arn, client_context, identity):
        self.aws_request_id = request_id
        self.invoked_function_arn = arn
        self._deadline_ms = deadline_ms
        self.identity = _obj_from_dict(CognitoIdentity, _parse_json_header(identity))
        self.client_context = None
        if client_context:
            cc = _parse_json_header(client_context)
            if isinstance(cc, dict):
                self.client_context = _obj_from_dict(ClientContext, cc)
                self.client_context.client = _obj_from_dict(Client, cc.get("client"))

    def get_remaining_time_in_millis(self):
        return max(self._deadline_ms - int(time.time() * 1000), 0)

    def __repr__(self):
        return "LambdaContext([aws_request_id=%s,function_name=%s,invoked_function_arn=%s])" % (
            self.aws_request_id, self.function_name, self.invoked_function_arn)


def _parse_json_header(value):
    if not value:
        return {}
    try:
        parsed = json.loads(value)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _flush():
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass


def handle_one(client, handler, resp, event_bytes):
    global current_request_id
    headers = resp.headers  # lower-cased names
    request_id = headers.get("lambda-runtime-aws-request-id", "")
    current_request_id = request_id
    if not _logging_ready and "logging" in sys.modules:
        _setup_logging()
    trace_id = headers.get("lambda-runtime-trace-id")
    if trace_id:
        os.environ["_X_AMZN_TRACE_ID"] = trace_id
    else:
        os.environ.pop("_X_AMZN_TRACE_ID", None)
    try:
        deadline_ms = int(headers.get("lambda-runtime-deadline-ms", "0"))
    except ValueError:
        deadline_ms = 0
    context = LambdaContext(request_id, deadline_ms, headers.get("lambda-runtime-invoked-function-arn"),
                            headers.get("lambda-runtime-client-context"),
                            headers.get("lambda-runtime-cognito-identity"))
    error = None
    body = None
    try:
        try:
            event = json.loads(event_bytes) if event_bytes else None
        except ValueError as e:
            raise FaultException("Runtime.UnmarshalError", "Unable to unmarshal input: %s" % e)
        result = handler(event, context)
        try:
            body = to_json(result)
        except (TypeError, ValueError) as e:
            raise FaultException("Runtime.MarshalError", "Unable to marshal response: %s" % e)
    except FaultException as e:
        error = make_error(e.msg, e.error_type, e.trace, request_id)
    except Exception as e:
        error = fault_from_exception(e, request_id)
    if error is not None:
        log_error(error)
    _flush()
    if error is not None:
        return client.error_and_next(request_id, error)
    return client.respond_and_next(request_id, body)


def main():
    # Lambda's Python runtime flushes every write, so a function killed at its timeout still has its logs.
    # Line buffering gets that for each line at a fraction of the cost; the rest is flushed per invoke.
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(line_buffering=True)
        except (AttributeError, ValueError):
            pass
    address = os.environ.get("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001")
    passed = os.environ.pop("_STRATUS_RUNTIME_API_FD", "")  # the engine's, not the function's
    task_root = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
    sys.path.insert(0, task_root)
    client = RuntimeClient(address, int(passed) if passed.isdigit() else None)
    LambdaContext.read_environment()
    try:
        handler = load_handler(os.environ.get("_HANDLER", ""))
    except FaultException as e:
        error = make_error(e.msg, e.error_type, e.trace)
        log_error(error)
        _flush()
        client.post_init_error(error)
        sys.exit(1)
    except Exception as e:
        # Code that raises while being imported: AWS reports the exception itself as the init error.
        error = fault_from_exception(e)
        log_error(error)
        _flush()
        client.post_init_error(error)
        sys.exit(1)
    resp, event_bytes = client.next()
    while True:
        resp, event_bytes = handle_one(client, handler, resp, event_bytes)
