#include "emulator/triggers/s3/s3_body.hpp"

namespace stratus::triggers::s3 {

std::optional<std::string> decode_aws_chunked(std::string_view body) {
  std::string out;
  std::size_t pos = 0;
  for (;;) {
    const std::size_t eol = body.find("\r\n", pos);
    if (eol == std::string_view::npos) return std::nullopt;
    std::string_view header = body.substr(pos, eol - pos);
    header = header.substr(0, header.find(';'));
    if (header.empty() || header.size() > 15) return std::nullopt;
    std::size_t size = 0;
    for (const char c : header) {
      int digit;
      if (c >= '0' && c <= '9')
        digit = c - '0';
      else if (c >= 'a' && c <= 'f')
        digit = c - 'a' + 10;
      else if (c >= 'A' && c <= 'F')
        digit = c - 'A' + 10;
      else
        return std::nullopt;
      size = size * 16 + static_cast<std::size_t>(digit);
    }
    pos = eol + 2;
    if (size == 0) return out;  // trailers (checksums) follow; we do not check them
    if (body.size() - pos < size + 2 || body.substr(pos + size, 2) != "\r\n") return std::nullopt;
    out.append(body.substr(pos, size));
    pos += size + 2;
  }
}

}  // namespace stratus::triggers::s3
