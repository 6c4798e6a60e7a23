#include "emulator/runtime_api/server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <limits>
#include <list>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>
#include <utility>

#include "emulator/net/http_wire.hpp"

namespace stratus::runtime_api {
namespace {

namespace wire = net::wire;

// Bodies are kept up to the response limit: a larger one is still read (the connection stays in
// step) and only counted, which is all a 413 needs.
const wire::Limits kBodyLimits{.body_keep = kMaxResponseBytes,
                               .body_max = std::numeric_limits<std::size_t>::max()};

constexpr const char* kJson = "application/json";
constexpr const char* kErrorTypeHeader = "Lambda-Runtime-Function-Error-Type";

void send_error(wire::Response& res, int status, const std::string& type, const std::string& message) {
  res.status = status;
  nlohmann::json body = {{"errorMessage", message}, {"errorType", type}};
  res.body = body.dump();
}

// The header wins (the RICs set it to the precise type); else the body's errorType; else what
// AWS reports for an unclassified failure.
std::string error_type_of(const wire::Request& req, const std::string& body) {
  std::string header = req.header(kErrorTypeHeader);
  if (!header.empty()) return header;
  auto parsed = nlohmann::json::parse(body, nullptr, false);
  if (parsed.is_object()) {
    auto it = parsed.find("errorType");
    if (it != parsed.end() && it->is_string() && !it->get<std::string>().empty())
      return it->get<std::string>();
  }
  return "Unhandled";
}

}  // namespace

std::string response_too_large_body(std::size_t size) {
  nlohmann::json body = {{"errorMessage", "Response payload size (" + std::to_string(size) +
                                              " bytes) exceeded maximum allowed payload size (" +
                                              std::to_string(kMaxResponseBytes) + " bytes)."},
                         {"errorType", "Function.ResponseSizeTooLarge"}};
  return body.dump();
}

struct RuntimeApiServer::State {
  int listen_fd = -1;
  int wake_fd = -1;     // eventfd: stop() wakes the accept loop through it
  int invoker_fd = -1;  // eventfd (non-blocking): wakes an invoke() polling its runtime's socket
  std::thread acceptor;
  int port = 0;
  // One runtime connection. Its thread reads requests until one is a /next; that /next is then
  // "parked" and the connection is lent to the invoke() that takes it: the invoking thread writes
  // the event and reads the runtime's answer itself, then hands the connection back. The thread
  // sleeps in epoll_wait on the socket (one-shot, armed only while the thread owns the connection)
  // and on `wake`: handing the connection back re-arms the socket without waking the thread, which
  // then wakes only when the runtime's next request arrives. The fields below `done` are guarded
  // by `mutex`.
  struct Conn {
    Conn(int f, int e, int w, std::uint64_t n) : fd(f), epoll(e), wake(w), id(n), wire(f) {}
    int fd;
    int epoll;              // the socket (EPOLLONESHOT) and `wake`
    int wake;               // eventfd (non-blocking): stop/gone while parked, or handed back with work to do
    std::uint64_t id;       // 1, 2, ... in the order the runtime connected (WatchFds::connection)
    wire::Connection wire;  // used by whoever owns the connection: its thread, or the invoker
    std::thread thread;
    std::atomic<bool> done{false};
    bool parked = false;          // a /next was read here and waits for an event
    bool next_keep_alive = true;  // that /next's keep-alive
    bool lent = false;            // an invoke() owns the socket
    bool closed = false;          // the invoker saw the connection end
    bool armed = false;           // the socket is armed in `epoll`
    void arm() {
      epoll_event ev{};
      ev.events = EPOLLIN | EPOLLONESHOT;
      ev.data.fd = fd;
      ::epoll_ctl(epoll, EPOLL_CTL_MOD, fd, &ev);
      armed = true;
    }
    void signal() {
      std::uint64_t one = 1;
      [[maybe_unused]] auto written = ::write(wake, &one, sizeof one);
    }
    void close_all() {
      ::close(fd);
      ::close(epoll);
      ::close(wake);
    }
  };
  std::mutex conns_mutex;  // guards conns; never held with `mutex`
  std::list<Conn> conns;
  std::uint64_t accepted = 0;  // connections so far (guarded by conns_mutex)
  std::mutex stop_mutex;       // serialises stop(); never held with `mutex`
  bool stopped = false;

  mutable std::mutex mutex;
  std::condition_variable ready_changed;    // wait_ready(): first /next, init error, gone, stop
  std::condition_variable invoker_changed;  // invoke() before it has a connection
  bool stopping = false;
  bool gone = false;
  bool busy = false;        // an invoke() is running
  std::list<Conn*> parked;  // connections whose /next waits, oldest first
  Conn* idle = nullptr;     // the connection the last invocation used, handed back armed and unread
  bool stealing = false;    // an invoke() reads `idle` for the runtime's /next itself
  std::optional<std::string> inflight_id;  // taken by /next, not yet answered
  std::optional<Clock::time_point> picked_up_at;
  std::optional<InvokeOutcome> outcome;  // the answer to the running invoke()
  std::optional<InvokeOutcome> init_error;
  std::optional<Clock::time_point> first_next;
  std::function<void(Clock::time_point)> first_next_callback;

  void signal_invoker();
  void wake_parked();  // under `mutex`: stopping/gone
  bool handle_next(Conn& conn, const wire::Request& req, wire::Response& res);
  void handle_answer(const wire::Request& req, wire::Response& res, const std::string& id, bool is_response,
                     bool by_invoker);
  void handle_init_error(const wire::Request& req, wire::Response& res);
  bool dispatch(Conn& conn, const wire::Request& req, wire::Response& res, bool by_invoker);
  // The invocation in flight on a lent connection (invoke(), or an event loop's try_start()).
  struct Running {
    Conn* conn = nullptr;
    Clock::time_point deadline;
    bool socket_ok = true;  // the connection stays usable after the invocation
    bool watch = true;      // the invoker reads the socket (false once it broke)
  };
  std::optional<Running> running;  // set and cleared by the invoker only

  bool start_locked(const Invocation& inv, Clock::time_point deadline, std::unique_lock<std::mutex>& lock);
  void send_event(Running& r, const Invocation& inv);
  std::optional<InvokeOutcome> advance(Running& r, bool may_block, bool& blocked);
  InvokeOutcome await(Running& r);
  InvokeOutcome complete(Running& r, InvokeOutcome out);
  void await_next_on(Conn& conn, Clock::time_point deadline);
  void serve_buffered(Conn& conn, bool& socket_ok);  // one request already read, on the invoker
  void give_back(Conn& conn, bool socket_ok);        // under `mutex`
  void serve(Conn& conn);
  void accept_loop();
  bool add_connection(int fd);  // serves `fd` on a thread of its own; false (fd closed) on failure
};

void RuntimeApiServer::State::signal_invoker() {
  std::uint64_t one = 1;
  [[maybe_unused]] auto written = ::write(invoker_fd, &one, sizeof one);
}

void RuntimeApiServer::State::wake_parked() {
  for (Conn* conn : parked) conn->signal();
}

// True when the /next was parked (no response yet: an invoke() answers it); else `res` is filled.
bool RuntimeApiServer::State::handle_next(Conn& conn, const wire::Request& req, wire::Response& res) {
  std::unique_lock lock(mutex);
  if (!first_next) {
    const auto now = Clock::now();
    first_next = now;
    auto callback = std::move(first_next_callback);
    ready_changed.notify_all();
    if (callback) {
      lock.unlock();
      callback(now);
      lock.lock();
    }
  }
  if (inflight_id) {
    send_error(
        res, 403, "InvalidStateTransition",
        "State transition from Invoke to Ready failed: invocation " + *inflight_id + " is not answered");
    return false;
  }
  if (stopping || gone) {
    // The instance is going away: AWS answers 500 and the runtime is expected to exit.
    send_error(res, 500, "Runtime.ExitError", "The execution environment is shutting down");
    return false;
  }
  conn.parked = true;
  conn.next_keep_alive = req.keep_alive;
  parked.push_back(&conn);
  if (busy) invoker_changed.notify_one();
  if (stealing && !conn.lent) signal_invoker();  // the /next came on another connection
  return true;
}

void RuntimeApiServer::State::handle_answer(const wire::Request& req, wire::Response& res,
                                            const std::string& id, bool is_response, bool by_invoker) {
  const std::size_t size = req.body_size;
  const auto arrived = Clock::now();

  std::lock_guard lock(mutex);
  if (!inflight_id) {
    send_error(res, 403, "InvalidStateTransition",
               "State transition from Ready to " +
                   std::string(is_response ? "InvocationResponse" : "InvocationErrorResponse") +
                   " failed: no invocation is in flight");
    return;
  }
  if (id != *inflight_id) {
    send_error(res, 400, "InvalidRequestID", "Invalid request ID: " + id);
    return;
  }
  InvokeOutcome out;
  out.answered_at = arrived;
  out.content_type = req.header("Content-Type");
  if (is_response && size > kMaxResponseBytes) {
    out.kind = OutcomeKind::response_too_large;
    out.error_type = "Function.ResponseSizeTooLarge";
    out.body = response_too_large_body(size);
    out.content_type = kJson;
    send_error(res, 413, "RequestEntityTooLarge",
               "Exceeded maximum allowed payload size (" + std::to_string(kMaxResponseBytes) + " bytes).");
  } else if (is_response) {
    out.kind = OutcomeKind::success;
    out.body = req.body;
    res.status = 202;
    res.body = R"({"status":"OK"})";
  } else {
    out.kind = OutcomeKind::function_error;
    out.error_type = error_type_of(req, req.body);
    out.body = req.body;
    res.status = 202;
    res.body = R"({"status":"OK"})";
  }
  inflight_id.reset();
  outcome = std::move(out);
  // An answer on another connection than the one the invoker polls (a runtime that opens a new
  // connection per request): wake it.
  if (!by_invoker) signal_invoker();
}

void RuntimeApiServer::State::handle_init_error(const wire::Request& req, wire::Response& res) {
  const auto arrived = Clock::now();
  std::lock_guard lock(mutex);
  if (first_next || init_error) {
    send_error(res, 403, "InvalidStateTransition",
               "State transition from Ready to InitError failed: the runtime is already initialised");
    return;
  }
  InvokeOutcome out;
  out.kind = OutcomeKind::init_error;
  out.answered_at = arrived;
  out.content_type = req.header("Content-Type");
  out.error_type = error_type_of(req, req.body);
  out.body = req.body;
  init_error = std::move(out);
  res.status = 202;
  res.body = R"({"status":"OK"})";
  ready_changed.notify_all();
  invoker_changed.notify_all();
}

// Serves one request; true when it was a /next that is now parked (nothing to write yet).
bool RuntimeApiServer::State::dispatch(Conn& conn, const wire::Request& req, wire::Response& res,
                                       bool by_invoker) {
  constexpr std::string_view kInvocation = "/2018-06-01/runtime/invocation/";
  std::string_view path = req.path;
  if (req.method == "GET" && path == "/2018-06-01/runtime/invocation/next")
    return handle_next(conn, req, res);
  if (req.method == "POST" && path == "/2018-06-01/runtime/init/error") {
    handle_init_error(req, res);
    return false;
  }
  if (req.method == "POST" && path.substr(0, kInvocation.size()) == kInvocation) {
    std::string_view rest = path.substr(kInvocation.size());
    std::size_t slash = rest.find('/');
    if (slash != 0 && slash != std::string_view::npos) {
      std::string_view kind = rest.substr(slash + 1);
      if (kind == "response" || kind == "error") {
        handle_answer(req, res, std::string(rest.substr(0, slash)), kind == "response", by_invoker);
        return false;
      }
    }
  }
  send_error(res, 404, "NotFound", "Unknown path: " + req.method + " " + req.path);
  return false;
}

// The invoker owns `r.conn` (its /next parked): the event goes out as the answer to that /next.
void RuntimeApiServer::State::send_event(Running& r, const Invocation& inv) {
  Conn& conn = *r.conn;
  wire::Response res;
  res.status = 200;
  res.headers.reserve(6);
  res.headers.emplace_back("Lambda-Runtime-Aws-Request-Id", inv.request_id);
  res.headers.emplace_back("Lambda-Runtime-Deadline-Ms", std::to_string(inv.deadline_ms));
  res.headers.emplace_back("Lambda-Runtime-Invoked-Function-Arn", inv.invoked_function_arn);
  res.headers.emplace_back("Lambda-Runtime-Trace-Id", inv.trace_id);
  if (inv.client_context) res.headers.emplace_back("Lambda-Runtime-Client-Context", *inv.client_context);
  if (inv.cognito_identity)
    res.headers.emplace_back("Lambda-Runtime-Cognito-Identity", *inv.cognito_identity);
  res.body = inv.event;
  // A connection that breaks (or was not keep-alive) leaves the invocation in flight: its answer
  // may still come on another connection.
  r.socket_ok = conn.wire.write_response(res, conn.next_keep_alive) && conn.next_keep_alive;
  if (!r.socket_ok) ::shutdown(conn.fd, SHUT_RDWR);  // FIN now, as the connection's thread would
  r.watch = r.socket_ok;                             // the invoker reads the socket
}

// Serves the runtime's requests on the lent socket as far as that needs no waiting: the outcome
// once the answer arrived (here or on another connection), the deadline passed, or the instance
// went away; nullopt when the runtime has to send more first. Without `may_block`, a request
// whose body is still arriving (or needs a 100 Continue) stops it with `blocked` set.
std::optional<InvokeOutcome> RuntimeApiServer::State::advance(Running& r, bool may_block, bool& blocked) {
  Conn& conn = *r.conn;
  wire::Request req;
  for (;;) {
    {
      std::unique_lock lock(mutex);
      if (outcome) {
        // A runtime that pipelines sends its answer and its next /next in one write: park that /next
        // here, so the connection's thread need not wake to read it.
        if (r.watch && !conn.parked && conn.wire.buffered_get()) {
          lock.unlock();
          serve_buffered(conn, r.socket_ok);
          lock.lock();
        }
        InvokeOutcome out = std::move(*outcome);
        outcome.reset();
        return out;
      }
      if (stopping || gone) return InvokeOutcome{};
    }
    if (Clock::now() >= r.deadline) {
      InvokeOutcome out;
      out.kind = OutcomeKind::timeout;
      return out;
    }
    if (!r.watch) return std::nullopt;
    switch (conn.wire.buffered_request()) {
      case wire::Connection::Buffered::complete: break;
      case wire::Connection::Buffered::body_pending:
        if (may_block) break;
        blocked = true;
        return std::nullopt;
      case wire::Connection::Buffered::nothing:
      case wire::Connection::Buffered::partial:
        switch (conn.wire.fill_nowait()) {
          case wire::Connection::Fill::data:
          case wire::Connection::Fill::drained: continue;
          case wire::Connection::Fill::again: return std::nullopt;
          case wire::Connection::Fill::closed:
            r.socket_ok = r.watch = false;
            ::shutdown(conn.fd, SHUT_RDWR);
            continue;
        }
    }
    if (conn.wire.read_request(req, kBodyLimits) != wire::ReadStatus::ok) {
      r.socket_ok = r.watch = false;
      ::shutdown(conn.fd, SHUT_RDWR);
      continue;
    }
    wire::Response reply;
    if (dispatch(conn, req, reply, true)) {
      // A /next after the answer came on another connection: it waits for the next invocation.
      std::lock_guard lock(mutex);
      if (outcome) {
        InvokeOutcome out = std::move(*outcome);
        outcome.reset();
        return out;
      }
      // Not reachable while an invocation is in flight (that /next gets 403); stay safe.
      r.watch = false;
      continue;
    }
    if (req.keep_alive && conn.wire.buffered_get()) {
      // The runtime pipelined its next /next behind this answer and waits for both replies: this one
      // leaves with the event, in one send, and the runtime wakes once per invocation, not twice.
      conn.wire.defer_response(reply, true);
      continue;
    }
    if (!conn.wire.write_response(reply, req.keep_alive) || !req.keep_alive) {
      r.socket_ok = r.watch = false;
      ::shutdown(conn.fd, SHUT_RDWR);
    }
  }
}

// advance() until the invocation ends, sleeping in poll() on the socket and the invoker eventfd.
InvokeOutcome RuntimeApiServer::State::await(Running& r) {
  for (;;) {
    bool blocked = false;
    if (auto out = advance(r, true, blocked)) return complete(r, std::move(*out));
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(r.deadline - Clock::now()).count();
    const int timeout_ms =
        static_cast<int>(std::clamp<decltype(left)>(left, 0, std::numeric_limits<int>::max()));
    pollfd fds[2] = {{invoker_fd, POLLIN, 0}, {r.conn->fd, POLLIN, 0}};
    const int n = ::poll(fds, r.watch ? 2 : 1, timeout_ms);
    if (n < 0 && errno != EINTR) return complete(r, InvokeOutcome{});
    if (n > 0 && fds[0].revents != 0) {
      std::uint64_t count;
      [[maybe_unused]] auto got = ::read(invoker_fd, &count, sizeof count);
    }
  }
}

// Under no lock: the invocation is over, whatever happened; the connection goes back to its thread
// and a late answer gets 403.
InvokeOutcome RuntimeApiServer::State::complete(Running& r, InvokeOutcome out) {
  std::lock_guard lock(mutex);
  Conn& conn = *r.conn;
  give_back(conn, r.socket_ok);
  if (!conn.closed && !conn.parked && conn.armed) idle = &conn;
  out.picked_up_at = picked_up_at;
  outcome.reset();
  inflight_id.reset();
  busy = false;
  running.reset();
  return out;
}

// Under `mutex`, with `busy` set: lends the oldest parked connection and writes the event on it.
bool RuntimeApiServer::State::start_locked(const Invocation& inv, Clock::time_point deadline,
                                           std::unique_lock<std::mutex>& lock) {
  if (parked.empty()) return false;
  Conn& conn = *parked.front();
  parked.pop_front();
  conn.parked = false;
  conn.lent = true;
  inflight_id = inv.request_id;
  picked_up_at = Clock::now();
  running = Running{&conn, deadline};
  lock.unlock();
  send_event(*running, inv);
  return true;
}

void RuntimeApiServer::State::serve_buffered(Conn& conn, bool& socket_ok) {
  wire::Request req;
  wire::Response reply;
  if (conn.wire.read_request(req, kBodyLimits) != wire::ReadStatus::ok) {
    socket_ok = false;
  } else if (!dispatch(conn, req, reply, true)) {
    socket_ok = conn.wire.write_response(reply, req.keep_alive) && req.keep_alive;
  }
  if (!socket_ok) ::shutdown(conn.fd, SHUT_RDWR);
}

void RuntimeApiServer::State::give_back(Conn& conn, bool socket_ok) {
  conn.lent = false;
  conn.closed = !socket_ok && !conn.parked;
  // Back to its thread: with nothing to do yet, arming the socket is enough (the thread wakes
  // when the runtime's next request arrives); a parked /next waits for the next invoke().
  if (conn.closed || (!conn.parked && conn.wire.buffered()))
    conn.signal();
  else if (!conn.parked)
    conn.arm();
}

// On the invoking thread, which took the idle `conn` from its thread: serves the runtime's requests
// on it until one is a /next (then parked, for invoke() to take as any other), a /next parks on
// another connection, the instance goes away, or the deadline. Hands the connection back.
void RuntimeApiServer::State::await_next_on(Conn& conn, Clock::time_point deadline) {
  wire::Request req;
  bool socket_ok = true;
  for (;;) {
    {
      std::lock_guard lock(mutex);
      if (!parked.empty() || stopping || gone || init_error) break;
    }
    const auto now = Clock::now();
    if (now >= deadline) break;
    if (!conn.wire.buffered()) {
      auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - now).count();
      int timeout_ms = static_cast<int>(std::min<decltype(left)>(left, std::numeric_limits<int>::max()));
      pollfd fds[2] = {{invoker_fd, POLLIN, 0}, {conn.fd, POLLIN, 0}};
      int n = ::poll(fds, 2, timeout_ms);
      if (n < 0 && errno != EINTR) break;
      if (n <= 0) continue;
      if (fds[0].revents != 0) {
        std::uint64_t count;
        [[maybe_unused]] auto got = ::read(invoker_fd, &count, sizeof count);
      }
      if (fds[1].revents == 0) continue;
    }
    if (conn.wire.read_request(req, kBodyLimits) != wire::ReadStatus::ok) {
      socket_ok = false;
      ::shutdown(conn.fd, SHUT_RDWR);
      break;
    }
    wire::Response res;
    if (dispatch(conn, req, res, true)) break;  // the /next: parked, invoke() takes it next
    if (!conn.wire.write_response(res, req.keep_alive) || !req.keep_alive) {
      socket_ok = false;
      ::shutdown(conn.fd, SHUT_RDWR);
      break;
    }
  }
  std::lock_guard lock(mutex);
  give_back(conn, socket_ok);
}

void RuntimeApiServer::State::serve(Conn& conn) {
  wire::Request req;
  for (;;) {
    bool owned;
    {
      std::unique_lock lock(mutex);
      if (conn.closed) break;
      if (conn.parked && !conn.lent && (stopping || gone)) {
        // The instance goes away while this /next waits: 500, the runtime is expected to exit.
        conn.parked = false;
        parked.remove(&conn);
        lock.unlock();
        wire::Response res;
        send_error(res, 500, "Runtime.ExitError", "The execution environment is shutting down");
        if (!conn.wire.write_response(res, conn.next_keep_alive) || !conn.next_keep_alive) break;
        continue;
      }
      owned = !conn.lent && !conn.parked;
      if (owned && !conn.armed && !conn.wire.buffered()) conn.arm();
    }
    if (!(owned && conn.wire.buffered())) {
      epoll_event events[2];
      int n = ::epoll_wait(conn.epoll, events, 2, -1);
      if (n < 0 && errno != EINTR) break;
      bool readable = false;
      for (int i = 0; i < n; ++i) {
        if (events[i].data.fd == conn.fd) {
          readable = true;
        } else {
          std::uint64_t count;
          [[maybe_unused]] auto got = ::read(conn.wake, &count, sizeof count);
        }
      }
      if (!readable) continue;
      std::lock_guard lock(mutex);
      // An invoke() may have taken the connection between the event and this lock: it reads.
      if (conn.lent || conn.parked) continue;
      conn.armed = false;  // one-shot: it fired
      if (idle == &conn) idle = nullptr;
    }
    if (conn.wire.read_request(req, kBodyLimits) != wire::ReadStatus::ok) break;
    wire::Response res;
    if (dispatch(conn, req, res, false)) continue;  // parked: an invoke() takes it from here
    if (!conn.wire.write_response(res, req.keep_alive) || !req.keep_alive) break;
  }
  {
    std::lock_guard lock(mutex);
    if (idle == &conn) idle = nullptr;
  }
  // FIN now so the peer sees the close; the descriptor itself is closed by the reaper or stop(), so
  // its number cannot be reused while stop() may still shut it down.
  ::shutdown(conn.fd, SHUT_RDWR);
  conn.done = true;
}

void RuntimeApiServer::State::accept_loop() {
  for (;;) {
    pollfd fds[2] = {{listen_fd, POLLIN, 0}, {wake_fd, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents != 0) return;
    int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    // Responses go out in one send; NODELAY keeps a runtime's split header/body writes from
    // waiting on a delayed ACK (~40 ms a call).
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    add_connection(fd);
  }
}

bool RuntimeApiServer::State::add_connection(int fd) {
  // A runtime that stops reading must not hold stop() forever.
  timeval send_timeout{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof send_timeout);
  std::lock_guard lock(conns_mutex);
  for (auto it = conns.begin(); it != conns.end();) {  // reap finished connections
    if (!it->done) {
      ++it;
      continue;
    }
    it->thread.join();
    it->close_all();
    it = conns.erase(it);
  }
  int ep = ::epoll_create1(EPOLL_CLOEXEC);
  int wake = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  epoll_event sock_ev{};
  sock_ev.events = EPOLLIN | EPOLLONESHOT;
  sock_ev.data.fd = fd;
  epoll_event wake_ev{};
  wake_ev.events = EPOLLIN;
  wake_ev.data.fd = wake;
  if (ep < 0 || wake < 0 || ::epoll_ctl(ep, EPOLL_CTL_ADD, fd, &sock_ev) != 0 ||
      ::epoll_ctl(ep, EPOLL_CTL_ADD, wake, &wake_ev) != 0) {
    if (ep >= 0) ::close(ep);
    if (wake >= 0) ::close(wake);
    ::close(fd);
    return false;
  }
  Conn& conn = conns.emplace_back(fd, ep, wake, ++accepted);
  conn.armed = true;
  conn.thread = std::thread([this, &conn] { serve(conn); });
  return true;
}

int RuntimeApiServer::local_connection() {
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) return -1;
  if (!m_state->add_connection(pair[0])) {
    ::close(pair[1]);
    return -1;
  }
  return pair[1];
}

RuntimeApiServer::RuntimeApiServer() : m_state(std::make_unique<State>()) {
  State& s = *m_state;
  s.listen_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (s.listen_fd < 0 || ::bind(s.listen_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(s.listen_fd, 16) != 0 ||
      ::getsockname(s.listen_fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0 ||
      (s.wake_fd = ::eventfd(0, EFD_CLOEXEC)) < 0 ||
      (s.invoker_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0) {
    std::string reason = std::strerror(errno);
    if (s.listen_fd >= 0) ::close(s.listen_fd);
    if (s.wake_fd >= 0) ::close(s.wake_fd);
    throw std::runtime_error("cannot listen on 127.0.0.1 for the Runtime API: " + reason);
  }
  s.port = ntohs(addr.sin_port);
  s.acceptor = std::thread([&s] { s.accept_loop(); });
}

RuntimeApiServer::~RuntimeApiServer() {
  stop();
}

int RuntimeApiServer::port() const {
  return m_state->port;
}

std::string RuntimeApiServer::address() const {
  return "127.0.0.1:" + std::to_string(m_state->port);
}

InvokeOutcome RuntimeApiServer::invoke(const Invocation& inv, Clock::time_point deadline) {
  State& s = *m_state;
  std::unique_lock lock(s.mutex);
  if (s.busy) {
    InvokeOutcome out;
    out.error_type = "Stratus.Busy";
    return out;
  }
  if (s.init_error) return *s.init_error;
  if (s.stopping || s.gone) return InvokeOutcome{};
  s.busy = true;
  s.picked_up_at.reset();
  s.outcome.reset();
  if (s.parked.empty() && s.idle && s.idle->armed && !s.idle->lent && !s.idle->parked && !s.idle->closed) {
    // The runtime's /next has most likely not arrived yet on the connection it used last: read it
    // here rather than have that connection's thread wake up to park it.
    State::Conn& conn = *s.idle;
    s.idle = nullptr;
    epoll_event none{};
    none.data.fd = conn.fd;
    ::epoll_ctl(conn.epoll, EPOLL_CTL_MOD, conn.fd, &none);
    conn.armed = false;
    conn.lent = true;
    s.stealing = true;
    lock.unlock();
    s.await_next_on(conn, deadline);
    lock.lock();
    s.stealing = false;
  }
  s.invoker_changed.wait_until(lock, deadline,
                               [&] { return !s.parked.empty() || s.init_error || s.stopping || s.gone; });
  InvokeOutcome out;
  if (s.init_error) {
    out = *s.init_error;
  } else if (s.stopping || s.gone) {
    out.kind = OutcomeKind::instance_gone;
  } else if (s.parked.empty()) {
    out.kind = OutcomeKind::timeout;
  } else {
    s.start_locked(inv, deadline, lock);
    return s.await(*s.running);
  }
  out.picked_up_at = s.picked_up_at;
  // Whatever happened, this invocation is over: a late answer to it gets 403.
  s.outcome.reset();
  s.inflight_id.reset();
  s.busy = false;
  return out;
}

bool RuntimeApiServer::try_start(const Invocation& inv, Clock::time_point deadline) {
  State& s = *m_state;
  std::unique_lock lock(s.mutex);
  if (s.busy || s.parked.empty() || s.init_error || s.stopping || s.gone) return false;
  s.busy = true;
  s.outcome.reset();
  return s.start_locked(inv, deadline, lock);
}

WatchFds RuntimeApiServer::watch_fds() const {
  const State& s = *m_state;
  const bool watched = s.running && s.running->watch;
  return {watched ? s.running->conn->fd : -1, s.invoker_fd, watched ? s.running->conn->id : 0};
}

std::optional<InvokeOutcome> RuntimeApiServer::step(bool woken, bool& blocked) {
  State& s = *m_state;
  if (woken) {
    std::uint64_t count;
    [[maybe_unused]] auto got = ::read(s.invoker_fd, &count, sizeof count);  // non-blocking: drained
  }
  if (auto out = s.advance(*s.running, false, blocked)) return s.complete(*s.running, std::move(*out));
  return std::nullopt;
}

InvokeOutcome RuntimeApiServer::finish_blocking() {
  return m_state->await(*m_state->running);
}

ReadyState RuntimeApiServer::wait_ready(Clock::time_point deadline) {
  State& s = *m_state;
  std::unique_lock lock(s.mutex);
  s.ready_changed.wait_until(lock, deadline,
                             [&] { return s.first_next || s.init_error || s.stopping || s.gone; });
  if (s.first_next) return ReadyState::ready;
  if (s.init_error) return ReadyState::init_error;
  if (s.stopping || s.gone) return ReadyState::gone;
  return ReadyState::timeout;
}

std::optional<Clock::time_point> RuntimeApiServer::first_next_at() const {
  std::lock_guard lock(m_state->mutex);
  return m_state->first_next;
}

void RuntimeApiServer::on_first_next(std::function<void(Clock::time_point)> callback) {
  std::lock_guard lock(m_state->mutex);
  m_state->first_next_callback = std::move(callback);
}

void RuntimeApiServer::instance_gone() {
  State& s = *m_state;
  std::lock_guard lock(s.mutex);
  s.gone = true;
  s.ready_changed.notify_all();
  s.invoker_changed.notify_all();
  s.wake_parked();
  if (s.busy) s.signal_invoker();
}

void RuntimeApiServer::stop() {
  State& s = *m_state;
  std::lock_guard stop_lock(s.stop_mutex);
  if (s.stopped) return;
  s.stopped = true;
  {
    std::lock_guard lock(s.mutex);
    s.stopping = true;
    s.ready_changed.notify_all();
    s.invoker_changed.notify_all();
    s.wake_parked();
    if (s.busy) s.signal_invoker();
  }
  std::uint64_t one = 1;
  [[maybe_unused]] auto written = ::write(s.wake_fd, &one, sizeof one);
  s.acceptor.join();
  {
    // Wake connection threads waiting for a request. Only the read side: a parked /next woken by
    // `stopping` still sends its 500 (a stuck send gives up after the send timeout).
    std::lock_guard lock(s.conns_mutex);
    for (auto& conn : s.conns) {
      ::shutdown(conn.fd, SHUT_RD);
      conn.signal();
    }
  }
  for (auto& conn : s.conns) {
    conn.thread.join();
    conn.close_all();
  }
  s.conns.clear();
  ::close(s.listen_fd);
  ::close(s.wake_fd);
  // An invoke() still running past this point holds no connection and polls nothing: it only
  // waits on `mutex`, which lives as long as the server.
  ::close(s.invoker_fd);
}

}  // namespace stratus::runtime_api
