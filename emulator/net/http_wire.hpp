#pragma once
// The sliver of HTTP/1.1 our servers need, on a connected socket: read one request (Content-Length
// or chunked body, `Expect: 100-continue` answered, query string split and percent-decoded) and
// write one response in a single send. Shared by the Runtime API and net::HttpServer.
//
// Limits: a request line plus headers over kMaxHeaderBytes is malformed. Of the body, at most
// `Limits::body_keep` bytes are kept; the rest is read and only counted in body_size (so a 413 can
// name the size while the connection stays in step). A body declared or grown past
// `Limits::body_max` stops the read at once: ReadStatus::too_large, and the caller closes.
#include <sys/types.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace stratus::net::wire {

inline constexpr std::size_t kMaxHeaderBytes = 64 * 1024;

using Fields = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;
  std::string target;         // as sent: "/a%20b/c?x=1"
  std::string path;           // the target up to '?', still percent-encoded (segments decode on their own)
  std::string query;          // after '?', raw; "" when none
  Fields query_params;        // decoded ('+' is a space), in order; a key without '=' has value ""
  Fields headers;             // names as sent; look them up with header()
  std::string body;           // at most Limits::body_keep bytes
  std::size_t body_size = 0;  // the full size, beyond body_keep too
  bool keep_alive = true;
  std::string peer;  // the client's IP address ("127.0.0.1", "::1"); "" on a Unix socket
  std::string header(std::string_view name) const;  // case-insensitive; "" when absent
  bool has_header(std::string_view name) const;
  std::optional<std::string> query_param(std::string_view name) const;  // the first, decoded
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  Fields headers;
  std::string body;
  // A HEAD answer's Content-Length (what the GET would send), so the body need not be built.
  std::optional<std::size_t> head_length;
};

struct Limits {
  std::size_t body_keep = 6 * 1024 * 1024 + 100;
  std::size_t body_max = 64 * 1024 * 1024;
};

enum class ReadStatus {
  ok,
  closed,     // end of stream (or a socket error) before a request began or while reading one
  malformed,  // not HTTP/1.x: the caller may answer 400 and close
  too_large,  // the body passes Limits::body_max: the caller may answer 413 and close
};

// Whether write_response sends the body: a HEAD response carries the headers of the GET only.
enum class BodyMode { send, omit };

class Connection {
 public:
  explicit Connection(int fd) : m_fd(fd) {}
  ReadStatus read_request(Request& request, const Limits& limits);
  // Serialises and sends the whole response in one send() call when the kernel takes it.
  // Content-Length is the body's size in both modes (head_length instead, when set, for omit).
  // A response deferred before goes out first, in the same send.
  bool write_response(const Response& response, bool keep_alive, BodyMode mode = BodyMode::send);
  // Holds `response` back: it leaves ahead of the next write_response, in the same send. For a client
  // that pipelined its next request and waits for both answers anyway.
  void defer_response(const Response& response, bool keep_alive);
  // Bytes already read from the socket and not consumed yet (poll() cannot see them).
  bool buffered() const { return m_pos < m_buffer.size(); }
  // A whole bodiless GET head is buffered: read_request() returns it without touching the socket.
  bool buffered_get() const;

  // For event loops: one recv() that does not wait: a full read (data: more may be waiting), a
  // short one (drained: the socket held no more, so an edge-triggered poll fires again for what
  // arrives next), nothing yet (again), or the end of the stream or an error (closed).
  static constexpr std::size_t kReadChunk = 64 * 1024;  // the most one recv() asks for
  enum class Fill { data, drained, again, closed };
  Fill fill_nowait();
  enum class Buffered {
    nothing,       // no request has begun
    partial,       // part of a head
    complete,      // read_request() returns without touching the socket (it may report the
                   // request malformed or too large)
    body_pending,  // a whole head whose body has not all arrived (or is chunked): read_request()
                   // reads on, and may answer 100 Continue first
  };
  Buffered buffered_request() const;

 private:
  ssize_t receive(int flags);         // one recv() appended to m_buffer; its result
  bool fill();                        // appends what the socket has to m_buffer
  bool read_line(std::string& line);  // CRLF-terminated, CRLF stripped
  bool read_exact(std::size_t n, Request& request, std::size_t body_keep);
  bool send_all(std::string_view data);
  int m_fd;
  std::optional<std::string> m_peer;  // the client's address, looked up with the first request
  std::string m_deferred;             // serialised responses held back by defer_response()
  std::string m_buffer;
  std::size_t m_pos = 0;
  std::unique_ptr<char[]> m_scratch;  // what one recv() reads into
};

// Appends the response's bytes (status line, headers, body per `mode`) to `out`.
void serialize_response(std::string& out, const Response& response, bool keep_alive, BodyMode mode);
// send() until all of `data` is out (MSG_NOSIGNAL); false when the socket fails.
bool send_all(int fd, std::string_view data);

// ASCII case-insensitive equality, as header names compare.
bool iequals(std::string_view a, std::string_view b);

// "%41+b" -> "A b" with plus_is_space, "A+b" without. A '%' not followed by two hex digits stays.
std::string percent_decode(std::string_view text, bool plus_is_space);

// "a=1&b=%20&c" -> {{"a","1"},{"b"," "},{"c",""}}; empty pieces are skipped.
Fields parse_query(std::string_view query);

// "OK", "Not Found", ...; "Unknown" for a code not in the table.
const char* status_text(int status);

}  // namespace stratus::net::wire
