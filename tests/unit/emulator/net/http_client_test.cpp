// The CLI's small HTTP client against our own server and against peers that misbehave.
#include "emulator/net/http_client.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "emulator/net/http_server.hpp"

namespace stratus::net {
namespace {

// A listener on an ephemeral port that answers each connection with `reply` bytes, then closes.
class RawPeer {
 public:
  explicit RawPeer(std::string reply) : m_reply(std::move(reply)) {
    m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(m_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(m_fd, reinterpret_cast<sockaddr*>(&addr), &len);
    m_port = ntohs(addr.sin_port);
    ::listen(m_fd, 1);
    m_thread = std::thread([this] {
      const int c = ::accept(m_fd, nullptr, nullptr);
      char buf[1024];
      (void)::recv(c, buf, sizeof buf, 0);
      if (!m_reply.empty()) (void)::send(c, m_reply.data(), m_reply.size(), MSG_NOSIGNAL);
      ::close(c);
    });
  }
  ~RawPeer() {
    m_thread.join();
    ::close(m_fd);
  }
  int port() const { return m_port; }

 private:
  std::string m_reply;
  int m_fd = -1;
  int m_port = 0;
  std::thread m_thread;
};

TEST(HttpClient, PostsToOurServerAndReadsTheAnswer) {
  HttpServer server("127.0.0.1", 0, [](const Request& r) {
    Response res;
    res.status = 202;
    res.body = r.method + " " + r.target + " " + r.body;
    return res;
  });
  const auto result = http_request("127.0.0.1", server.port(), "POST", "/x/y", "{}");
  ASSERT_TRUE(result.response) << result.error;
  EXPECT_TRUE(result.connected);
  EXPECT_EQ(result.response->status, 202);
  EXPECT_EQ(result.response->body, "POST /x/y {}");
}

TEST(HttpClient, NothingListening) {
  int port = 0;
  {
    RawPeer peer("");  // takes one connection, then the port is free again
    port = peer.port();
    (void)http_request("127.0.0.1", port, "GET", "/", "");
  }
  const auto result = http_request("127.0.0.1", port, "GET", "/", "");
  EXPECT_FALSE(result.connected);
  EXPECT_FALSE(result.response);
  EXPECT_EQ(result.error, "Connection refused");
}

TEST(HttpClient, PeersThatDoNotSpeakHttp) {
  {
    RawPeer silent("");
    const auto result = http_request("127.0.0.1", silent.port(), "GET", "/", "");
    EXPECT_TRUE(result.connected);
    EXPECT_FALSE(result.response);
    EXPECT_EQ(result.error, "no response");
  }
  {
    RawPeer garbage("SSH-2.0-OpenSSH\r\n");
    const auto result = http_request("127.0.0.1", garbage.port(), "GET", "/", "");
    EXPECT_FALSE(result.response);
    EXPECT_EQ(result.error, "not an HTTP response");
  }
  const auto result = http_request("example.com", 80, "GET", "/", "");
  EXPECT_FALSE(result.connected);
  EXPECT_EQ(result.error, "'example.com' is not an IPv4 address");
}

}  // namespace
}  // namespace stratus::net
