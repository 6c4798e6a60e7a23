#pragma once
// The Lambda Runtime API (version 2018-06-01) one function instance talks to.
//
// One instance = one RuntimeApiServer = one invocation at a time. The server listens on
// 127.0.0.1 on an ephemeral port; address() is what the child's AWS_LAMBDA_RUNTIME_API holds.
// The runtime (the child process) long-polls GET /runtime/invocation/next and answers with
// POST /runtime/invocation/{id}/response or /error; before its first /next it may report
// POST /runtime/init/error. Status codes and error bodies follow AWS (spec section 1):
//   - answer for an id other than the one in flight       -> 400 InvalidRequestID
//   - answer with nothing in flight (none yet, or twice)   -> 403 InvalidStateTransition
//   - init/error after the first /next                     -> 403 InvalidStateTransition
//   - /next while an invocation is in flight               -> 403 InvalidStateTransition
//   - response body over kMaxResponseBytes                 -> 413 RequestEntityTooLarge
//   - /next once the server is stopping or the process gone-> 500 (the runtime should exit)
//   - any other path                                       -> 404 NotFound
//
// The engine side is one blocking call, invoke(): it hands the event to the runtime's /next and
// waits for the answer, the deadline, or the end of the instance. An event loop drives the same
// exchange without blocking: try_start(), then step() whenever watch_fds() are readable.
// Every method is thread-safe. No exception escapes except from the constructor.
//
// Transport: a purpose-built HTTP/1.1 server (net/http_wire.hpp) - one thread accepts, one thread per
// connection (a runtime keeps one), keep-alive, Content-Length or chunked bodies, Expect:
// 100-continue; each response leaves in one send() on a TCP_NODELAY socket. The hot path has no
// thread handoff: invoke() itself writes the event on the connection whose /next waits, reads the
// runtime's answer there and answers it; when the runtime's next /next has not arrived yet, invoke()
// reads that connection for it too. Requests arriving while no invoke() runs are served by the
// connection's thread, which sleeps until the socket has something to read. A runtime whose
// connection dies after /next took an event leaves that invocation in flight until the deadline
// or instance_gone(): the engine reports the process exit.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace stratus::runtime_api {

using Clock = std::chrono::steady_clock;

// 6 MiB + 100 bytes: Lambda's cap on a synchronous response (RIE, spec section 6).
inline constexpr std::size_t kMaxResponseBytes = 6 * 1024 * 1024 + 100;

struct Invocation {
  std::string request_id;                       // UUID v4 (stratus::new_request_id)
  std::string event;                            // raw bytes, the /next body
  std::int64_t deadline_ms = 0;                 // absolute Unix epoch ms, Lambda-Runtime-Deadline-Ms
  std::string invoked_function_arn;             // Lambda-Runtime-Invoked-Function-Arn
  std::string trace_id;                         // Lambda-Runtime-Trace-Id (stratus::new_trace_id)
  std::optional<std::string> client_context;    // decoded JSON; header sent only when present
  std::optional<std::string> cognito_identity;  // JSON; header sent only when present
};

enum class OutcomeKind {
  success,             // /response: body + content_type
  function_error,      // /error: error_type + body
  init_error,          // /init/error before the first /next: error_type + body
  timeout,             // the deadline passed with no answer
  response_too_large,  // /response over kMaxResponseBytes: error_type + AWS's JSON body
  instance_gone,       // instance_gone() or stop() while waiting
};

struct InvokeOutcome {
  OutcomeKind kind = OutcomeKind::instance_gone;
  std::string body;          // response bytes, or the error JSON as the runtime sent it
  std::string content_type;  // Content-Type of the /response or /error request ("" if none)
  // function_error / init_error: the Lambda-Runtime-Function-Error-Type header, else the body's
  // "errorType", else "Unhandled". response_too_large: "Function.ResponseSizeTooLarge".
  std::string error_type;
  std::optional<Clock::time_point> picked_up_at;  // when /next handed the event over
  std::optional<Clock::time_point> answered_at;   // when the answer's request arrived complete
};

// The JSON body Lambda returns for an oversized response of `size` bytes.
std::string response_too_large_body(std::size_t size);

enum class ReadyState { ready, init_error, gone, timeout };

// What an event loop watches while it drives an invocation: the runtime's socket (-1 when it is
// not read: broken, or the answer comes on another connection) and a wake-up eventfd. `connection`
// names the runtime connection `socket` belongs to (a new one gets a new number, even on a reused
// fd), so a loop can keep both registered between invocations and re-register only on a change.
// Both are read to EAGAIN by step(), so an edge-triggered registration misses nothing.
struct WatchFds {
  int socket = -1;
  int wake = -1;
  std::uint64_t connection = 0;
};

class RuntimeApiServer {
 public:
  // Binds 127.0.0.1:0 and starts serving. Throws std::runtime_error if the socket cannot be bound.
  RuntimeApiServer();
  ~RuntimeApiServer();  // stop()
  RuntimeApiServer(const RuntimeApiServer&) = delete;
  RuntimeApiServer& operator=(const RuntimeApiServer&) = delete;

  int port() const;
  std::string address() const;  // "127.0.0.1:PORT"

  // A connection that needs no TCP: one end of a Unix socket pair, served like an accepted
  // connection; the other end (close-on-exec) is returned for the runtime to inherit, or -1 when
  // none could be made. Our own bootstraps talk over it: about half the kernel work of loopback
  // TCP per request. The caller closes the returned descriptor once the child has it.
  int local_connection();

  // Offers `inv` to the runtime and blocks until it answers, until `deadline` (timeout), or until
  // the instance is gone/stopped. One call at a time: a concurrent second call returns
  // instance_gone with error_type "Stratus.Busy" at once. A pending init error is returned as
  // init_error without offering the event. After a timeout, a late answer gets 403.
  InvokeOutcome invoke(const Invocation& inv, Clock::time_point deadline);

  // The same for an event loop, which never blocks: starts `inv` when the runtime's /next is
  // already parked (else false, nothing done; use invoke()). The loop then watches watch_fds() for
  // reading and calls step() when one is readable, and at the deadline: the outcome once the
  // invocation ended, else nullopt. `woken`: the wake fd was readable (it is drained only then).
  // A step() that would have to wait for a body (still arriving, chunked, or behind 100 Continue)
  // sets `blocked`: a thread that may block then ends the invocation with finish_blocking(). Only
  // the caller of try_start() calls these, until the end.
  bool try_start(const Invocation& inv, Clock::time_point deadline);
  WatchFds watch_fds() const;
  std::optional<InvokeOutcome> step(bool woken, bool& blocked);
  InvokeOutcome finish_blocking();

  // Blocks until the runtime's first /next (ready), its init error, gone/stop, or `deadline`.
  ReadyState wait_ready(Clock::time_point deadline);

  // The time of the first /next (Init Duration = spawn -> this), once it happened.
  std::optional<Clock::time_point> first_next_at() const;
  // Called once, on the server's thread, at the first /next, with its time. Set before the
  // runtime is spawned; must not call back into the server.
  void on_first_next(std::function<void(Clock::time_point)> callback);

  // The engine saw the process exit: a waiting invoke() returns instance_gone, /next gets 500.
  void instance_gone();

  // Unblocks a waiting /next (500) and invoke() (instance_gone), stops listening and joins the
  // server's threads. Idempotent.
  void stop();

 private:
  struct State;
  std::unique_ptr<State> m_state;
};

}  // namespace stratus::runtime_api
