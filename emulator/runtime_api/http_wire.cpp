#include "emulator/runtime_api/http_wire.hpp"

#include <strings.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>

namespace stratus::runtime_api::wire {
namespace {

constexpr std::size_t kMaxHeaderBytes = 64 * 1024;
constexpr std::size_t kReadChunk = 64 * 1024;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

const char* reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 202: return "Accepted";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 413: return "Payload Too Large";
    case 500: return "Internal Server Error";
    default: return "Unknown";
  }
}

}  // namespace

std::string Request::header(std::string_view name) const {
  for (const auto& [key, value] : headers)
    if (iequals(key, name)) return value;
  return {};
}

bool Connection::fill() {
  if (m_pos > 0) {  // drop what was consumed, so the buffer holds at most one read past a line
    m_buffer.erase(0, m_pos);
    m_pos = 0;
  }
  std::size_t old = m_buffer.size();
  m_buffer.resize(old + kReadChunk);
  ssize_t n;
  do n = ::recv(m_fd, m_buffer.data() + old, kReadChunk, 0);
  while (n < 0 && errno == EINTR);
  m_buffer.resize(old + (n > 0 ? static_cast<std::size_t>(n) : 0));
  return n > 0;
}

bool Connection::read_line(std::string& line) {
  for (;;) {
    std::size_t end = m_buffer.find("\r\n", m_pos);
    if (end != std::string::npos) {
      line.assign(m_buffer, m_pos, end - m_pos);
      m_pos = end + 2;
      return true;
    }
    if (m_buffer.size() - m_pos > kMaxHeaderBytes || !fill()) return false;
  }
}

bool Connection::read_exact(std::size_t n, Request& request, std::size_t body_cap) {
  while (n > 0) {
    if (m_pos == m_buffer.size() && !fill()) return false;
    std::size_t take = std::min(n, m_buffer.size() - m_pos);
    if (request.body.size() < body_cap)
      request.body.append(m_buffer, m_pos, std::min(take, body_cap - request.body.size()));
    request.body_size += take;
    m_pos += take;
    n -= take;
  }
  return true;
}

bool Connection::read_request(Request& request, std::size_t body_cap) {
  request = Request{};
  std::string line;
  do {
    if (!read_line(line)) return false;
  } while (line.empty());  // tolerate stray CRLFs between requests (RFC 9112 2.2)
  std::size_t sp1 = line.find(' ');
  std::size_t sp2 = line.rfind(' ');
  if (sp1 == std::string::npos || sp2 == sp1) return false;
  request.method = line.substr(0, sp1);
  std::string target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  request.path = target.substr(0, target.find('?'));
  const bool http10 = line.compare(sp2 + 1, std::string::npos, "HTTP/1.0") == 0;
  std::size_t header_bytes = 0;
  for (;;) {
    if (!read_line(line)) return false;
    if (line.empty()) break;
    header_bytes += line.size();
    std::size_t colon = line.find(':');
    if (colon == std::string::npos || header_bytes > kMaxHeaderBytes) return false;
    request.headers.emplace_back(std::string(trim(std::string_view(line).substr(0, colon))),
                                 std::string(trim(std::string_view(line).substr(colon + 1))));
  }
  std::string connection = request.header("Connection");
  request.keep_alive = http10 ? iequals(connection, "keep-alive") : !iequals(connection, "close");
  // libcurl (the Python RIC, aws-lambda-cpp) waits a second for this before sending a large body.
  if (iequals(request.header("Expect"), "100-continue") && !send_all("HTTP/1.1 100 Continue\r\n\r\n"))
    return false;

  if (iequals(request.header("Transfer-Encoding"), "chunked")) {
    for (;;) {
      if (!read_line(line)) return false;
      char* end = nullptr;
      unsigned long long size = std::strtoull(line.c_str(), &end, 16);
      if (end == line.c_str()) return false;
      if (size == 0) break;
      if (!read_exact(size, request, body_cap) || !read_line(line) || !line.empty()) return false;
    }
    do {  // trailers (streaming responses put error type/body here), then the final CRLF
      if (!read_line(line)) return false;
    } while (!line.empty());
    return true;
  }
  std::string length = request.header("Content-Length");
  if (length.empty()) return true;
  char* end = nullptr;
  unsigned long long size = std::strtoull(length.c_str(), &end, 10);
  if (end == length.c_str() || *end != '\0') return false;
  return read_exact(size, request, body_cap);
}

bool Connection::write_response(const Response& response, bool keep_alive) {
  std::string out;
  out.reserve(256 + response.body.size());
  out += "HTTP/1.1 ";
  out += std::to_string(response.status);
  out += ' ';
  out += reason(response.status);
  out += "\r\nContent-Type: ";
  out += response.content_type;
  out += "\r\nContent-Length: ";
  out += std::to_string(response.body.size());
  out += keep_alive ? "\r\n" : "\r\nConnection: close\r\n";
  for (const auto& [key, value] : response.headers) {
    out += key;
    out += ": ";
    // A value is one line: CR or LF in a caller's JSON (client context) must not split the response.
    for (char c : value) out += (c == '\r' || c == '\n') ? ' ' : c;
    out += "\r\n";
  }
  out += "\r\n";
  out += response.body;
  return send_all(out);
}

bool Connection::send_all(std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(m_fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace stratus::runtime_api::wire
