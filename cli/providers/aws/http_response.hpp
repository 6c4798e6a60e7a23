#pragma once
// Reads one HTTP/1.1 response from a byte stream fed in pieces: the status line, headers, and a
// body delimited by Content-Length, chunked transfer coding, or the end of the stream. Interim
// 1xx responses are skipped. Separate from the transport so it is tested without sockets.
#include <cstddef>
#include <string>
#include <string_view>

#include "cli/providers/aws/http_transport.hpp"

namespace stratus::aws {

class ResponseReader {
 public:
  // A HEAD request's response has headers only, whatever its Content-Length says.
  explicit ResponseReader(bool head_request) : m_head_request(head_request) {}

  // Feeds received bytes; an empty piece means the stream ended. Returns false once the response
  // is complete or cannot be read: stop reading then and call finish().
  bool feed(std::string_view data);

  // The response, or status 0 with the reason it is incomplete or malformed.
  HttpOutcome finish();

  static constexpr std::size_t kMaxHeadBytes = 64 * 1024;

 private:
  enum class State { head, length, chunk_size, chunk_data, chunk_end, trailer, until_close, done, failed };

  bool advance();  // parses what the buffer holds; false when it needs more bytes
  bool read_head();
  void fail(std::string why);

  bool m_head_request;
  State m_state = State::head;
  std::string m_buffer;
  std::size_t m_pos = 0;
  std::size_t m_remaining = 0;
  HttpOutcome m_out;
};

}  // namespace stratus::aws
