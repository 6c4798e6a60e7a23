#include "cli/providers/aws/http_response.hpp"

#include <charconv>

#include "emulator/net/http_wire.hpp"

namespace stratus::aws {

namespace {

using net::wire::iequals;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace

void ResponseReader::fail(std::string why) {
  m_state = State::failed;
  m_out.status = 0;
  m_out.error = std::move(why);
}

bool ResponseReader::feed(std::string_view data) {
  if (m_state == State::done || m_state == State::failed) return false;
  if (data.empty()) {  // the end of the stream
    if (m_state == State::until_close) {
      m_out.body.append(m_buffer, m_pos);
      m_state = State::done;
    } else {
      fail(m_state == State::head && m_buffer.empty() ? "the server closed the connection without answering"
                                                      : "the server closed the connection mid-response");
    }
    return false;
  }
  m_buffer.append(data);
  while (advance()) {
  }
  // Drop what was consumed so a long body is not copied around.
  if (m_pos > 0 && m_state != State::until_close) {
    m_buffer.erase(0, m_pos);
    m_pos = 0;
  }
  return m_state != State::done && m_state != State::failed;
}

bool ResponseReader::read_head() {
  std::size_t end = m_buffer.find("\r\n\r\n", m_pos);
  if (end == std::string::npos) {
    if (m_buffer.size() - m_pos > kMaxHeadBytes) fail("the response headers are too large");
    return false;
  }
  std::string_view head(m_buffer.data() + m_pos, end - m_pos);
  m_pos = end + 4;
  std::size_t line_end = head.find("\r\n");
  std::string_view status_line = head.substr(0, line_end);
  if (!status_line.starts_with("HTTP/1.") || status_line.size() < 12) {
    fail("not an HTTP/1.x response");
    return false;
  }
  int status = 0;
  auto [p, ec] = std::from_chars(status_line.data() + 9, status_line.data() + 12, status);
  if (ec != std::errc{} || p != status_line.data() + 12 || status < 100) {
    fail("not an HTTP/1.x response");
    return false;
  }
  Headers headers;
  while (line_end != std::string_view::npos) {
    head.remove_prefix(line_end + 2);
    line_end = head.find("\r\n");
    std::string_view line = head.substr(0, line_end);
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    headers.emplace_back(std::string(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))));
  }
  if (status < 200) return true;  // 100 Continue and friends: the real response follows
  m_out.status = status;
  m_out.headers = std::move(headers);
  std::string length, coding;
  for (const auto& [name, value] : m_out.headers) {
    if (iequals(name, "Content-Length")) length = value;
    if (iequals(name, "Transfer-Encoding")) coding = value;
  }
  if (m_head_request || status == 204 || status == 304) {
    m_state = State::done;
  } else if (!coding.empty() && iequals(trim(coding.substr(coding.rfind(',') + 1)), "chunked")) {
    m_state = State::chunk_size;
  } else if (!length.empty()) {
    auto [q, lec] = std::from_chars(length.data(), length.data() + length.size(), m_remaining);
    if (lec != std::errc{} || q != length.data() + length.size()) {
      fail("bad Content-Length '" + length + "'");
      return false;
    }
    m_state = m_remaining == 0 ? State::done : State::length;
  } else {
    m_state = State::until_close;
  }
  return true;
}

bool ResponseReader::advance() {
  std::size_t available = m_buffer.size() - m_pos;
  switch (m_state) {
    case State::head: return read_head();
    case State::length:
    case State::chunk_data: {
      std::size_t take = std::min(available, m_remaining);
      if (take == 0) return false;
      m_out.body.append(m_buffer, m_pos, take);
      m_pos += take;
      m_remaining -= take;
      if (m_remaining == 0) m_state = m_state == State::length ? State::done : State::chunk_end;
      return true;
    }
    case State::chunk_end: {
      if (available < 2) return false;
      if (m_buffer.compare(m_pos, 2, "\r\n") != 0) {
        fail("malformed chunked body");
        return false;
      }
      m_pos += 2;
      m_state = State::chunk_size;
      return true;
    }
    case State::chunk_size: {
      std::size_t eol = m_buffer.find("\r\n", m_pos);
      if (eol == std::string::npos) {
        if (available > 1024) fail("malformed chunked body");
        return false;
      }
      std::string_view line(m_buffer.data() + m_pos, eol - m_pos);
      line = trim(line.substr(0, line.find(';')));  // chunk extensions are ignored
      std::size_t size = 0;
      auto [p, ec] = std::from_chars(line.data(), line.data() + line.size(), size, 16);
      if (line.empty() || ec != std::errc{} || p != line.data() + line.size()) {
        fail("malformed chunked body");
        return false;
      }
      m_pos = eol + 2;
      m_remaining = size;
      m_state = size == 0 ? State::trailer : State::chunk_data;
      return true;
    }
    case State::trailer: {
      std::size_t eol = m_buffer.find("\r\n", m_pos);
      if (eol == std::string::npos) return false;
      bool last = eol == m_pos;
      m_pos = eol + 2;
      if (last) m_state = State::done;
      return true;
    }
    case State::until_close:
    case State::done:
    case State::failed: return false;
  }
  return false;
}

HttpOutcome ResponseReader::finish() {
  if (m_state != State::done && m_state != State::failed) {
    if (m_state == State::until_close) {
      m_out.body.append(m_buffer, m_pos);
    } else {
      fail("incomplete response");
    }
  }
  return std::move(m_out);
}

}  // namespace stratus::aws
