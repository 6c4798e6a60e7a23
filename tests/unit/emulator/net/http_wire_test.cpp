// The shared HTTP/1.1 reader/writer, driven with raw bytes through an HttpServer that echoes
// what it parsed, plus its pure helpers.
#include "emulator/net/http_wire.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "emulator/net/http_server.hpp"
#include "tests/support/raw_client.hpp"

namespace stratus::net {
namespace {

using test_support::RawClient;

Response echo(const Request& req) {
  nlohmann::json params = nlohmann::json::array();
  for (const auto& [k, v] : req.query_params) params.push_back({k, v});
  nlohmann::json j = {{"method", req.method},
                      {"target", req.target},
                      {"path", req.path},
                      {"query", req.query},
                      {"params", params},
                      {"x_thing", req.header("x-THING")},
                      {"has_missing", req.has_header("Missing")},
                      {"body", req.body},
                      {"body_size", req.body_size}};
  Response res;
  res.body = j.dump();
  res.headers.emplace_back("X-Echo", "yes");
  return res;
}

std::string body_of(const std::string& response) {
  return response.substr(response.find("\r\n\r\n") + 4);
}

// What an event loop learns from the bytes it has: whether read_request() can run without waiting.
TEST(HttpWire, BufferedRequestTellsWhetherAReadWouldWait) {
  using Buffered = wire::Connection::Buffered;
  auto classify = [](const std::string& bytes) {
    int fds[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    EXPECT_EQ(::write(fds[1], bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
    ::close(fds[1]);
    wire::Connection conn(fds[0]);
    for (;;) {
      const auto fill = conn.fill_nowait();
      if (fill != wire::Connection::Fill::data && fill != wire::Connection::Fill::drained) break;
    }
    const Buffered out = conn.buffered_request();
    ::close(fds[0]);
    return out;
  };
  EXPECT_EQ(classify("\r\n"), Buffered::nothing);
  EXPECT_EQ(classify("GET / HTTP/1.1\r\nHost: x\r\n"), Buffered::partial);
  EXPECT_EQ(classify("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), Buffered::complete);
  EXPECT_EQ(classify("POST / HTTP/1.1\r\ncontent-length: 3\r\n\r\nabc"), Buffered::complete);
  EXPECT_EQ(classify("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nabc"), Buffered::body_pending);
  EXPECT_EQ(classify("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
            Buffered::body_pending);
  // A bad Content-Length is for read_request() to refuse, at once.
  EXPECT_EQ(classify("POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n"), Buffered::complete);
  EXPECT_EQ(classify(std::string(wire::kMaxHeaderBytes + 10, 'a')), Buffered::complete);
}

// An edge-triggered loop may stop reading at a short read: the socket held no more then.
TEST(HttpWire, FillTellsAFullReadFromAShortOne) {
  using Fill = wire::Connection::Fill;
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  int size = 1 << 20;
  ::setsockopt(fds[1], SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
  wire::Connection conn(fds[0]);
  EXPECT_EQ(conn.fill_nowait(), Fill::again);
  const std::string bytes(wire::Connection::kReadChunk + 100, 'a');
  ASSERT_EQ(::write(fds[1], bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  EXPECT_EQ(conn.fill_nowait(), Fill::data);     // a whole chunk: there may be more
  EXPECT_EQ(conn.fill_nowait(), Fill::drained);  // the last 100 bytes
  EXPECT_EQ(conn.fill_nowait(), Fill::again);
  ::close(fds[1]);
  EXPECT_EQ(conn.fill_nowait(), Fill::closed);
  ::close(fds[0]);
}

TEST(PercentDecode, DecodesEscapesAndOptionallyPlus) {
  EXPECT_EQ(wire::percent_decode("%41%3a%3A+b", true), "A:: b");
  EXPECT_EQ(wire::percent_decode("%41+b", false), "A+b");
  EXPECT_EQ(wire::percent_decode("100%", false), "100%");
  EXPECT_EQ(wire::percent_decode("%zz%4", false), "%zz%4");
  EXPECT_EQ(wire::percent_decode("arn%3Aaws%3Alambda", false), "arn:aws:lambda");
}

TEST(ParseQuery, SplitsDecodesAndKeepsOrder) {
  wire::Fields expected = {{"a", "1"}, {"b", " x"}, {"c", ""}, {"$k", "v=w"}, {"a", "2"}};
  EXPECT_EQ(wire::parse_query("a=1&b=+x&c&&%24k=v%3Dw&a=2"), expected);
  EXPECT_TRUE(wire::parse_query("").empty());
}

TEST(StatusText, KnowsTheCodesOurServersSend) {
  EXPECT_STREQ(wire::status_text(200), "OK");
  EXPECT_STREQ(wire::status_text(204), "No Content");
  EXPECT_STREQ(wire::status_text(405), "Method Not Allowed");
  EXPECT_STREQ(wire::status_text(413), "Payload Too Large");
  EXPECT_STREQ(wire::status_text(429), "Too Many Requests");
  EXPECT_STREQ(wire::status_text(799), "Unknown");
}

TEST(HttpWire, TargetQueryAndCaseInsensitiveHeadersReachTheHandler) {
  HttpServer server("127.0.0.1", 0, echo);
  RawClient client(server.port());
  ASSERT_TRUE(client.connected());
  client.send(
      "POST /a%20b/c?Qualifier=%24LATEST&x=1+2 HTTP/1.1\r\nX-Thing: v\r\nContent-Length: 3\r\n"
      "Connection: close\r\n\r\nabc");
  std::string response = client.read_all();
  EXPECT_EQ(response.substr(0, response.find("\r\n")), "HTTP/1.1 200 OK");
  auto j = nlohmann::json::parse(body_of(response));
  EXPECT_EQ(j["method"], "POST");
  EXPECT_EQ(j["target"], "/a%20b/c?Qualifier=%24LATEST&x=1+2");
  EXPECT_EQ(j["path"], "/a%20b/c");
  EXPECT_EQ(j["query"], "Qualifier=%24LATEST&x=1+2");
  EXPECT_EQ(j["params"], nlohmann::json::parse(R"([["Qualifier","$LATEST"],["x","1 2"]])"));
  EXPECT_EQ(j["x_thing"], "v");
  EXPECT_EQ(j["has_missing"], false);
  EXPECT_EQ(j["body"], "abc");
}

TEST(HttpWire, HeadResponseHasTheLengthButNoBody) {
  HttpServer server("127.0.0.1", 0, echo);
  RawClient client(server.port());
  client.send("HEAD /x HTTP/1.1\r\nConnection: close\r\n\r\n");
  std::string response = client.read_all();
  EXPECT_NE(response.find("Content-Length: "), std::string::npos);
  EXPECT_EQ(response.find("Content-Length: 0\r\n"), std::string::npos);
  EXPECT_NE(response.find("X-Echo: yes\r\n"), std::string::npos);
  EXPECT_EQ(body_of(response), "");
}

TEST(HttpWire, BodyOverTheKeepLimitIsCountedNotKept) {
  ServerOptions options;
  options.limits.body_keep = 4;
  HttpServer server("127.0.0.1", 0, echo, options);
  RawClient client(server.port());
  client.send("POST / HTTP/1.1\r\nContent-Length: 10\r\nConnection: close\r\n\r\n0123456789");
  auto j = nlohmann::json::parse(body_of(client.read_all()));
  EXPECT_EQ(j["body"], "0123");
  EXPECT_EQ(j["body_size"], 10);
}

TEST(HttpWire, DeclaredBodyOverTheMaximumIs413AndClose) {
  ServerOptions options;
  options.limits.body_max = 100;
  HttpServer server("127.0.0.1", 0, echo, options);
  RawClient client(server.port());
  client.send("POST / HTTP/1.1\r\nContent-Length: 101\r\n\r\n");
  std::string response = client.read_all();  // returns: the server closed
  EXPECT_EQ(response.substr(0, response.find("\r\n")), "HTTP/1.1 413 Payload Too Large");
  EXPECT_NE(response.find("Connection: close\r\n"), std::string::npos);
}

TEST(HttpWire, ChunkedBodyOverTheMaximumIs413) {
  ServerOptions options;
  options.limits.body_max = 8;
  HttpServer server("127.0.0.1", 0, echo, options);
  RawClient client(server.port());
  client.send("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n");
  std::string response = client.read_all();
  EXPECT_EQ(response.substr(0, response.find("\r\n")), "HTTP/1.1 413 Payload Too Large");
}

TEST(HttpWire, MalformedRequestLineIs400AndClose) {
  HttpServer server("127.0.0.1", 0, echo);
  RawClient client(server.port());
  client.send("NONSENSE\r\n\r\n");
  std::string response = client.read_all();
  EXPECT_EQ(response.substr(0, response.find("\r\n")), "HTTP/1.1 400 Bad Request");
}

TEST(HttpWire, BadContentLengthIs400) {
  HttpServer server("127.0.0.1", 0, echo);
  RawClient client(server.port());
  client.send("POST / HTTP/1.1\r\nContent-Length: 12x\r\n\r\n");
  std::string response = client.read_all();
  EXPECT_EQ(response.substr(0, response.find("\r\n")), "HTTP/1.1 400 Bad Request");
}

TEST(HttpWire, OversizedHeadersAre400) {
  HttpServer server("127.0.0.1", 0, echo);
  RawClient client(server.port());
  client.send("GET / HTTP/1.1\r\nX-Big: " + std::string(wire::kMaxHeaderBytes + 10, 'a') + "\r\n\r\n");
  std::string response = client.read_all();
  EXPECT_EQ(response.substr(0, response.find("\r\n")), "HTTP/1.1 400 Bad Request");
}

TEST(HttpWire, PipelinedRequestsAreAnsweredInOrder) {
  HttpServer server("127.0.0.1", 0, echo);
  RawClient client(server.port());
  client.send("GET /one HTTP/1.1\r\n\r\nGET /two HTTP/1.1\r\nConnection: close\r\n\r\n");
  std::string response = client.read_all();
  std::size_t one = response.find(R"("path":"/one")");
  std::size_t two = response.find(R"("path":"/two")");
  ASSERT_NE(one, std::string::npos);
  ASSERT_NE(two, std::string::npos);
  EXPECT_LT(one, two);
}

}  // namespace
}  // namespace stratus::net
