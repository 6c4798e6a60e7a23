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

TEST(HttpServer, EphemeralPortIsReported) {
  HttpServer server("127.0.0.1", 0, ok);
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

TEST(HttpServer, HandlerExceptionIs500) {
  HttpServer server("127.0.0.1", 0, [](const Request&) -> Response { throw std::runtime_error("boom"); });
  httplib::Client client("127.0.0.1", server.port());
  auto res = client.Get("/");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 500);
  EXPECT_EQ(res->body, "Internal error: boom\n");
}

TEST(HttpServer, SixtyFourKeepAliveClientsAtOnce) {
  std::atomic<int> handled{0};
  HttpServer server("127.0.0.1", 0, [&](const Request& req) {
    ++handled;
    return ok(req);
  });
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
TEST(HttpServer, AsyncAnswersKeepRequestOrder) {
  std::vector<std::thread> late;
  std::mutex mutex;
  auto server = std::make_unique<HttpServer>("127.0.0.1", 0, [&](const Request& req, Responder responder) {
    if (req.target != "/slow") return responder.send(ok(req));
    std::lock_guard lock(mutex);
    late.emplace_back([req, responder = std::move(responder)]() mutable {
      std::this_thread::sleep_for(200ms);
      responder.send(ok(req));
    });
  });
  test_support::RawClient client(server->port());
  ASSERT_TRUE(client.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /fast HTTP/1.1\r\nHost: x\r\n\r\n"));
  const std::string bytes = client.read_until("GET /fast");
  const auto slow = bytes.find("GET /slow");
  ASSERT_NE(slow, std::string::npos) << bytes;
  EXPECT_LT(slow, bytes.find("GET /fast"));
  server.reset();
  for (auto& t : late) t.join();
}

TEST(HttpServer, AResponderDroppedUnansweredIs500) {
  HttpServer server("127.0.0.1", 0, [](const Request&, Responder) {});
  httplib::Client client("127.0.0.1", server.port());
  auto res = client.Get("/");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 500);
  EXPECT_EQ(res->body, "Internal error: no response\n");
}

TEST(HttpServer, StopLetsARequestInFlightFinish) {
  std::promise<void> entered;
  HttpServer server("127.0.0.1", 0, [&](const Request& req) {
    entered.set_value();
    std::this_thread::sleep_for(300ms);
    return ok(req);
  });
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

TEST(HttpServer, StopClosesIdleKeepAliveConnectionsAtOnce) {
  HttpServer server("127.0.0.1", 0, ok);
  httplib::Client client("127.0.0.1", server.port());
  client.set_keep_alive(true);
  ASSERT_TRUE(client.Get("/"));
  auto start = std::chrono::steady_clock::now();
  server.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
}

TEST(HttpServer, StopIsBoundedByTheDrainTime) {
  std::promise<void> entered;
  std::atomic<bool> release{false};
  ServerOptions options;
  options.drain = 200ms;
  HttpServer server(
      "127.0.0.1", 0,
      [&](const Request& req) {
        entered.set_value();
        while (!release) std::this_thread::sleep_for(10ms);
        return ok(req);
      },
      options);
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
}

}  // namespace
}  // namespace stratus::net
