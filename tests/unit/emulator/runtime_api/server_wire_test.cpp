// The HTTP layer under the Runtime API, driven with raw bytes: the corners a library client
// never shows (chunked bodies, Expect: 100-continue, Connection: close, header injection).
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>

#include "emulator/common/ids.hpp"
#include "emulator/runtime_api/server.hpp"
#include "tests/support/raw_client.hpp"

namespace stratus::runtime_api {
namespace {

using namespace std::chrono_literals;

using test_support::RawClient;

struct Cycle {
  RuntimeApiServer server;
  Invocation inv;
  std::future<InvokeOutcome> outcome;
  explicit Cycle(std::optional<std::string> client_context = std::nullopt) {
    inv.request_id = new_request_id();
    inv.event = "{}";
    inv.deadline_ms = 1;
    inv.invoked_function_arn = "arn";
    inv.trace_id = "t";
    inv.client_context = std::move(client_context);
    outcome = std::async(std::launch::async, [this] { return server.invoke(inv, Clock::now() + 10s); });
  }
};

TEST(RuntimeApiWire, ChunkedResponseBodyWithTrailersIsReassembled) {
  Cycle cycle;
  RawClient client(cycle.server.port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.send("GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n"));
  client.read_until("\r\n\r\n{}");
  ASSERT_TRUE(client.send(
      "POST /2018-06-01/runtime/invocation/" + cycle.inv.request_id +
      "/response HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n"
      "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nLambda-Runtime-Function-Error-Type: X\r\n\r\n"));
  EXPECT_NE(client.read_until(R"({"status":"OK"})").find("HTTP/1.1 202 Accepted\r\n"), std::string::npos);
  InvokeOutcome out = cycle.outcome.get();
  EXPECT_EQ(out.kind, OutcomeKind::success);
  EXPECT_EQ(out.body, "hello, world");
  EXPECT_EQ(out.content_type, "text/plain");
}

TEST(RuntimeApiWire, ExpectContinueIsAnsweredBeforeTheBody) {
  Cycle cycle;
  RawClient client(cycle.server.port());
  ASSERT_TRUE(client.send("GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\n\r\n"));
  client.read_until("\r\n\r\n{}");
  ASSERT_TRUE(client.send("POST /2018-06-01/runtime/invocation/" + cycle.inv.request_id +
                          "/response HTTP/1.1\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n"));
  EXPECT_NE(client.read_until("HTTP/1.1 100 Continue\r\n\r\n").find("HTTP/1.1 100 Continue\r\n\r\n"),
            std::string::npos);
  ASSERT_TRUE(client.send("ok"));
  EXPECT_NE(client.read_until(R"({"status":"OK"})").find("202 Accepted"), std::string::npos);
  EXPECT_EQ(cycle.outcome.get().body, "ok");
}

TEST(RuntimeApiWire, NextResponseIsOneWellFormedMessageAndConnectionCloseIsHonoured) {
  Cycle cycle(std::string("{\r\n\"a\": 1}"));
  RawClient client(cycle.server.port());
  ASSERT_TRUE(client.send("GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nConnection: close\r\n\r\n"));
  std::string response = client.read_until("\r\n\r\n{}");
  EXPECT_EQ(response,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
            "Connection: close\r\nLambda-Runtime-Aws-Request-Id: " +
                cycle.inv.request_id +
                "\r\nLambda-Runtime-Deadline-Ms: 1\r\nLambda-Runtime-Invoked-Function-Arn: arn\r\n"
                "Lambda-Runtime-Trace-Id: t\r\nLambda-Runtime-Client-Context: {  \"a\": 1}\r\n\r\n{}");
  EXPECT_TRUE(client.peer_closed());
  cycle.server.instance_gone();
  EXPECT_EQ(cycle.outcome.get().kind, OutcomeKind::instance_gone);
}

TEST(RuntimeApiWire, UnknownPathIs404WithAJsonBody) {
  RuntimeApiServer server;
  RawClient client(server.port());
  ASSERT_TRUE(
      client.send("DELETE /2018-06-01/runtime/invocation/next?x=1 HTTP/1.1\r\nContent-Length: 0\r\n\r\n"));
  std::string response = client.read_until("}");
  EXPECT_EQ(response.substr(0, response.find("\r\n")), "HTTP/1.1 404 Not Found");
  EXPECT_NE(
      response.find(
          R"({"errorMessage":"Unknown path: DELETE /2018-06-01/runtime/invocation/next","errorType":"NotFound"})"),
      std::string::npos);
}

TEST(RuntimeApiWire, MalformedRequestClosesTheConnection) {
  RuntimeApiServer server;
  RawClient client(server.port());
  ASSERT_TRUE(client.send("NONSENSE\r\n\r\n"));
  EXPECT_TRUE(client.peer_closed());
}

}  // namespace
}  // namespace stratus::runtime_api
