#include "emulator/net/http_server.hpp"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "tests/support/raw_client.hpp"

namespace stratus::net {
namespace {

using namespace std::chrono_literals;

Response ok(const Request& req) {
  Response res;
  res.content_type = "text/plain";
  res.body = req.method + " " + req.target;
  return res;
}

// Every behaviour holds in both ways of serving: a thread per connection, and one event loop
// (whose handlers never block: those that wait here answer from a thread of their own).
class HttpServerModes : public ::testing::TestWithParam<bool> {
 protected:
  ServerOptions options() const {
    ServerOptions o;
    o.event_loop = GetParam();
    return o;
  }
  // Answers after `delay`, from a thread of its own; the threads are joined by the fixture.
  AsyncHandler answer_later(std::chrono::milliseconds delay) {
    return [this, delay](const Request& req, Responder responder) {
      std::lock_guard lock(m_mutex);
      m_late.emplace_back([delay, req, responder = std::move(responder)]() mutable {
        std::this_thread::sleep_for(delay);
        responder.send(ok(req));
      });
    };
  }
  void TearDown() override {
    for (auto& t : m_late) t.join();
  }

 private:
  std::mutex m_mutex;
  std::vector<std::thread> m_late;
};

INSTANTIATE_TEST_SUITE_P(Serving, HttpServerModes, ::testing::Values(false, true),
                         [](const auto& param_info) {
                           return param_info.param ? "EventLoop" : "ThreadPerConnection";
                         });

TEST_P(HttpServerModes, EphemeralPortIsReported) {
  HttpServer server("127.0.0.1", 0, ok, options());
  EXPECT_GT(server.port(), 0);
  EXPECT_EQ(server.address(), "127.0.0.1:" + std::to_string(server.port()));
  httplib::Client client("127.0.0.1", server.port());
  auto res = client.Get("/hello?x=1");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "GET /hello?x=1");
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/plain");
}

TEST(HttpServer, LocalhostMeansLoopback) {
  HttpServer server("localhost", 0, ok);
  EXPECT_EQ(server.address(), "127.0.0.1:" + std::to_string(server.port()));
}

TEST(HttpServer, PortInUseNamesTheAddressAndTheFlag) {
  HttpServer first("127.0.0.1", 0, ok);
  ServerOptions options;
  options.port_flag = "--lambda-port";
  try {
    HttpServer second("127.0.0.1", first.port(), ok, options);
    FAIL() << "bound a port that is in use";
  } catch (const BindError& e) {
    EXPECT_EQ(std::string(e.what()), "127.0.0.1:" + std::to_string(first.port()) +
                                         " is already in use; pass --lambda-port to choose another");
  }
}

TEST(HttpServer, BadHostIsABindError) {
  EXPECT_THROW(HttpServer("not-an-ip", 0, ok), BindError);
  EXPECT_THROW(HttpServer("127.0.0.1", 70000, ok), BindError);
}

TEST_P(HttpServerModes, HandlerExceptionIs500) {
  HttpServer server(
      "127.0.0.1", 0, [](const Request&) -> Response { throw std::runtime_error("boom"); }, options());
  httplib::Client client("127.0.0.1", server.port());
  auto res = client.Get("/");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 500);
  EXPECT_EQ(res->body, "Internal error: boom\n");
}

TEST_P(HttpServerModes, SixtyFourKeepAliveClientsAtOnce) {
  std::atomic<int> handled{0};
  HttpServer server(
      "127.0.0.1", 0,
      [&](const Request& req) {
        ++handled;
        return ok(req);
      },
      options());
  constexpr int kClients = 64;
  constexpr int kRequests = 200;
  std::atomic<int> good{0};
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < kClients; ++c) {
    threads.emplace_back([&, c] {
      httplib::Client client("127.0.0.1", server.port());
      client.set_keep_alive(true);
      client.set_tcp_nodelay(true);
      for (int i = 0; i < kRequests; ++i) {
        std::string path = "/c" + std::to_string(c) + "/" + std::to_string(i);
        auto res = client.Post(path, "{}", "application/json");
        if (res && res->status == 200 && res->body == "POST " + path) ++good;
      }
    });
  }
  for (auto& t : threads) t.join();
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(good, kClients * kRequests);
  EXPECT_EQ(handled, kClients * kRequests);
  // 12,800 round trips; a loaded 2-core CI box does them in well under this.
  EXPECT_LT(elapsed, 20s);
  std::printf("64 clients x 200 requests: %.0f ms\n",
              std::chrono::duration<double, std::milli>(elapsed).count());
}

// An AsyncHandler may answer after it returns, from another thread; a client that pipelines gets
// its responses in request order even when a later one is ready first.
TEST_P(HttpServerModes, AsyncAnswersKeepRequestOrder) {
  auto slow = answer_later(200ms);
  HttpServer server(
      "127.0.0.1", 0,
      [&](const Request& req, Responder responder) {
        if (req.target != "/slow") return responder.send(ok(req));
        slow(req, std::move(responder));
      },
      options());
  test_support::RawClient client(server.port());
  ASSERT_TRUE(client.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /fast HTTP/1.1\r\nHost: x\r\n\r\n"));
  const std::string bytes = client.read_until("GET /fast");
  const auto at = bytes.find("GET /slow");
  ASSERT_NE(at, std::string::npos) << bytes;
  EXPECT_LT(at, bytes.find("GET /fast"));
}

// Requests pipelined in one send are all answered, in order (the event loop serves what it has
// buffered before it reads again).
TEST_P(HttpServerModes, PipelinedRequestsAreAllAnswered) {
  HttpServer server("127.0.0.1", 0, ok, options());
  test_support::RawClient client(server.port());
  ASSERT_TRUE(
      client.send("GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n"
                  "GET /3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  const std::string bytes = client.read_all();
  const auto first = bytes.find("GET /1"), second = bytes.find("GET /2"), third = bytes.find("GET /3");
  ASSERT_NE(third, std::string::npos) << bytes;
  EXPECT_LT(first, second);
  EXPECT_LT(second, third);
}

// Each request carries its client's address (the HTTP trigger's sourceIp).
TEST_P(HttpServerModes, RequestsCarryThePeerAddress) {
  HttpServer server(
      "127.0.0.1", 0,
      [](const Request& req) {
        Response res;
        res.body = "peer=" + req.peer;
        return res;
      },
      options());
  for (const char* from : {"127.0.0.1", "127.0.0.2"}) {
    test_support::RawClient client(server.port(), from);
    ASSERT_TRUE(
        client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n"
                    "Connection: close\r\n\r\n"));
    const std::string bytes = client.read_all();
    const std::string expected = std::string("peer=") + from;
    const auto first = bytes.find(expected);
    ASSERT_NE(first, std::string::npos) << bytes;
    EXPECT_NE(bytes.find(expected, first + 1), std::string::npos) << "the second request too:\n" << bytes;
  }
}

Response body_size(const Request& req) {
  Response res;
  res.content_type = "text/plain";
  res.body = std::to_string(req.body.size()) + ":" + req.body.substr(0, 3) + ":" +
             req.body.substr(req.body.size() > 3 ? req.body.size() - 3 : 0);
  return res;
}

// A body that arrives after its head, in pieces, is read whole (in the event loop, by a thread of
// its own while the loop serves the others).
TEST_P(HttpServerModes, ABodyArrivingInPiecesIsReadWhole) {
  HttpServer server("127.0.0.1", 0, body_size, options());
  test_support::RawClient client(server.port());
  const std::string body = "abc" + std::string(300000, 'x') + "xyz";
  ASSERT_TRUE(client.send("POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) +
                          "\r\n\r\n" + body.substr(0, 1000)));
  std::this_thread::sleep_for(100ms);
  httplib::Client other("127.0.0.1", server.port());  // not held up meanwhile
  auto res = other.Get("/other");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body, "0::");
  ASSERT_TRUE(client.send(body.substr(1000)));
  EXPECT_NE(client.read_until("xyz").find("300006:abc:xyz"), std::string::npos);
}

// A large answer to a client that does not read holds nobody up: what the socket does not take at
// once is sent from a thread of its own, not from the thread that answered (the event loop here).
TEST_P(HttpServerModes, ALargeAnswerToASlowReaderHoldsUpNoOtherClient) {
  const std::string big(16 * 1024 * 1024, 'b');
  HttpServer server(
      "127.0.0.1", 0,
      [&](const Request& req) {
        Response res = ok(req);
        if (req.target == "/big") res.body = big;
        return res;
      },
      options());
  test_support::RawClient slow(server.port());
  ASSERT_TRUE(slow.send("GET /big HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));  // reads nothing yet
  std::this_thread::sleep_for(100ms);
  httplib::Client other("127.0.0.1", server.port());
  const auto start = std::chrono::steady_clock::now();
  auto res = other.Get("/small");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body, "GET /small");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  const std::string bytes = slow.read_all();  // to the close
  EXPECT_GT(bytes.size(), big.size()) << "the large answer arrives whole";
  EXPECT_EQ(bytes.substr(bytes.size() - 10), std::string(10, 'b'));
}

TEST_P(HttpServerModes, ExpectContinueIsAnsweredThenTheBodyRead) {
  HttpServer server("127.0.0.1", 0, body_size, options());
  test_support::RawClient client(server.port());
  ASSERT_TRUE(
      client.send("POST /e HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 6\r\n\r\n"));
  EXPECT_NE(client.read_until("\r\n\r\n").find("HTTP/1.1 100 Continue"), std::string::npos);
  ASSERT_TRUE(client.send("abcxyz"));
  EXPECT_NE(client.read_until("6:abc:xyz").find("6:abc:xyz"), std::string::npos);
}

TEST_P(HttpServerModes, ChunkedBodiesAreReadWhole) {
  HttpServer server("127.0.0.1", 0, body_size, options());
  test_support::RawClient client(server.port());
  ASSERT_TRUE(client.send(
      "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n3\r\nxyz\r\n0\r\n\r\n"));
  EXPECT_NE(client.read_until("6:abc:xyz").find("6:abc:xyz"), std::string::npos);
}

TEST_P(HttpServerModes, GarbageIs400AndAnOversizedBodyIs413ThenClose) {
  ServerOptions o = options();
  o.limits.body_max = 10;
  HttpServer server("127.0.0.1", 0, ok, o);
  test_support::RawClient garbage(server.port());
  ASSERT_TRUE(garbage.send("NOT HTTP\r\n\r\n"));
  EXPECT_NE(garbage.read_all().find("HTTP/1.1 400 Bad Request"), std::string::npos);
  test_support::RawClient big(server.port());
  ASSERT_TRUE(big.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n"));
  const std::string answer = big.read_all();  // ends: the server closes
  EXPECT_NE(answer.find("HTTP/1.1 413"), std::string::npos) << answer;
  EXPECT_NE(answer.find("limit 10 bytes"), std::string::npos) << answer;
}

TEST_P(HttpServerModes, ASilentConnectionIsClosedAfterTheIdleTimeout) {
  ServerOptions o = options();
  o.idle_timeout = std::chrono::seconds(1);
  HttpServer server("127.0.0.1", 0, ok, o);
  test_support::RawClient client(server.port());
  ASSERT_TRUE(client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  const auto start = std::chrono::steady_clock::now();
  const std::string bytes = client.read_all();  // the answer, then the close
  EXPECT_NE(bytes.find("GET /"), std::string::npos);
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_GE(waited, 900ms);
  EXPECT_LT(waited, 5s);
}

TEST_P(HttpServerModes, AResponderDroppedUnansweredIs500) {
  HttpServer server(
      "127.0.0.1", 0, [](const Request&, Responder) {}, options());
  httplib::Client client("127.0.0.1", server.port());
  auto res = client.Get("/");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 500);
  EXPECT_EQ(res->body, "Internal error: no response\n");
}

TEST_P(HttpServerModes, StopLetsARequestInFlightFinish) {
  std::promise<void> entered;
  auto slow = answer_later(300ms);
  HttpServer server(
      "127.0.0.1", 0,
      [&](const Request& req, Responder responder) {
        slow(req, std::move(responder));
        entered.set_value();
      },
      options());
  auto response = std::async(std::launch::async, [&] {
    httplib::Client client("127.0.0.1", server.port());
    client.set_read_timeout(10, 0);
    return client.Get("/slow");
  });
  entered.get_future().wait();
  server.stop();
  auto res = response.get();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "GET /slow");
  EXPECT_EQ(res->get_header_value("Connection"), "close");
  httplib::Client late("127.0.0.1", server.port());
  late.set_connection_timeout(1, 0);
  EXPECT_FALSE(late.Get("/"));  // no longer accepting
}

TEST_P(HttpServerModes, StopClosesIdleKeepAliveConnectionsAtOnce) {
  HttpServer server("127.0.0.1", 0, ok, options());
  httplib::Client client("127.0.0.1", server.port());
  client.set_keep_alive(true);
  ASSERT_TRUE(client.Get("/"));
  auto start = std::chrono::steady_clock::now();
  server.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
}

TEST_P(HttpServerModes, StopIsBoundedByTheDrainTime) {
  std::promise<void> entered;
  std::atomic<bool> release{false};
  ServerOptions o = options();
  o.drain = 200ms;
  std::thread stuck;
  HttpServer server(
      "127.0.0.1", 0,
      [&](const Request& req, Responder responder) {
        stuck = std::thread([&, req, responder = std::move(responder)]() mutable {
          while (!release) std::this_thread::sleep_for(10ms);
          responder.send(ok(req));
        });
        entered.set_value();
      },
      o);
  auto response = std::async(std::launch::async, [&] {
    httplib::Client client("127.0.0.1", server.port());
    client.set_read_timeout(10, 0);
    return client.Get("/stuck");
  });
  entered.get_future().wait();
  // The handler is released after the drain bound: stop() cuts the connection, then joins.
  auto releaser = std::async(std::launch::async, [&] {
    std::this_thread::sleep_for(600ms);
    release = true;
  });
  auto start = std::chrono::steady_clock::now();
  server.stop();
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_GE(elapsed, 150ms);
  auto res = response.get();
  EXPECT_FALSE(res);  // cut before the answer
  stuck.join();
}

}  // namespace
}  // namespace stratus::net
