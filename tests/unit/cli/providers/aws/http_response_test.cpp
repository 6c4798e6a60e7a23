#include "cli/providers/aws/http_response.hpp"

#include <gtest/gtest.h>

namespace stratus::aws {
namespace {

// Feeds `wire` one byte at a time (the hardest split), then the end of the stream if still wanted.
HttpOutcome read_bytewise(std::string_view wire, bool head = false) {
  ResponseReader reader(head);
  bool more = true;
  for (char c : wire) {
    if (!(more = reader.feed(std::string_view(&c, 1)))) break;
  }
  if (more) reader.feed({});
  return reader.finish();
}

TEST(ResponseReader, ContentLengthBody) {
  auto out =
      read_bytewise("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}extra");
  EXPECT_EQ(out.status, 200);
  EXPECT_EQ(out.body, "{}");
  ASSERT_EQ(out.headers.size(), 2u);
  EXPECT_EQ(out.headers[0], (std::pair<std::string, std::string>{"Content-Type", "application/json"}));
}

TEST(ResponseReader, ChunkedBodyWithExtensionsAndTrailer) {
  auto out = read_bytewise(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;name=x\r\nhello\r\nA\r\n, "
      "world!!!\r\n0\r\nX-T: 1\r\n\r\n");
  EXPECT_EQ(out.status, 200);
  EXPECT_EQ(out.body, "hello, world!!!");
  EXPECT_EQ(out.error, "");
}

TEST(ResponseReader, BodyUntilCloseAndInterimResponsesSkipped) {
  auto out = read_bytewise("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 503 Slow Down\r\n\r\nbusy");
  EXPECT_EQ(out.status, 503);
  EXPECT_EQ(out.body, "busy");
}

TEST(ResponseReader, HeadAnd204HaveNoBody) {
  EXPECT_EQ(read_bytewise("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", true).body, "");
  auto out = read_bytewise("HTTP/1.1 204 No Content\r\n\r\n");
  EXPECT_EQ(out.status, 204);
  EXPECT_EQ(out.error, "");
}

TEST(ResponseReader, Failures) {
  EXPECT_EQ(read_bytewise("").error, "the server closed the connection without answering");
  EXPECT_EQ(read_bytewise("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc").error,
            "the server closed the connection mid-response");
  EXPECT_EQ(read_bytewise("SSH-2.0-OpenSSH\r\n\r\n").error, "not an HTTP/1.x response");
  EXPECT_EQ(read_bytewise("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n").error, "bad Content-Length 'x'");
  EXPECT_EQ(read_bytewise("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n").error,
            "malformed chunked body");
  EXPECT_EQ(read_bytewise("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello").error,
            "the server closed the connection mid-response");
}

}  // namespace
}  // namespace stratus::aws
