#include "emulator/net/http_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

#include "emulator/net/http_wire.hpp"

namespace stratus::net {

std::string ClientResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers)
    if (key.size() == name.size() && std::equal(key.begin(), key.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        }))
      return value;
  return "";
}

ClientResult http_request(const std::string& host, int port, const std::string& method,
                          const std::string& target, const std::string& body,
                          std::chrono::milliseconds timeout) {
  ClientResult result;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  const std::string ip = host == "localhost" ? "127.0.0.1" : host;
  if (::inet_pton(AF_INET, ip.c_str(), &addr.sin_addr) != 1) {
    result.error = "'" + host + "' is not an IPv4 address";
    return result;
  }
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    result.error = std::strerror(errno);
    return result;
  }
  timeval tv{};
  tv.tv_sec = static_cast<long>(timeout.count() / 1000);
  tv.tv_usec = static_cast<long>(timeout.count() % 1000) * 1000;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    result.error = std::strerror(errno);
    ::close(fd);
    return result;
  }
  result.connected = true;
  std::string request = method + " " + target + " HTTP/1.1\r\nHost: " + ip + ":" + std::to_string(port) +
                        "\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: " +
                        std::to_string(body.size()) + "\r\n\r\n" + body;
  if (!wire::send_all(fd, request)) {
    result.error = "the connection closed while sending";
    ::close(fd);
    return result;
  }
  std::string data;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    data.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  // "HTTP/1.1 202 Accepted\r\n...headers...\r\n\r\nbody"
  const auto head_end = data.find("\r\n\r\n");
  if (data.rfind("HTTP/1.", 0) != 0 || head_end == std::string::npos || data.size() < 12) {
    result.error = data.empty() ? "no response" : "not an HTTP response";
    return result;
  }
  ClientResponse response;
  response.status = std::atoi(data.c_str() + 9);
  response.body = data.substr(head_end + 4);
  for (std::size_t at = data.find("\r\n"); at != std::string::npos && at < head_end;) {
    const std::size_t line_start = at + 2;
    const std::size_t line_end = data.find("\r\n", line_start);
    const std::string line = data.substr(line_start, line_end - line_start);
    const auto colon = line.find(':');
    if (colon != std::string::npos) {
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(" \t"));
      while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.pop_back();
      response.headers.emplace_back(line.substr(0, colon), std::move(value));
    }
    at = line_end;
  }
  result.response = std::move(response);
  return result;
}

}  // namespace stratus::net
