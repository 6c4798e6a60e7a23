#pragma once
// The smallest HTTP/1.1 client: one request on a fresh connection (Connection: close), the whole
// response read back. For the CLI talking to a local emulator (`stratus trigger`), not for the
// outside world: no TLS, no redirects, no chunked responses (our servers send Content-Length).
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace stratus::net {

struct ClientResponse {
  int status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // as received

  // The first header of that name (any case); "" when there is none.
  std::string header(std::string_view name) const;
};

struct ClientResult {
  std::optional<ClientResponse> response;  // nullopt: no connection, or no complete answer
  bool connected = false;                  // false: nothing accepted the connection
  std::string error;                       // why there is no response
};

// `host` is an IPv4 literal or "localhost".
ClientResult http_request(const std::string& host, int port, const std::string& method,
                          const std::string& target, const std::string& body,
                          std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace stratus::net
