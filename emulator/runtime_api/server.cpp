#include "emulator/runtime_api/server.hpp"

#include <httplib.h>

#include <algorithm>
#include <condition_variable>
#include <limits>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>
#include <utility>

namespace stratus::runtime_api {
namespace {

constexpr const char* kJson = "application/json";
constexpr const char* kErrorTypeHeader = "Lambda-Runtime-Function-Error-Type";

void send_error(httplib::Response& res, int status, const std::string& type, const std::string& message) {
  res.status = status;
  nlohmann::json body = {{"errorMessage", message}, {"errorType", type}};
  res.set_content(body.dump(), kJson);
}

// The header wins (the RICs set it to the precise type); else the body's errorType; else what
// AWS reports for an unclassified failure.
std::string error_type_of(const httplib::Request& req, const std::string& body) {
  std::string header = req.get_header_value(kErrorTypeHeader);
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
  httplib::Server server;
  std::thread thread;
  int port = 0;
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

  void handle_next(const httplib::Request& req, httplib::Response& res);
  void handle_answer(const httplib::Request& req, httplib::Response& res,
                     const httplib::ContentReader& reader);
  void handle_init_error(const httplib::Request& req, httplib::Response& res,
                         const httplib::ContentReader& reader);
};

// Reads the whole body (keeping the connection in sync for keep-alive) but stores at most
// kMaxResponseBytes of it; returns the full size.
static std::size_t read_capped(const httplib::ContentReader& reader, std::string& body) {
  std::size_t size = 0;
  reader([&](const char* data, std::size_t len) {
    if (size < kMaxResponseBytes) body.append(data, std::min(len, kMaxResponseBytes - size));
    size += len;
    return true;
  });
  return size;
}

void RuntimeApiServer::State::handle_next(const httplib::Request&, httplib::Response& res) {
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
  if (!pending) {
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
  res.set_header("Lambda-Runtime-Aws-Request-Id", inv.request_id);
  res.set_header("Lambda-Runtime-Deadline-Ms", std::to_string(inv.deadline_ms));
  res.set_header("Lambda-Runtime-Invoked-Function-Arn", inv.invoked_function_arn);
  res.set_header("Lambda-Runtime-Trace-Id", inv.trace_id);
  if (inv.client_context) res.set_header("Lambda-Runtime-Client-Context", *inv.client_context);
  if (inv.cognito_identity) res.set_header("Lambda-Runtime-Cognito-Identity", *inv.cognito_identity);
  res.body = std::move(inv.event);
  res.set_header("Content-Type", kJson);
}

void RuntimeApiServer::State::handle_answer(const httplib::Request& req, httplib::Response& res,
                                            const httplib::ContentReader& reader) {
  const std::string id = req.matches[1];
  const bool is_response = req.matches[2] == "response";
  std::string body;
  const std::size_t size = read_capped(reader, body);
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
  out.content_type = req.get_header_value("Content-Type");
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
    res.set_content(R"({"status":"OK"})", kJson);
  } else {
    out.kind = OutcomeKind::function_error;
    out.error_type = error_type_of(req, body);
    out.body = std::move(body);
    res.status = 202;
    res.set_content(R"({"status":"OK"})", kJson);
  }
  inflight_id.reset();
  outcome = std::move(out);
  changed.notify_all();
}

void RuntimeApiServer::State::handle_init_error(const httplib::Request& req, httplib::Response& res,
                                                const httplib::ContentReader& reader) {
  std::string body;
  read_capped(reader, body);
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
  out.content_type = req.get_header_value("Content-Type");
  out.error_type = error_type_of(req, body);
  out.body = std::move(body);
  init_error = std::move(out);
  res.status = 202;
  res.set_content(R"({"status":"OK"})", kJson);
  changed.notify_all();
}

RuntimeApiServer::RuntimeApiServer() : m_state(std::make_unique<State>()) {
  State& s = *m_state;
  s.server.set_tcp_nodelay(true);
  s.server.set_keep_alive_max_count(std::numeric_limits<std::size_t>::max());
  // A runtime uses one connection, a second only while the first is stuck; a few threads suffice.
  s.server.new_task_queue = [] { return new httplib::ThreadPool(4); };
  s.server.Get("/2018-06-01/runtime/invocation/next",
               [&s](const httplib::Request& req, httplib::Response& res) { s.handle_next(req, res); });
  s.server.Post(R"(/2018-06-01/runtime/invocation/([^/]+)/(response|error))",
                [&s](const httplib::Request& req, httplib::Response& res,
                     const httplib::ContentReader& reader) { s.handle_answer(req, res, reader); });
  s.server.Post("/2018-06-01/runtime/init/error",
                [&s](const httplib::Request& req, httplib::Response& res,
                     const httplib::ContentReader& reader) { s.handle_init_error(req, res, reader); });
  s.port = s.server.bind_to_any_port("127.0.0.1");
  if (s.port <= 0) throw std::runtime_error("cannot bind the Runtime API to 127.0.0.1");
  s.thread = std::thread([&s] { s.server.listen_after_bind(); });
  // httplib's stop() is a no-op until the accept loop runs; wait for it so stop() always works.
  while (!s.server.is_running()) std::this_thread::yield();
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
  s.server.stop();  // closes the listener; the pool's workers finish their connections and join
  if (s.thread.joinable()) s.thread.join();
}

}  // namespace stratus::runtime_api
