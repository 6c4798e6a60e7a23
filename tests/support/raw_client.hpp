#pragma once
// A bare TCP client on 127.0.0.1 for wire-level tests: sends exact bytes, reads what comes back.
// Reads give up after 10 s, so a test against a silent server ends.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdint>
#include <string>

namespace stratus::test_support {

class RawClient {
 public:
  // `from`: the local address to connect from, another loopback one ("127.0.0.2") to look like
  // another client.
  explicit RawClient(int port, const char* from = nullptr) {
    m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (from) {
      sockaddr_in local{};
      local.sin_family = AF_INET;
      ::inet_pton(AF_INET, from, &local.sin_addr);
      ::bind(m_fd, reinterpret_cast<sockaddr*>(&local), sizeof local);
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    timeval timeout{10, 0};
    ::setsockopt(m_fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    m_connected = ::connect(m_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~RawClient() { ::close(m_fd); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return m_connected; }
  // True when every byte was handed to the kernel (no SIGPIPE on a closed peer).
  bool send(const std::string& data) {
    return ::send(m_fd, data.data(), data.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(data.size());
  }
  // Everything until the peer closes (or 10 s pass).
  std::string read_all() {
    while (fill()) {
    }
    return m_data;
  }
  // Reads until `marker` has arrived (or the peer closes / 10 s pass); returns all bytes so far.
  std::string read_until(const std::string& marker) {
    while (m_data.find(marker) == std::string::npos && fill()) {
    }
    return m_data;
  }
  bool peer_closed() {
    char c;
    return ::recv(m_fd, &c, 1, 0) == 0;
  }

 private:
  bool fill() {
    char buf[4096];
    const ssize_t n = ::recv(m_fd, buf, sizeof buf, 0);
    if (n <= 0) return false;
    m_data.append(buf, static_cast<std::size_t>(n));
    return true;
  }

  int m_fd = -1;
  bool m_connected = false;
  std::string m_data;
};

}  // namespace stratus::test_support
