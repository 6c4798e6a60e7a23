#pragma once
// The sliver of HTTP/1.1 the Runtime API needs, on a connected socket: read one request
// (Content-Length or chunked body, `Expect: 100-continue` answered) and write one response in a
// single send. Internal to the runtime_api server.
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace stratus::runtime_api::wire {

struct Request {
  std::string method;
  std::string path;  // without the query string
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;           // at most the reader's cap
  std::size_t body_size = 0;  // the full size, beyond the cap too
  bool keep_alive = true;
  std::string header(std::string_view name) const;  // case-insensitive; "" when absent
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

class Connection {
 public:
  explicit Connection(int fd) : m_fd(fd) {}
  // Reads the next request, keeping at most `body_cap` body bytes (the rest is read and counted).
  // False on end of stream, a socket error or a malformed request (the caller then closes).
  bool read_request(Request& request, std::size_t body_cap);
  // Serialises and sends the whole response in one send() call when the kernel takes it.
  bool write_response(const Response& response, bool keep_alive);
  // Bytes already read from the socket and not consumed yet (poll() cannot see them).
  bool buffered() const { return m_pos < m_buffer.size(); }

 private:
  bool fill();                        // appends what the socket has to m_buffer
  bool read_line(std::string& line);  // CRLF-terminated, CRLF stripped
  bool read_exact(std::size_t n, Request& request, std::size_t body_cap);
  bool send_all(std::string_view data);
  int m_fd;
  std::string m_buffer;
  std::size_t m_pos = 0;
};

}  // namespace stratus::runtime_api::wire
