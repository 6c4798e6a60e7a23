#include "emulator/net/http_wire.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>

namespace stratus::net::wire {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

std::string Request::header(std::string_view name) const {
  for (const auto& [key, value] : headers)
    if (iequals(key, name)) return value;
  return {};
}

bool Request::has_header(std::string_view name) const {
  return std::any_of(headers.begin(), headers.end(), [&](const auto& h) { return iequals(h.first, name); });
}

std::optional<std::string> Request::query_param(std::string_view name) const {
  for (const auto& [key, value] : query_params)
    if (key == name) return value;
  return std::nullopt;
}

std::string percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%' && i + 2 < text.size()) {
      int hi = hex_value(text[i + 1]);
      int lo = hex_value(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += (c == '+' && plus_is_space) ? ' ' : c;
  }
  return out;
}

Fields parse_query(std::string_view query) {
  Fields out;
  while (!query.empty()) {
    std::size_t amp = query.find('&');
    std::string_view piece = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (piece.empty()) continue;
    std::size_t eq = piece.find('=');
    out.emplace_back(
        percent_decode(piece.substr(0, eq), true),
        eq == std::string_view::npos ? std::string() : percent_decode(piece.substr(eq + 1), true));
  }
  return out;
}

const char* status_text(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Payload Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Unknown";
  }
}

bool Connection::buffered_get() const {
  const std::string_view rest = std::string_view(m_buffer).substr(m_pos);
  if (!rest.starts_with("GET ")) return false;
  const std::size_t end = rest.find("\r\n\r\n");
  if (end == std::string_view::npos) return false;
  // A GET with a body (allowed, if odd) may need more reads: not "whole" here.
  const std::string_view head = rest.substr(0, end);
  for (std::string_view name : {"\r\ncontent-length:", "\r\ntransfer-encoding:"}) {
    auto it = std::search(head.begin(), head.end(), name.begin(), name.end(),
                          [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
    if (it != head.end()) return false;
  }
  return true;
}

Connection::Buffered Connection::buffered_request() const {
  std::string_view rest = std::string_view(m_buffer).substr(m_pos);
  while (rest.starts_with("\r\n")) rest.remove_prefix(2);  // stray CRLFs, as read_request skips them
  if (rest.empty()) return Buffered::nothing;
  const std::size_t end = rest.find("\r\n\r\n");
  if (end == std::string_view::npos)
    return rest.size() > kMaxHeaderBytes ? Buffered::complete : Buffered::partial;
  unsigned long long length = 0;
  std::size_t pos = rest.find("\r\n") + 2;  // past the request line
  while (pos < end + 2) {
    const std::size_t eol = rest.find("\r\n", pos);
    const std::string_view line = rest.substr(pos, eol - pos);
    pos = eol + 2;
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;  // malformed: read_request says so
    const std::string_view name = trim(line.substr(0, colon));
    if (iequals(name, "Transfer-Encoding")) return Buffered::body_pending;
    if (iequals(name, "Content-Length")) {
      const std::string value(trim(line.substr(colon + 1)));
      char* stop = nullptr;
      errno = 0;
      length = std::strtoull(value.c_str(), &stop, 10);
      if (value.empty() || *stop != '\0' || errno == ERANGE) return Buffered::complete;  // malformed
    }
  }
  return rest.size() - (end + 4) >= length ? Buffered::complete : Buffered::body_pending;
}

ssize_t Connection::receive(int flags) {
  if (m_pos > 0) {  // drop what was consumed, so the buffer holds at most one read past a line
    m_buffer.erase(0, m_pos);
    m_pos = 0;
  }
  // Into a scratch buffer, then appended: growing m_buffer by a chunk would zero 64 KiB per read.
  if (!m_scratch) m_scratch = std::make_unique<char[]>(kReadChunk);
  ssize_t n;
  do n = ::recv(m_fd, m_scratch.get(), kReadChunk, flags);
  while (n < 0 && errno == EINTR);
  if (n > 0) m_buffer.append(m_scratch.get(), static_cast<std::size_t>(n));
  return n;
}

bool Connection::fill() {
  return receive(0) > 0;
}

Connection::Fill Connection::fill_nowait() {
  const ssize_t n = receive(MSG_DONTWAIT);
  if (n > 0) return static_cast<std::size_t>(n) < kReadChunk ? Fill::drained : Fill::data;
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) ? Fill::again : Fill::closed;
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

bool Connection::read_exact(std::size_t n, Request& request, std::size_t body_keep) {
  while (n > 0) {
    if (m_pos == m_buffer.size() && !fill()) return false;
    std::size_t take = std::min(n, m_buffer.size() - m_pos);
    if (request.body.size() < body_keep)
      request.body.append(m_buffer, m_pos, std::min(take, body_keep - request.body.size()));
    request.body_size += take;
    m_pos += take;
    n -= take;
  }
  return true;
}

namespace {

// A socket's peer as text; a v4-mapped IPv6 address as IPv4. "" when it has no IP address.
std::string peer_address(int fd) {
  sockaddr_storage address{};
  socklen_t size = sizeof address;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) return "";
  char text[INET6_ADDRSTRLEN] = "";
  if (address.ss_family == AF_INET) {
    ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&address)->sin_addr, text, sizeof text);
  } else if (address.ss_family == AF_INET6) {
    const in6_addr& v6 = reinterpret_cast<const sockaddr_in6*>(&address)->sin6_addr;
    if (IN6_IS_ADDR_V4MAPPED(&v6))
      ::inet_ntop(AF_INET, &v6.s6_addr[12], text, sizeof text);
    else
      ::inet_ntop(AF_INET6, &v6, text, sizeof text);
  }
  return text;
}

}  // namespace

ReadStatus Connection::read_request(Request& request, const Limits& limits) {
  request = Request{};
  if (!m_peer) m_peer = peer_address(m_fd);
  request.peer = *m_peer;
  std::string line;
  do {
    if (!read_line(line))
      return m_buffer.size() - m_pos > kMaxHeaderBytes ? ReadStatus::malformed : ReadStatus::closed;
  } while (line.empty());  // tolerate stray CRLFs between requests (RFC 9112 2.2)
  std::size_t sp1 = line.find(' ');
  std::size_t sp2 = line.rfind(' ');
  if (sp1 == std::string::npos || sp2 == sp1 || line.compare(sp2 + 1, 7, "HTTP/1.") != 0)
    return ReadStatus::malformed;
  request.method = line.substr(0, sp1);
  request.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  if (request.target.empty()) return ReadStatus::malformed;
  std::size_t question = request.target.find('?');
  request.path = request.target.substr(0, question);
  if (question != std::string::npos) {
    request.query = request.target.substr(question + 1);
    request.query_params = parse_query(request.query);
  }
  const bool http10 = line.compare(sp2 + 1, std::string::npos, "HTTP/1.0") == 0;
  std::size_t header_bytes = line.size();
  for (;;) {
    if (!read_line(line)) return ReadStatus::closed;
    if (line.empty()) break;
    header_bytes += line.size();
    std::size_t colon = line.find(':');
    if (colon == std::string::npos || colon == 0 || header_bytes > kMaxHeaderBytes)
      return ReadStatus::malformed;
    request.headers.emplace_back(std::string(trim(std::string_view(line).substr(0, colon))),
                                 std::string(trim(std::string_view(line).substr(colon + 1))));
  }
  std::string connection = request.header("Connection");
  request.keep_alive = http10 ? iequals(connection, "keep-alive") : !iequals(connection, "close");

  const bool chunked = iequals(request.header("Transfer-Encoding"), "chunked");
  unsigned long long length = 0;
  if (!chunked) {
    std::string text = request.header("Content-Length");
    if (!text.empty()) {
      char* end = nullptr;
      errno = 0;
      length = std::strtoull(text.c_str(), &end, 10);
      if (end == text.c_str() || *end != '\0' || errno == ERANGE || text[0] == '-')
        return ReadStatus::malformed;
    }
    // Refused before a byte of it is read (and before 100 Continue invites it).
    if (length > limits.body_max) return ReadStatus::too_large;
  }
  // libcurl (the Python RIC, aws-lambda-cpp) waits a second for this before sending a large body.
  if (iequals(request.header("Expect"), "100-continue") && !send_all("HTTP/1.1 100 Continue\r\n\r\n"))
    return ReadStatus::closed;

  if (chunked) {
    for (;;) {
      if (!read_line(line)) return ReadStatus::closed;
      char* end = nullptr;
      unsigned long long size = std::strtoull(line.c_str(), &end, 16);
      if (end == line.c_str()) return ReadStatus::malformed;
      if (size == 0) break;
      if (size > limits.body_max || request.body_size + size > limits.body_max) return ReadStatus::too_large;
      if (!read_exact(size, request, limits.body_keep) || !read_line(line)) return ReadStatus::closed;
      if (!line.empty()) return ReadStatus::malformed;
    }
    do {  // trailers (streaming responses put error type/body here), then the final CRLF
      if (!read_line(line)) return ReadStatus::closed;
    } while (!line.empty());
    return ReadStatus::ok;
  }
  return read_exact(length, request, limits.body_keep) ? ReadStatus::ok : ReadStatus::closed;
}

void serialize_response(std::string& out, const Response& response, bool keep_alive, BodyMode mode) {
  out.reserve(out.size() + 256 + (mode == BodyMode::send ? response.body.size() : 0));
  out += "HTTP/1.1 ";
  out += std::to_string(response.status);
  out += ' ';
  out += status_text(response.status);
  out += "\r\nContent-Type: ";
  out += response.content_type;
  out += "\r\nContent-Length: ";
  out += std::to_string(mode == BodyMode::omit && response.head_length ? *response.head_length
                                                                       : response.body.size());
  out += keep_alive ? "\r\n" : "\r\nConnection: close\r\n";
  for (const auto& [key, value] : response.headers) {
    out += key;
    out += ": ";
    // A value is one line: CR or LF in a caller's JSON (client context) must not split the response.
    for (char c : value) out += (c == '\r' || c == '\n') ? ' ' : c;
    out += "\r\n";
  }
  out += "\r\n";
  if (mode == BodyMode::send) out += response.body;
}

bool Connection::write_response(const Response& response, bool keep_alive, BodyMode mode) {
  std::string out = std::exchange(m_deferred, {});
  serialize_response(out, response, keep_alive, mode);
  return send_all(out);
}

void Connection::defer_response(const Response& response, bool keep_alive) {
  serialize_response(m_deferred, response, keep_alive, BodyMode::send);
}

bool Connection::send_all(std::string_view data) {
  return wire::send_all(m_fd, data);
}

bool send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace stratus::net::wire
