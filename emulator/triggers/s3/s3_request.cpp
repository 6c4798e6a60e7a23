#include "emulator/triggers/s3/s3_request.hpp"

#include <algorithm>

#include "emulator/triggers/s3/s3_format.hpp"

namespace stratus::triggers::s3 {
namespace {

bool all_digits(std::string_view text) {
  return !text.empty() && text.size() <= 18 &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

S3Error malformed_xml_error() {
  return S3Error(400, "MalformedXML",
                 "The XML you provided was not well-formed or did not validate against our published schema");
}

S3Error invalid_argument(const std::string& message, const std::string& name, const std::string& value) {
  return S3Error(400, "InvalidArgument", message, {{"ArgumentName", name}, {"ArgumentValue", value}});
}

Target parse_target(const net::wire::Request& request) {
  Target target;
  std::string host = request.header("Host");
  if (const std::size_t colon = host.rfind(':'); colon != std::string::npos) host.resize(colon);
  const std::string path = net::wire::percent_decode(request.path, /*plus_is_space=*/false);
  constexpr std::string_view kVirtualSuffix = ".localhost";
  if (host.size() > kVirtualSuffix.size() && host.ends_with(kVirtualSuffix)) {
    target.bucket = host.substr(0, host.size() - kVirtualSuffix.size());
    target.key = path.size() > 1 ? path.substr(1) : "";
    return target;
  }
  const std::size_t slash = path.find('/', 1);
  target.bucket = path.substr(1, slash == std::string::npos ? std::string::npos : slash - 1);
  if (slash != std::string::npos) target.key = path.substr(slash + 1);
  return target;
}

Target parse_copy_source(std::string_view header) {
  std::string source = net::wire::percent_decode(header, /*plus_is_space=*/false);
  if (const std::size_t q = source.find("?versionId="); q != std::string::npos) source.resize(q);
  if (source.starts_with("/")) source.erase(0, 1);
  const std::size_t slash = source.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == source.size())
    throw invalid_argument("Invalid copy source object key", "x-amz-copy-source", std::string(header));
  return {source.substr(0, slash), source.substr(slash + 1)};
}

std::optional<ByteRange> parse_range(const std::string& header, std::int64_t size) {
  if (!header.starts_with("bytes=")) return std::nullopt;
  const std::string spec = header.substr(6);
  const std::size_t dash = spec.find('-');
  if (dash == std::string::npos || spec.find(',') != std::string::npos) return std::nullopt;
  const std::string a = spec.substr(0, dash);
  const std::string b = spec.substr(dash + 1);
  auto unsatisfiable = [&] {
    return S3Error(416, "InvalidRange", "The requested range is not satisfiable",
                   {{"RangeRequested", header}, {"ActualObjectSize", std::to_string(size)}});
  };
  if (a.empty()) {  // the last n bytes
    if (!all_digits(b)) return std::nullopt;
    const std::int64_t n = std::stoll(b);
    if (n == 0 || size == 0) throw unsatisfiable();
    return ByteRange{std::max<std::int64_t>(0, size - n), size - 1};
  }
  if (!all_digits(a) || (!b.empty() && !all_digits(b))) return std::nullopt;
  const std::int64_t first = std::stoll(a);
  std::int64_t last = size - 1;
  if (!b.empty()) {
    if (std::stoll(b) < first) return std::nullopt;
    last = std::min<std::int64_t>(std::stoll(b), size - 1);
  }
  if (first >= size) throw unsatisfiable();
  return ByteRange{first, last};
}

ByteRange parse_copy_range(const std::string& header, std::int64_t size) {
  const std::size_t dash = header.find('-');
  const std::string a =
      header.starts_with("bytes=") && dash != std::string::npos ? header.substr(6, dash - 6) : "";
  const std::string b = dash != std::string::npos ? header.substr(dash + 1) : "";
  if (!all_digits(a) || !all_digits(b))
    throw invalid_argument(
        "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the "
        "zero-based offsets of the first and last bytes to copy",
        "x-amz-copy-source-range", header);
  const ByteRange range{std::stoll(a), std::stoll(b)};
  if (range.first > range.last || range.last >= size)
    throw invalid_argument("Range specified is not valid for source object of size: " + std::to_string(size),
                           "x-amz-copy-source-range", header);
  return range;
}

std::optional<std::string> decode_aws_chunked(std::string_view body, net::wire::Fields* trailers) {
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
    if (size == 0) {
      // "name:value" lines up to an empty line (or the end of the body).
      while (trailers && pos < body.size()) {
        std::size_t end = body.find("\r\n", pos);
        if (end == std::string_view::npos) end = body.size();
        const std::string_view line = body.substr(pos, end - pos);
        pos = end + 2;
        if (line.empty()) break;
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) return std::nullopt;
        trailers->emplace_back(std::string(line.substr(0, colon)), std::string(line.substr(colon + 1)));
      }
      return out;
    }
    if (body.size() - pos < size + 2 || body.substr(pos + size, 2) != "\r\n") return std::nullopt;
    out.append(body.substr(pos, size));
    pos += size + 2;
  }
}

std::vector<std::string> xml_elements(std::string_view xml, std::string_view name) {
  std::vector<std::string> out;
  const std::string open = "<" + std::string(name);
  const std::string close = "</" + std::string(name) + ">";
  for (std::size_t at = xml.find(open); at != std::string_view::npos; at = xml.find(open, at + 1)) {
    const std::size_t after = at + open.size();
    // "<Object>" or "<Delete xmlns=...>", not "<ObjectLock>"
    if (after >= xml.size() || (xml[after] != '>' && xml[after] != ' ' && xml[after] != '/')) continue;
    const std::size_t gt = xml.find('>', after);
    if (gt == std::string_view::npos) throw malformed_xml_error();
    if (xml[gt - 1] == '/') {  // <Key/>
      out.emplace_back();
      continue;
    }
    const std::size_t end = xml.find(close, gt + 1);
    if (end == std::string_view::npos) throw malformed_xml_error();
    out.emplace_back(xml.substr(gt + 1, end - gt - 1));
    at = end;
  }
  return out;
}

std::vector<std::string> xml_texts(std::string_view xml, std::string_view name) {
  std::vector<std::string> out = xml_elements(xml, name);
  for (std::string& text : out) text = xml_unescape(text);
  return out;
}

}  // namespace stratus::triggers::s3
