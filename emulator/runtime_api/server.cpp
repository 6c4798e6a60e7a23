#include "emulator/runtime_api/server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
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
  int wake_fd = -1;  // eventfd: stop() wakes the accept loop through it
  std::thread acceptor;
  int port = 0;
  struct Conn {
    int fd;
    std::thread thread;
    std::atomic<bool> done{false};
  };
  std::mutex conns_mutex;  // guards conns; never held with `mutex`
  std::list<Conn> conns;
  std::mutex stop_mutex;  // serialises stop(); never held with `mutex`
  bool stopped = false;

  mutable std::mutex mutex;
  std::condition_variable changed;
  bool stopping = false;
  bool gone = false;
  bool busy = false;                       // an invoke() is running
  std::optional<Invocation> pending;       // offered, not yet taken by /next
  std::optional<std::string> inflight_id;  // taken by /next, not yet answered
  std::optional<Clock::time_point> picked_up_at;
  std::optional<InvokeOutcome> outcome;  // the answer to the running invoke()
  std::optional<InvokeOutcome> init_error;
  std::optional<Clock::time_point> first_next;
  std::function<void(Clock::time_point)> first_next_callback;

  void handle_next(const wire::Request& req, wire::Response& res);
  void handle_answer(const wire::Request& req, wire::Response& res, const std::string& id, bool is_response);
  void handle_init_error(const wire::Request& req, wire::Response& res);
  void dispatch(const wire::Request& req, wire::Response& res);
  void serve(Conn& conn);
  void accept_loop();
};

void RuntimeApiServer::State::handle_next(const wire::Request&, wire::Response& res) {
  auto now = Clock::now();
  std::function<void(Clock::time_point)> callback;
  {
    std::lock_guard lock(mutex);
    if (!first_next) {
      first_next = now;
      callback = std::move(first_next_callback);
      changed.notify_all();
    }
  }
  if (callback) callback(now);

  std::unique_lock lock(mutex);
  if (inflight_id) {
    send_error(
        res, 403, "InvalidStateTransition",
        "State transition from Invoke to Ready failed: invocation " + *inflight_id + " is not answered");
    return;
  }
  changed.wait(lock, [&] { return pending || stopping || gone; });
  if (stopping || gone) {
    // The instance is going away: AWS answers 500 and the runtime is expected to exit.
    send_error(res, 500, "Runtime.ExitError", "The execution environment is shutting down");
    return;
  }
  Invocation inv = std::move(*pending);
  pending.reset();
  inflight_id = inv.request_id;
  picked_up_at = Clock::now();
  lock.unlock();

  res.status = 200;
  res.headers.emplace_back("Lambda-Runtime-Aws-Request-Id", inv.request_id);
  res.headers.emplace_back("Lambda-Runtime-Deadline-Ms", std::to_string(inv.deadline_ms));
  res.headers.emplace_back("Lambda-Runtime-Invoked-Function-Arn", inv.invoked_function_arn);
  res.headers.emplace_back("Lambda-Runtime-Trace-Id", inv.trace_id);
  if (inv.client_context) res.headers.emplace_back("Lambda-Runtime-Client-Context", *inv.client_context);
  if (inv.cognito_identity)
    res.headers.emplace_back("Lambda-Runtime-Cognito-Identity", *inv.cognito_identity);
  res.body = std::move(inv.event);
}

void RuntimeApiServer::State::handle_answer(const wire::Request& req, wire::Response& res,
                                            const std::string& id, bool is_response) {
  const std::size_t size = req.body_size;
  std::string body = req.body;
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
    out.body = std::move(body);
    res.status = 202;
    res.body = R"({"status":"OK"})";
  } else {
    out.kind = OutcomeKind::function_error;
    out.error_type = error_type_of(req, body);
    out.body = std::move(body);
    res.status = 202;
    res.body = R"({"status":"OK"})";
  }
  inflight_id.reset();
  outcome = std::move(out);
  changed.notify_all();
}

void RuntimeApiServer::State::handle_init_error(const wire::Request& req, wire::Response& res) {
  std::string body = req.body;
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
  out.error_type = error_type_of(req, body);
  out.body = std::move(body);
  init_error = std::move(out);
  res.status = 202;
  res.body = R"({"status":"OK"})";
  changed.notify_all();
}

void RuntimeApiServer::State::dispatch(const wire::Request& req, wire::Response& res) {
  constexpr std::string_view kInvocation = "/2018-06-01/runtime/invocation/";
  std::string_view path = req.path;
  if (req.method == "GET" && path == "/2018-06-01/runtime/invocation/next") return handle_next(req, res);
  if (req.method == "POST" && path == "/2018-06-01/runtime/init/error") return handle_init_error(req, res);
  if (req.method == "POST" && path.substr(0, kInvocation.size()) == kInvocation) {
    std::string_view rest = path.substr(kInvocation.size());
    std::size_t slash = rest.find('/');
    if (slash != 0 && slash != std::string_view::npos) {
      std::string_view kind = rest.substr(slash + 1);
      if (kind == "response" || kind == "error")
        return handle_answer(req, res, std::string(rest.substr(0, slash)), kind == "response");
    }
  }
  send_error(res, 404, "NotFound", "Unknown path: " + req.method + " " + req.path);
}

void RuntimeApiServer::State::serve(Conn& conn) {
  wire::Connection wire_conn(conn.fd);
  wire::Request req;
  // Bodies are kept up to the response limit: a larger one is still read (the connection stays in
  // step) and only counted, which is all a 413 needs.
  const wire::Limits limits{.body_keep = kMaxResponseBytes,
                            .body_max = std::numeric_limits<std::size_t>::max()};
  while (wire_conn.read_request(req, limits) == wire::ReadStatus::ok) {
    wire::Response res;
    dispatch(req, res);
    if (!wire_conn.write_response(res, req.keep_alive) || !req.keep_alive) break;
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
      ::close(it->fd);
      it = conns.erase(it);
    }
    Conn& conn = conns.emplace_back();
    conn.fd = fd;
    conn.thread = std::thread([this, &conn] { serve(conn); });
  }
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
      (s.wake_fd = ::eventfd(0, EFD_CLOEXEC)) < 0) {
    std::string reason = std::strerror(errno);
    if (s.listen_fd >= 0) ::close(s.listen_fd);
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
  s.pending = inv;
  s.picked_up_at.reset();
  s.outcome.reset();
  s.changed.notify_all();
  s.changed.wait_until(lock, deadline,
                       [&] { return s.outcome || s.stopping || s.gone || (s.init_error && s.pending); });
  InvokeOutcome out;
  if (s.outcome) {
    out = std::move(*s.outcome);
  } else if (s.init_error && s.pending) {
    out = *s.init_error;
  } else if (s.stopping || s.gone) {
    out.kind = OutcomeKind::instance_gone;
  } else {
    out.kind = OutcomeKind::timeout;
  }
  out.picked_up_at = s.picked_up_at;
  // Whatever happened, this invocation is over: a late answer to it gets 403.
  s.outcome.reset();
  s.pending.reset();
  s.inflight_id.reset();
  s.busy = false;
  return out;
}

ReadyState RuntimeApiServer::wait_ready(Clock::time_point deadline) {
  State& s = *m_state;
  std::unique_lock lock(s.mutex);
  s.changed.wait_until(lock, deadline, [&] { return s.first_next || s.init_error || s.stopping || s.gone; });
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
  std::lock_guard lock(m_state->mutex);
  m_state->gone = true;
  m_state->changed.notify_all();
}

void RuntimeApiServer::stop() {
  State& s = *m_state;
  std::lock_guard stop_lock(s.stop_mutex);
  if (s.stopped) return;
  s.stopped = true;
  {
    std::lock_guard lock(s.mutex);
    s.stopping = true;
    s.changed.notify_all();
  }
  std::uint64_t one = 1;
  [[maybe_unused]] auto written = ::write(s.wake_fd, &one, sizeof one);
  s.acceptor.join();
  {
    // Wake connection threads blocked in recv(). Only the read side: a /next handler woken by
    // `stopping` still sends its 500 (a stuck send gives up after the send timeout).
    std::lock_guard lock(s.conns_mutex);
    for (auto& conn : s.conns) ::shutdown(conn.fd, SHUT_RD);
  }
  for (auto& conn : s.conns) {
    conn.thread.join();
    ::close(conn.fd);
  }
  s.conns.clear();
  ::close(s.listen_fd);
  ::close(s.wake_fd);
}

}  // namespace stratus::runtime_api
