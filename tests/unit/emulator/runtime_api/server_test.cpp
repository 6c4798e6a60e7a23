#include "emulator/runtime_api/server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <future>
#include <thread>

#include "emulator/common/ids.hpp"

namespace stratus::runtime_api {
namespace {

using namespace std::chrono_literals;

constexpr const char* kNext = "/2018-06-01/runtime/invocation/next";
constexpr const char* kArn = "arn:aws:lambda:us-east-1:000000000000:function:svc-dev-hello";

std::string answer_path(const std::string& id, const char* kind) {
  return "/2018-06-01/runtime/invocation/" + id + "/" + kind;
}

Invocation make_invocation(std::string event = R"({"n":1})") {
  Invocation inv;
  inv.request_id = new_request_id();
  inv.event = std::move(event);
  inv.deadline_ms = 1542409706888;
  inv.invoked_function_arn = kArn;
  inv.trace_id = new_trace_id(1542409706);
  return inv;
}

// The runtime side: a keep-alive client with a long read timeout, as a real runtime's long-poll.
struct RuntimeClient {
  explicit RuntimeClient(int port) : client("127.0.0.1", port) {
    client.set_read_timeout(10, 0);
    client.set_keep_alive(true);
    client.set_tcp_nodelay(true);  // as real runtimes; else Nagle + delayed ACK add ~40 ms per POST
  }
  httplib::Client client;
};

class RuntimeApiServerTest : public ::testing::Test {
 protected:
  std::future<InvokeOutcome> start_invoke(const Invocation& inv, Clock::duration timeout = 10s) {
    return std::async(std::launch::async,
                      [this, inv, timeout] { return server.invoke(inv, Clock::now() + timeout); });
  }
  RuntimeApiServer server;
  RuntimeClient runtime{server.port()};
};

TEST_F(RuntimeApiServerTest, AddressIsLoopbackWithTheEphemeralPort) {
  EXPECT_GT(server.port(), 0);
  EXPECT_EQ(server.address(), "127.0.0.1:" + std::to_string(server.port()));
}

// Reads from `fd` until `text` has arrived (or 5 s passed); everything read so far.
std::string read_until(int fd, const std::string& text) {
  std::string got;
  char buf[4096];
  const auto deadline = Clock::now() + 5s;
  while (got.find(text) == std::string::npos && Clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    got.append(buf, static_cast<std::size_t>(n));
  }
  return got;
}

TEST_F(RuntimeApiServerTest, ALocalConnectionIsServedLikeATcpOneAndTcpStillWorks) {
  const int fd = server.local_connection();
  ASSERT_GE(fd, 0);
  EXPECT_NE(::fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);  // only the child it is passed to gets it
  const Invocation inv = make_invocation(R"({"over":"unix"})");
  auto outcome = start_invoke(inv);
  const std::string next = std::string("GET ") + kNext + " HTTP/1.1\r\nHost: runtime\r\n\r\n";
  ASSERT_EQ(::send(fd, next.data(), next.size(), MSG_NOSIGNAL), static_cast<ssize_t>(next.size()));
  const std::string event = read_until(fd, R"({"over":"unix"})");
  EXPECT_EQ(event.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << event;
  EXPECT_NE(event.find("Lambda-Runtime-Aws-Request-Id: " + inv.request_id + "\r\n"), std::string::npos)
      << event;
  const std::string answer = "POST " + answer_path(inv.request_id, "response") +
                             " HTTP/1.1\r\nHost: runtime\r\nContent-Length: 4\r\n\r\n\"ok\"";
  ASSERT_EQ(::send(fd, answer.data(), answer.size(), MSG_NOSIGNAL), static_cast<ssize_t>(answer.size()));
  EXPECT_EQ(read_until(fd, "\r\n\r\n").rfind("HTTP/1.1 202 Accepted\r\n", 0), 0u);
  const InvokeOutcome out = outcome.get();
  EXPECT_EQ(out.kind, OutcomeKind::success);
  EXPECT_EQ(out.body, "\"ok\"");
  ::close(fd);

  // The runtime's TCP endpoint serves the next invocation as before.
  const Invocation second = make_invocation();
  auto again = start_invoke(second);
  auto next_tcp = runtime.client.Get(kNext);
  ASSERT_TRUE(next_tcp);
  EXPECT_EQ(next_tcp->get_header_value("Lambda-Runtime-Aws-Request-Id"), second.request_id);
  ASSERT_TRUE(runtime.client.Post(answer_path(second.request_id, "response"), "1", "application/json"));
  EXPECT_EQ(again.get().body, "1");
}

TEST_F(RuntimeApiServerTest, FullCycleNextThenResponseCarriesEveryHeader) {
  Invocation inv = make_invocation();
  inv.client_context = R"({"custom":{"k":"v"}})";
  inv.cognito_identity = R"({"cognitoIdentityId":"id","cognitoIdentityPoolId":"pool"})";
  std::promise<Clock::time_point> callback_time;
  server.on_first_next([&](Clock::time_point t) { callback_time.set_value(t); });
  auto before = Clock::now();
  auto outcome = start_invoke(inv);

  auto next = runtime.client.Get(kNext);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
  EXPECT_EQ(next->body, R"({"n":1})");
  EXPECT_EQ(next->get_header_value("Lambda-Runtime-Aws-Request-Id"), inv.request_id);
  EXPECT_EQ(next->get_header_value("Lambda-Runtime-Deadline-Ms"), "1542409706888");
  EXPECT_EQ(next->get_header_value("Lambda-Runtime-Invoked-Function-Arn"), kArn);
  EXPECT_EQ(next->get_header_value("Lambda-Runtime-Trace-Id"), inv.trace_id);
  EXPECT_EQ(next->get_header_value("Lambda-Runtime-Client-Context"), *inv.client_context);
  EXPECT_EQ(next->get_header_value("Lambda-Runtime-Cognito-Identity"), *inv.cognito_identity);

  auto answer = runtime.client.Post(answer_path(inv.request_id, "response"), "hello", "text/plain");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 202);
  EXPECT_EQ(answer->body, R"({"status":"OK"})");

  InvokeOutcome out = outcome.get();
  EXPECT_EQ(out.kind, OutcomeKind::success);
  EXPECT_EQ(out.body, "hello");
  EXPECT_EQ(out.content_type, "text/plain");
  EXPECT_TRUE(out.error_type.empty());
  ASSERT_TRUE(out.picked_up_at && out.answered_at);
  EXPECT_LE(*out.picked_up_at, *out.answered_at);
  ASSERT_TRUE(server.first_next_at());
  EXPECT_GE(*server.first_next_at(), before);
  EXPECT_EQ(callback_time.get_future().get(), *server.first_next_at());
  EXPECT_EQ(server.wait_ready(Clock::now()), ReadyState::ready);
}

TEST_F(RuntimeApiServerTest, OptionalHeadersAreAbsentWhenNotGiven) {
  Invocation inv = make_invocation();
  auto outcome = start_invoke(inv);
  auto next = runtime.client.Get(kNext);
  ASSERT_TRUE(next);
  EXPECT_FALSE(next->has_header("Lambda-Runtime-Client-Context"));
  EXPECT_FALSE(next->has_header("Lambda-Runtime-Cognito-Identity"));
  runtime.client.Post(answer_path(inv.request_id, "response"), "{}", "application/json");
  EXPECT_EQ(outcome.get().content_type, "application/json");
}

TEST_F(RuntimeApiServerTest, ErrorTakesItsTypeFromTheHeader) {
  Invocation inv = make_invocation();
  auto outcome = start_invoke(inv);
  ASSERT_TRUE(runtime.client.Get(kNext));
  const std::string body = R"({"errorMessage":"Handler 'nope' missing","errorType":"Other","stackTrace":[]})";
  auto answer = runtime.client.Post(answer_path(inv.request_id, "error"),
                                    {{"Lambda-Runtime-Function-Error-Type", "Runtime.HandlerNotFound"}}, body,
                                    "application/json");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 202);
  EXPECT_EQ(answer->body, R"({"status":"OK"})");
  InvokeOutcome out = outcome.get();
  EXPECT_EQ(out.kind, OutcomeKind::function_error);
  EXPECT_EQ(out.error_type, "Runtime.HandlerNotFound");
  EXPECT_EQ(out.body, body);
  EXPECT_EQ(out.content_type, "application/json");
}

TEST_F(RuntimeApiServerTest, ErrorTypeFallsBackToTheBodyThenToUnhandled) {
  for (auto [body, expected] : {std::pair{R"({"errorMessage":"boom","errorType":"TypeError"})", "TypeError"},
                                std::pair{"not json at all", "Unhandled"}}) {
    Invocation inv = make_invocation();
    auto outcome = start_invoke(inv);
    ASSERT_TRUE(runtime.client.Get(kNext));
    ASSERT_EQ(runtime.client.Post(answer_path(inv.request_id, "error"), body, "application/json")->status,
              202);
    InvokeOutcome out = outcome.get();
    EXPECT_EQ(out.kind, OutcomeKind::function_error);
    EXPECT_EQ(out.error_type, expected);
    EXPECT_EQ(out.body, body);
  }
}

TEST_F(RuntimeApiServerTest, InitErrorBeforeTheFirstNextEndsTheInvocation) {
  const std::string body =
      R"({"errorMessage":"No module named 'app'","errorType":"Runtime.ImportModuleError"})";
  auto posted = runtime.client.Post("/2018-06-01/runtime/init/error", body, "application/json");
  ASSERT_TRUE(posted);
  EXPECT_EQ(posted->status, 202);
  EXPECT_EQ(posted->body, R"({"status":"OK"})");
  EXPECT_EQ(server.wait_ready(Clock::now() + 5s), ReadyState::init_error);
  InvokeOutcome out = server.invoke(make_invocation(), Clock::now() + 5s);
  EXPECT_EQ(out.kind, OutcomeKind::init_error);
  EXPECT_EQ(out.error_type, "Runtime.ImportModuleError");
  EXPECT_EQ(out.body, body);
  EXPECT_FALSE(server.first_next_at());
}

TEST_F(RuntimeApiServerTest, InitErrorWhileAnInvocationWaitsIsItsOutcome) {
  auto outcome = start_invoke(make_invocation());
  auto posted = runtime.client.Post("/2018-06-01/runtime/init/error",
                                    {{"Lambda-Runtime-Function-Error-Type", "Runtime.UserCodeSyntaxError"}},
                                    "{}", "application/json");
  ASSERT_TRUE(posted);
  EXPECT_EQ(posted->status, 202);
  InvokeOutcome out = outcome.get();
  EXPECT_EQ(out.kind, OutcomeKind::init_error);
  EXPECT_EQ(out.error_type, "Runtime.UserCodeSyntaxError");
  EXPECT_FALSE(out.picked_up_at);
}

TEST_F(RuntimeApiServerTest, InitErrorAfterTheFirstNextIs403) {
  Invocation inv = make_invocation();
  auto outcome = start_invoke(inv);
  ASSERT_TRUE(runtime.client.Get(kNext));
  auto posted = runtime.client.Post("/2018-06-01/runtime/init/error", "{}", "application/json");
  ASSERT_TRUE(posted);
  EXPECT_EQ(posted->status, 403);
  EXPECT_EQ(
      posted->body,
      R"({"errorMessage":"State transition from Ready to InitError failed: the runtime is already initialised","errorType":"InvalidStateTransition"})");
  runtime.client.Post(answer_path(inv.request_id, "response"), "ok", "text/plain");
  EXPECT_EQ(outcome.get().kind, OutcomeKind::success);
}

TEST_F(RuntimeApiServerTest, WrongRequestIdIs400AndTheRightOneStillWorks) {
  Invocation inv = make_invocation();
  auto outcome = start_invoke(inv);
  ASSERT_TRUE(runtime.client.Get(kNext));
  for (const char* kind : {"response", "error"}) {
    auto wrong = runtime.client.Post(answer_path("not-the-id", kind), "x", "text/plain");
    ASSERT_TRUE(wrong);
    EXPECT_EQ(wrong->status, 400);
    EXPECT_EQ(wrong->body,
              R"({"errorMessage":"Invalid request ID: not-the-id","errorType":"InvalidRequestID"})");
  }
  ASSERT_EQ(runtime.client.Post(answer_path(inv.request_id, "response"), "ok", "text/plain")->status, 202);
  EXPECT_EQ(outcome.get().body, "ok");
}

TEST_F(RuntimeApiServerTest, SecondAnswerAndAnswerWithNothingInFlightAre403) {
  auto idle = runtime.client.Post(answer_path(new_request_id(), "response"), "x", "text/plain");
  ASSERT_TRUE(idle);
  EXPECT_EQ(idle->status, 403);
  EXPECT_EQ(
      idle->body,
      R"({"errorMessage":"State transition from Ready to InvocationResponse failed: no invocation is in flight","errorType":"InvalidStateTransition"})");

  Invocation inv = make_invocation();
  auto outcome = start_invoke(inv);
  ASSERT_TRUE(runtime.client.Get(kNext));
  ASSERT_EQ(runtime.client.Post(answer_path(inv.request_id, "response"), "first", "text/plain")->status, 202);
  EXPECT_EQ(outcome.get().body, "first");
  auto second = runtime.client.Post(answer_path(inv.request_id, "error"), "{}", "application/json");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 403);
  EXPECT_EQ(
      second->body,
      R"({"errorMessage":"State transition from Ready to InvocationErrorResponse failed: no invocation is in flight","errorType":"InvalidStateTransition"})");
}

TEST_F(RuntimeApiServerTest, NextWhileAnInvocationIsInFlightIs403) {
  Invocation inv = make_invocation();
  auto outcome = start_invoke(inv);
  ASSERT_TRUE(runtime.client.Get(kNext));
  auto again = runtime.client.Get(kNext);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 403);
  EXPECT_EQ(again->body, R"({"errorMessage":"State transition from Invoke to Ready failed: invocation )" +
                             inv.request_id + R"( is not answered","errorType":"InvalidStateTransition"})");
  runtime.client.Post(answer_path(inv.request_id, "response"), "ok", "text/plain");
  EXPECT_EQ(outcome.get().kind, OutcomeKind::success);
}

TEST_F(RuntimeApiServerTest, ResponseOverSixMegabytesIs413AndResponseSizeTooLarge) {
  Invocation inv = make_invocation();
  auto outcome = start_invoke(inv);
  ASSERT_TRUE(runtime.client.Get(kNext));
  const std::string big(7 * 1000 * 1000, 'x');
  auto answer = runtime.client.Post(answer_path(inv.request_id, "response"), big, "application/json");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 413);
  EXPECT_EQ(
      answer->body,
      R"({"errorMessage":"Exceeded maximum allowed payload size (6291556 bytes).","errorType":"RequestEntityTooLarge"})");
  InvokeOutcome out = outcome.get();
  EXPECT_EQ(out.kind, OutcomeKind::response_too_large);
  EXPECT_EQ(out.error_type, "Function.ResponseSizeTooLarge");
  EXPECT_EQ(
      out.body,
      R"({"errorMessage":"Response payload size (7000000 bytes) exceeded maximum allowed payload size (6291556 bytes).","errorType":"Function.ResponseSizeTooLarge"})");
  // The connection stays usable after the oversized body.
  Invocation next_inv = make_invocation();
  auto second = start_invoke(next_inv);
  ASSERT_TRUE(runtime.client.Get(kNext));
  runtime.client.Post(answer_path(next_inv.request_id, "response"), "ok", "text/plain");
  EXPECT_EQ(second.get().body, "ok");
}

TEST_F(RuntimeApiServerTest, ResponseOfExactlyTheLimitIsAccepted) {
  Invocation inv = make_invocation();
  auto outcome = start_invoke(inv);
  ASSERT_TRUE(runtime.client.Get(kNext));
  const std::string limit(kMaxResponseBytes, 'y');
  ASSERT_EQ(runtime.client.Post(answer_path(inv.request_id, "response"), limit, "text/plain")->status, 202);
  InvokeOutcome out = outcome.get();
  EXPECT_EQ(out.kind, OutcomeKind::success);
  EXPECT_EQ(out.body.size(), kMaxResponseBytes);
}

TEST_F(RuntimeApiServerTest, NoAnswerBeforeTheDeadlineIsATimeoutAndALateAnswerIs403) {
  // The runtime polls first, so the short deadline only runs once the event is being handed over.
  auto poll = std::async(std::launch::async, [this] { return runtime.client.Get(kNext); });
  ASSERT_EQ(server.wait_ready(Clock::now() + 10s), ReadyState::ready);
  Invocation inv = make_invocation();
  auto outcome = start_invoke(inv, 300ms);
  ASSERT_TRUE(poll.get());
  ASSERT_EQ(outcome.wait_for(10s), std::future_status::ready);
  InvokeOutcome out = outcome.get();
  EXPECT_EQ(out.kind, OutcomeKind::timeout);
  EXPECT_TRUE(out.picked_up_at);
  EXPECT_FALSE(out.answered_at);
  auto late = runtime.client.Post(answer_path(inv.request_id, "response"), "late", "text/plain");
  ASSERT_TRUE(late);
  EXPECT_EQ(late->status, 403);
}

TEST_F(RuntimeApiServerTest, StopUnblocksALongPollWith500) {
  auto poll = std::async(std::launch::async, [this] { return runtime.client.Get(kNext); });
  ASSERT_EQ(server.wait_ready(Clock::now() + 10s), ReadyState::ready);
  server.stop();
  ASSERT_EQ(poll.wait_for(10s), std::future_status::ready);
  auto res = poll.get();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 500);
  EXPECT_EQ(
      res->body,
      R"({"errorMessage":"The execution environment is shutting down","errorType":"Runtime.ExitError"})");
  EXPECT_EQ(server.invoke(make_invocation(), Clock::now() + 10s).kind, OutcomeKind::instance_gone);
  server.stop();  // idempotent
}

TEST_F(RuntimeApiServerTest, InstanceGoneEndsAWaitingInvoke) {
  auto outcome = start_invoke(make_invocation());
  ASSERT_TRUE(runtime.client.Get(kNext));
  server.instance_gone();
  ASSERT_EQ(outcome.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(outcome.get().kind, OutcomeKind::instance_gone);
  EXPECT_EQ(server.wait_ready(Clock::now()), ReadyState::ready);
}

TEST_F(RuntimeApiServerTest, StopEndsAnInvokeNobodyPickedUp) {
  auto outcome = start_invoke(make_invocation());
  EXPECT_EQ(server.wait_ready(Clock::now() + 50ms), ReadyState::timeout);
  server.stop();
  ASSERT_EQ(outcome.wait_for(10s), std::future_status::ready);
  InvokeOutcome out = outcome.get();
  EXPECT_EQ(out.kind, OutcomeKind::instance_gone);
  EXPECT_FALSE(out.picked_up_at);
}

TEST_F(RuntimeApiServerTest, SecondConcurrentInvokeIsRefusedAsBusy) {
  Invocation inv = make_invocation();
  auto outcome = start_invoke(inv);
  ASSERT_TRUE(runtime.client.Get(kNext));  // the first invoke is now surely running
  InvokeOutcome busy = server.invoke(make_invocation(), Clock::now() + 10s);
  EXPECT_EQ(busy.kind, OutcomeKind::instance_gone);
  EXPECT_EQ(busy.error_type, "Stratus.Busy");
  runtime.client.Post(answer_path(inv.request_id, "response"), "ok", "text/plain");
  EXPECT_EQ(outcome.get().kind, OutcomeKind::success);
}

TEST_F(RuntimeApiServerTest, TwoSequentialInvocationsOnOneConnection) {
  for (int i = 0; i < 2; ++i) {
    Invocation inv = make_invocation(R"({"i":)" + std::to_string(i) + "}");
    auto outcome = start_invoke(inv);
    auto next = runtime.client.Get(kNext);
    ASSERT_TRUE(next);
    EXPECT_EQ(next->get_header_value("Lambda-Runtime-Aws-Request-Id"), inv.request_id);
    ASSERT_EQ(
        runtime.client.Post(answer_path(inv.request_id, "response"), next->body, "application/json")->status,
        202);
    EXPECT_EQ(outcome.get().body, inv.event);
  }
}

TEST_F(RuntimeApiServerTest, UnknownPathIs404) {
  auto res = runtime.client.Get("/2018-06-01/runtime/invocation/latest");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  auto post = runtime.client.Post("/2018-06-01/runtime/invocation/x/answer", "x", "text/plain");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 404);
}

// A runtime speaking raw HTTP on one socket, to control exactly what arrives when.
class RawRuntime {
 public:
  explicit RawRuntime(int port) : m_fd(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    m_connected = ::connect(m_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    timeval bound{10, 0};  // a response that never comes fails the test instead of hanging it
    ::setsockopt(m_fd, SOL_SOCKET, SO_RCVTIMEO, &bound, sizeof bound);
  }
  ~RawRuntime() { ::close(m_fd); }
  bool connected() const { return m_connected; }
  bool send(const std::string& data) {
    return ::send(m_fd, data.data(), data.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(data.size());
  }
  // One response: status and body ("" status 0 on end of stream).
  std::pair<int, std::string> read_response() {
    std::size_t end;
    while ((end = m_buffer.find("\r\n\r\n")) == std::string::npos)
      if (!fill()) return {0, ""};
    std::string head = m_buffer.substr(0, end);
    m_buffer.erase(0, end + 4);
    std::size_t length = 0;
    auto at = head.find("Content-Length: ");
    if (at != std::string::npos) length = std::strtoul(head.c_str() + at + 16, nullptr, 10);
    while (m_buffer.size() < length)
      if (!fill()) return {0, ""};
    std::string body = m_buffer.substr(0, length);
    m_buffer.erase(0, length);
    return {std::atoi(head.c_str() + 9), body};
  }

 private:
  bool fill() {
    char chunk[4096];
    ssize_t n = ::recv(m_fd, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    m_buffer.append(chunk, static_cast<std::size_t>(n));
    return true;
  }
  int m_fd;
  bool m_connected = false;
  std::string m_buffer;
};

std::string raw_next() {
  return std::string("GET ") + kNext + " HTTP/1.1\r\nHost: x\r\n\r\n";
}

std::string raw_post(const std::string& path, const std::string& body) {
  return "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + body;
}

TEST_F(RuntimeApiServerTest, RequestsBetweenInvocationsAreServedOnTheSameConnection) {
  Invocation first = make_invocation();
  auto outcome = start_invoke(first);
  ASSERT_TRUE(runtime.client.Get(kNext));
  ASSERT_EQ(runtime.client.Post(answer_path(first.request_id, "response"), "1", "text/plain")->status, 202);
  EXPECT_EQ(outcome.get().body, "1");
  // Nothing in flight and no invoke() running: the connection's own thread answers.
  EXPECT_EQ(runtime.client.Post(answer_path(first.request_id, "response"), "x", "text/plain")->status, 403);
  EXPECT_EQ(runtime.client.Post("/2018-06-01/runtime/init/error", "{}", "application/json")->status, 403);
  EXPECT_EQ(runtime.client.Get("/2018-06-01/runtime/invocation/latest")->status, 404);
  Invocation second = make_invocation();
  auto second_outcome = start_invoke(second);
  auto next = runtime.client.Get(kNext);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->get_header_value("Lambda-Runtime-Aws-Request-Id"), second.request_id);
  ASSERT_EQ(runtime.client.Post(answer_path(second.request_id, "response"), "2", "text/plain")->status, 202);
  EXPECT_EQ(second_outcome.get().body, "2");
}

TEST_F(RuntimeApiServerTest, NextParkedBeforeTheInvokeGetsTheEvent) {
  auto poll = std::async(std::launch::async, [this] { return runtime.client.Get(kNext); });
  ASSERT_EQ(server.wait_ready(Clock::now() + 10s), ReadyState::ready);
  Invocation inv = make_invocation();
  auto outcome = start_invoke(inv);
  auto next = poll.get();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->get_header_value("Lambda-Runtime-Aws-Request-Id"), inv.request_id);
  ASSERT_EQ(runtime.client.Post(answer_path(inv.request_id, "response"), "ok", "text/plain")->status, 202);
  EXPECT_EQ(outcome.get().body, "ok");
}

TEST_F(RuntimeApiServerTest, AnswerOnASecondConnectionEndsTheInvocation) {
  Invocation inv = make_invocation();
  auto outcome = start_invoke(inv);
  ASSERT_TRUE(runtime.client.Get(kNext));
  RuntimeClient other(server.port());
  ASSERT_EQ(other.client.Post(answer_path(inv.request_id, "response"), "there", "text/plain")->status, 202);
  EXPECT_EQ(outcome.get().body, "there");
  // The next invocation on the second connection; the first one still serves its requests.
  Invocation next_inv = make_invocation();
  auto next_outcome = start_invoke(next_inv);
  ASSERT_TRUE(other.client.Get(kNext));
  EXPECT_EQ(runtime.client.Post(answer_path("not-the-id", "response"), "x", "text/plain")->status, 400);
  ASSERT_EQ(runtime.client.Post(answer_path(next_inv.request_id, "response"), "here", "text/plain")->status,
            202);
  EXPECT_EQ(next_outcome.get().body, "here");
}

TEST_F(RuntimeApiServerTest, ConnectionPerRequestRuntime) {
  // As a shell bootstrap running curl per request: every request on a new connection, then closed.
  httplib::Client oneshot("127.0.0.1", server.port());
  oneshot.set_keep_alive(false);
  oneshot.set_read_timeout(10, 0);
  for (int i = 0; i < 2; ++i) {
    Invocation inv = make_invocation();
    auto outcome = start_invoke(inv);
    auto next = oneshot.Get(kNext);
    ASSERT_TRUE(next);
    EXPECT_EQ(next->get_header_value("Lambda-Runtime-Aws-Request-Id"), inv.request_id);
    auto answer = oneshot.Post(answer_path(inv.request_id, "error"), "{}", "application/json");
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->status, 202);
    EXPECT_EQ(outcome.get().kind, OutcomeKind::function_error);
  }
}

TEST_F(RuntimeApiServerTest, AnswerAndNextPipelinedInOneWrite) {
  RawRuntime raw(server.port());
  ASSERT_TRUE(raw.connected());
  ASSERT_TRUE(raw.send(raw_next()));
  ASSERT_EQ(server.wait_ready(Clock::now() + 10s), ReadyState::ready);
  Invocation first = make_invocation(R"({"n":1})");
  auto outcome = start_invoke(first);
  EXPECT_EQ(raw.read_response(), std::make_pair(200, first.event));
  // A stray answer, the real one and the next poll all arrive together.
  ASSERT_TRUE(raw.send(raw_post(answer_path("not-the-id", "response"), "x") +
                       raw_post(answer_path(first.request_id, "response"), "one") + raw_next()));
  EXPECT_EQ(raw.read_response().first, 400);
  EXPECT_EQ(outcome.get().body, "one");
  // The runtime waits for the pipelined /next anyway: the 202 leaves with its event, in one write.
  Invocation second = make_invocation(R"({"n":2})");
  auto second_outcome = start_invoke(second);
  EXPECT_EQ(raw.read_response(), std::make_pair(202, std::string(R"({"status":"OK"})")));
  EXPECT_EQ(raw.read_response(), std::make_pair(200, second.event));
  // An answer with no /next behind it gets its 202 at once.
  ASSERT_TRUE(raw.send(raw_post(answer_path(second.request_id, "response"), "two")));
  EXPECT_EQ(raw.read_response().first, 202);
  EXPECT_EQ(second_outcome.get().body, "two");
}

TEST_F(RuntimeApiServerTest, RuntimeClosingAfterNextLeavesTheInvocationToTheDeadline) {
  std::future<InvokeOutcome> outcome;
  {
    RawRuntime raw(server.port());
    ASSERT_TRUE(raw.send(raw_next()));
    ASSERT_EQ(server.wait_ready(Clock::now() + 10s), ReadyState::ready);
    outcome = start_invoke(make_invocation(), 300ms);
    EXPECT_EQ(raw.read_response().first, 200);
  }
  ASSERT_EQ(outcome.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(outcome.get().kind, OutcomeKind::timeout);
  // The server still serves the runtime's other connection.
  Invocation next_inv = make_invocation();
  auto next_outcome = start_invoke(next_inv);
  ASSERT_TRUE(runtime.client.Get(kNext));
  ASSERT_EQ(runtime.client.Post(answer_path(next_inv.request_id, "response"), "ok", "text/plain")->status,
            202);
  EXPECT_EQ(next_outcome.get().body, "ok");
}

TEST_F(RuntimeApiServerTest, InstanceGoneWhileTheEventIsOutThenNextIs500) {
  auto outcome = start_invoke(make_invocation());
  ASSERT_TRUE(runtime.client.Get(kNext));
  server.instance_gone();
  ASSERT_EQ(outcome.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(outcome.get().kind, OutcomeKind::instance_gone);
  auto next = runtime.client.Get(kNext);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 500);
}

TEST_F(RuntimeApiServerTest, StopWhileTheEventIsOutEndsTheInvoke) {
  auto outcome = start_invoke(make_invocation());
  ASSERT_TRUE(runtime.client.Get(kNext));
  server.stop();
  ASSERT_EQ(outcome.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(outcome.get().kind, OutcomeKind::instance_gone);
}

// After an invocation, the next invoke() may read the runtime's connection itself while it waits
// for the /next: whatever comes first there is still served.
TEST_F(RuntimeApiServerTest, InvokeStartedBeforeTheNextServesStrayRequestsFirst) {
  Invocation first = make_invocation();
  auto outcome = start_invoke(first);
  ASSERT_TRUE(runtime.client.Get(kNext));
  ASSERT_EQ(runtime.client.Post(answer_path(first.request_id, "response"), "1", "text/plain")->status, 202);
  EXPECT_EQ(outcome.get().body, "1");
  Invocation second = make_invocation();
  auto second_outcome = start_invoke(second);
  EXPECT_EQ(runtime.client.Post(answer_path(first.request_id, "response"), "x", "text/plain")->status, 403);
  EXPECT_EQ(runtime.client.Post("/2018-06-01/runtime/init/error", "{}", "application/json")->status, 403);
  auto next = runtime.client.Get(kNext);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->get_header_value("Lambda-Runtime-Aws-Request-Id"), second.request_id);
  ASSERT_EQ(runtime.client.Post(answer_path(second.request_id, "response"), "2", "text/plain")->status, 202);
  EXPECT_EQ(second_outcome.get().body, "2");
}

TEST_F(RuntimeApiServerTest, NextOnAnotherConnectionWhileTheInvokeWaitsOnTheLastOne) {
  Invocation first = make_invocation();
  auto outcome = start_invoke(first);
  ASSERT_TRUE(runtime.client.Get(kNext));
  ASSERT_EQ(runtime.client.Post(answer_path(first.request_id, "response"), "1", "text/plain")->status, 202);
  EXPECT_EQ(outcome.get().body, "1");
  Invocation second = make_invocation();
  auto second_outcome = start_invoke(second);
  RuntimeClient other(server.port());
  auto next = other.client.Get(kNext);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->get_header_value("Lambda-Runtime-Aws-Request-Id"), second.request_id);
  ASSERT_EQ(other.client.Post(answer_path(second.request_id, "response"), "2", "text/plain")->status, 202);
  EXPECT_EQ(second_outcome.get().body, "2");
  // The first connection is still served, and still takes an event.
  EXPECT_EQ(runtime.client.Post(answer_path(second.request_id, "response"), "x", "text/plain")->status, 403);
  Invocation third = make_invocation();
  auto third_outcome = start_invoke(third);
  auto again = runtime.client.Get(kNext);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->get_header_value("Lambda-Runtime-Aws-Request-Id"), third.request_id);
  ASSERT_EQ(runtime.client.Post(answer_path(third.request_id, "response"), "3", "text/plain")->status, 202);
  EXPECT_EQ(third_outcome.get().body, "3");
}

TEST_F(RuntimeApiServerTest, InstanceGoneWhileTheInvokeWaitsForTheNext) {
  Invocation first = make_invocation();
  auto outcome = start_invoke(first);
  ASSERT_TRUE(runtime.client.Get(kNext));
  ASSERT_EQ(runtime.client.Post(answer_path(first.request_id, "response"), "1", "text/plain")->status, 202);
  EXPECT_EQ(outcome.get().body, "1");
  auto second_outcome = start_invoke(make_invocation());
  server.instance_gone();
  ASSERT_EQ(second_outcome.wait_for(10s), std::future_status::ready);
  InvokeOutcome out = second_outcome.get();
  EXPECT_EQ(out.kind, OutcomeKind::instance_gone);
  EXPECT_FALSE(out.picked_up_at);
  auto next = runtime.client.Get(kNext);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 500);
}

TEST_F(RuntimeApiServerTest, StopWhileTheInvokeWaitsForTheNext) {
  Invocation first = make_invocation();
  auto outcome = start_invoke(first);
  ASSERT_TRUE(runtime.client.Get(kNext));
  ASSERT_EQ(runtime.client.Post(answer_path(first.request_id, "response"), "1", "text/plain")->status, 202);
  EXPECT_EQ(outcome.get().body, "1");
  auto second_outcome = start_invoke(make_invocation());
  server.stop();
  ASSERT_EQ(second_outcome.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(second_outcome.get().kind, OutcomeKind::instance_gone);
}

// An event loop's view: try_start(), then step() whenever watch_fds() are readable (or a
// poll times out), finish_blocking() on a thread when step() says it would block.
InvokeOutcome drive(RuntimeApiServer& server, bool* was_blocked = nullptr) {
  for (;;) {
    const WatchFds fds = server.watch_fds();
    pollfd p[2] = {{fds.wake, POLLIN, 0}, {fds.socket, POLLIN, 0}};
    ::poll(p, fds.socket >= 0 ? 2 : 1, 50);
    bool blocked = false;
    if (auto out = server.step(p[0].revents != 0, blocked)) return *out;
    if (blocked) {
      if (was_blocked) *was_blocked = true;
      return std::async(std::launch::async, [&] { return server.finish_blocking(); }).get();
    }
  }
}

TEST_F(RuntimeApiServerTest, TryStartNeedsAParkedNextAndAPipelinedOneServesTheNextAtOnce) {
  RawRuntime raw(server.port());
  ASSERT_TRUE(raw.connected());
  EXPECT_FALSE(server.try_start(make_invocation(), Clock::now() + 10s)) << "no /next yet: nothing starts";
  ASSERT_TRUE(raw.send(raw_next()));
  ASSERT_EQ(server.wait_ready(Clock::now() + 10s), ReadyState::ready);
  Invocation first = make_invocation(R"({"n":1})");
  ASSERT_TRUE(server.try_start(first, Clock::now() + 10s));
  EXPECT_GE(server.watch_fds().socket, 0);
  EXPECT_EQ(raw.read_response(), std::make_pair(200, first.event));
  ASSERT_TRUE(raw.send(raw_post(answer_path(first.request_id, "response"), "one") + raw_next()));
  const InvokeOutcome one = drive(server);
  EXPECT_EQ(one.kind, OutcomeKind::success);
  EXPECT_EQ(one.body, "one");
  // The pipelined /next was parked by the step that read the answer: the next one starts now.
  Invocation second = make_invocation(R"({"n":2})");
  ASSERT_TRUE(server.try_start(second, Clock::now() + 10s));
  EXPECT_EQ(raw.read_response().first, 202);
  EXPECT_EQ(raw.read_response(), std::make_pair(200, second.event));
  ASSERT_TRUE(raw.send(raw_post(answer_path(second.request_id, "error"), R"({"errorType":"E"})")));
  const InvokeOutcome two = drive(server);
  EXPECT_EQ(two.kind, OutcomeKind::function_error);
  EXPECT_EQ(two.error_type, "E");
  EXPECT_EQ(raw.read_response().first, 202);
}

TEST_F(RuntimeApiServerTest, AStepThatWouldWaitForABodyHandsOverToABlockingFinish) {
  RawRuntime raw(server.port());
  ASSERT_TRUE(raw.send(raw_next()));
  ASSERT_EQ(server.wait_ready(Clock::now() + 10s), ReadyState::ready);
  Invocation inv = make_invocation();
  ASSERT_TRUE(server.try_start(inv, Clock::now() + 10s));
  EXPECT_EQ(raw.read_response().first, 200);
  // libcurl-based runtimes ask before they send a larger body.
  ASSERT_TRUE(raw.send("POST " + answer_path(inv.request_id, "response") +
                       " HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n"));
  auto body_sender = std::async(std::launch::async, [&] {
    const auto cont = raw.read_response();  // "100 Continue" has no body
    raw.send("abc");
    return cont.first;
  });
  bool blocked = false;
  const InvokeOutcome out = drive(server, &blocked);
  EXPECT_TRUE(blocked);
  EXPECT_EQ(body_sender.get(), 100);
  EXPECT_EQ(out.kind, OutcomeKind::success);
  EXPECT_EQ(out.body, "abc");
}

TEST_F(RuntimeApiServerTest, AStepPastTheDeadlineIsATimeout) {
  RawRuntime raw(server.port());
  ASSERT_TRUE(raw.send(raw_next()));
  ASSERT_EQ(server.wait_ready(Clock::now() + 10s), ReadyState::ready);
  Invocation inv = make_invocation();
  ASSERT_TRUE(server.try_start(inv, Clock::now() + 200ms));
  EXPECT_EQ(drive(server).kind, OutcomeKind::timeout);
  ASSERT_TRUE(raw.send(raw_post(answer_path(inv.request_id, "response"), "late")));
  EXPECT_EQ(raw.read_response().first, 200);  // the event
  EXPECT_EQ(raw.read_response().first, 403);  // too late
}

TEST_F(RuntimeApiServerTest, InstanceGoneAndAnswersOnAnotherConnectionWakeTheLoop) {
  RawRuntime raw(server.port());
  ASSERT_TRUE(raw.send(raw_next()));
  ASSERT_EQ(server.wait_ready(Clock::now() + 10s), ReadyState::ready);
  Invocation inv = make_invocation();
  ASSERT_TRUE(server.try_start(inv, Clock::now() + 10s));
  const std::uint64_t first_connection = server.watch_fds().connection;
  EXPECT_NE(first_connection, 0u);
  EXPECT_EQ(raw.read_response().first, 200);
  auto res = runtime.client.Post(answer_path(inv.request_id, "response"), "elsewhere", "text/plain");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 202);
  EXPECT_EQ(drive(server).body, "elsewhere");

  RawRuntime second(server.port());
  ASSERT_TRUE(second.send(raw_next()));
  Invocation next = make_invocation();
  for (int i = 0; i < 200 && !server.try_start(next, Clock::now() + 10s); ++i)
    std::this_thread::sleep_for(10ms);
  // Another connection has another number, so a loop that keeps sockets registered re-registers.
  EXPECT_NE(server.watch_fds().connection, first_connection);
  EXPECT_NE(server.watch_fds().connection, 0u);
  EXPECT_EQ(second.read_response().first, 200);
  std::thread gone([&] {
    std::this_thread::sleep_for(100ms);
    server.instance_gone();
  });
  EXPECT_EQ(drive(server).kind, OutcomeKind::instance_gone);
  gone.join();
}

TEST(RuntimeApiResponseTooLarge, BodyIsAwsText) {
  EXPECT_EQ(
      response_too_large_body(6291557),
      R"({"errorMessage":"Response payload size (6291557 bytes) exceeded maximum allowed payload size (6291556 bytes).","errorType":"Function.ResponseSizeTooLarge"})");
}

// Not a unit test (timing): run with --gtest_also_run_disabled_tests to print the figure.
TEST_F(RuntimeApiServerTest, DISABLED_ThousandRoundTrips) {
  constexpr int kRounds = 1000;
  std::atomic<bool> done{false};
  std::thread engine([&] {
    for (int i = 0; i < kRounds; ++i) server.invoke(make_invocation(), Clock::now() + 10s);
    done = true;
  });
  auto start = Clock::now();
  for (int i = 0; i < kRounds; ++i) {
    auto next = runtime.client.Get(kNext);
    ASSERT_TRUE(next);
    runtime.client.Post(answer_path(next->get_header_value("Lambda-Runtime-Aws-Request-Id"), "response"),
                        next->body, "application/json");
  }
  engine.join();
  auto elapsed = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  std::printf("%d next/response round trips: %.1f ms (%.3f ms each)\n", kRounds, elapsed, elapsed / kRounds);
  EXPECT_TRUE(done);
}

}  // namespace
}  // namespace stratus::runtime_api
