#include "emulator/auth/sigv4.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <stdexcept>

#include "emulator/auth/sigv4_text.hpp"
#include "emulator/common/sha256.hpp"
#include "emulator/common/utc_time.hpp"

namespace stratus::auth {

namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '.' || c == '~';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

using Digest = std::array<unsigned char, 32>;

Digest hmac(std::string_view key, std::string_view data) {
  Digest out{};
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), &len) == nullptr) {
    throw std::runtime_error("HMAC-SHA256 failed");
  }
  return out;
}

std::string_view as_view(const Digest& d) {
  return {reinterpret_cast<const char*>(d.data()), d.size()};
}

// RFC 3986 dot-segment removal plus collapsing empty segments, as every service but s3 does
// before encoding. A trailing slash survives (`/a//` -> `/a/`).
std::string normalize_path(std::string_view path) {
  std::vector<std::string_view> segments;
  std::size_t pos = 0;
  while (pos <= path.size()) {
    std::size_t next = path.find('/', pos);
    if (next == std::string_view::npos) next = path.size();
    std::string_view seg = path.substr(pos, next - pos);
    if (seg == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!seg.empty() && seg != ".") {
      segments.push_back(seg);
    }
    pos = next + 1;
  }
  std::string out;
  for (auto seg : segments) {
    out += '/';
    out += seg;
  }
  if (out.empty()) return "/";
  if (path.ends_with('/')) out += '/';
  return out;
}

bool is_unsigned_header(std::string_view lower_name) {
  return lower_name == "authorization" || lower_name == "user-agent" || lower_name == "expect" ||
         lower_name == "x-amzn-trace-id";
}

}  // namespace

std::string uri_encode(std::string_view bytes, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(bytes.size());
  for (char ch : bytes) {
    auto c = static_cast<unsigned char>(ch);
    if (is_unreserved(c) || (keep_slash && c == '/')) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

std::string percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      int hi = hex_value(text[i + 1]);
      int lo = hex_value(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

std::string canonical_query_string(const std::vector<std::pair<std::string, std::string>>& params) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(params.size());
  for (const auto& [name, value] : params) encoded.emplace_back(uri_encode(name), uri_encode(value));
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out += '&';
    out += name;
    out += '=';
    out += value;
  }
  return out;
}

std::string canonicalize_query(std::string_view raw_query) {
  std::vector<std::pair<std::string, std::string>> params;
  for (const auto& [name, value] : split_query(raw_query)) {
    params.emplace_back(percent_decode(name), percent_decode(value));
  }
  return canonical_query_string(params);
}

std::string canonical_uri(std::string_view wire_path, std::string_view service) {
  if (wire_path.empty()) return "/";
  // s3 object keys are taken literally (`a/../b` is a key), and encoded once.
  if (service == "s3") return uri_encode(percent_decode(wire_path), true);
  // Everyone else: the wire path is already encoded once, so encoding it again is the
  // documented double encoding.
  return uri_encode(normalize_path(wire_path), true);
}

std::string amz_date(std::int64_t unix_seconds) {
  CivilTime t = civil_from_unix(unix_seconds);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld%02d%02dT%02d%02d%02dZ", static_cast<long long>(t.year), t.month,
                t.day, t.hour, t.minute, t.second);
  return buf;
}

std::string canonical_headers(const HeaderList& headers, const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) {
    std::string joined;
    bool found = false;
    for (const auto& [n, v] : headers) {
      if (lower(trim(n)) != name) continue;
      if (found) joined += ',';
      joined += collapse_spaces(v);
      found = true;
    }
    if (!found) continue;
    out += name;
    out += ':';
    out += joined;
    out += '\n';
  }
  return out;
}

std::string canonical_request(const HttpRequestView& request, const std::vector<std::string>& signed_names,
                              std::string_view service) {
  std::string payload = request.payload_hash.empty() ? sha256_hex(request.body) : request.payload_hash;
  std::string out;
  out += request.method;
  out += '\n';
  out += canonical_uri(request.path, service);
  out += '\n';
  out += canonicalize_query(request.query);
  out += '\n';
  out += canonical_headers(request.headers, signed_names);
  out += '\n';
  out += join(signed_names, ';');
  out += '\n';
  out += payload;
  return out;
}

std::string string_to_sign(std::string_view date, const Scope& scope, std::string_view creq) {
  std::string out(kAlgorithm);
  out += '\n';
  out += date;
  out += '\n';
  out += date.substr(0, 8);
  out += '/';
  out += scope.region;
  out += '/';
  out += scope.service;
  out += "/aws4_request\n";
  out += sha256_hex(creq);
  return out;
}

std::string signature(std::string_view secret, std::string_view date8, const Scope& scope,
                      std::string_view sts) {
  std::string first_key = "AWS4";
  first_key += secret;
  Digest k_date = hmac(first_key, date8);
  Digest k_region = hmac(as_view(k_date), scope.region);
  Digest k_service = hmac(as_view(k_region), scope.service);
  Digest k_signing = hmac(as_view(k_service), "aws4_request");
  Digest sig = hmac(as_view(k_signing), sts);
  return to_hex(sig);
}

namespace {

std::vector<std::string> signed_header_names(const HeaderList& headers) {
  std::vector<std::string> names;
  for (const auto& [n, v] : headers) {
    std::string name = lower(trim(n));
    if (!is_unsigned_header(name)) names.push_back(std::move(name));
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

}  // namespace

SignResult sign(const HttpRequestView& request, const Credentials& credentials, const Scope& scope,
                std::int64_t unix_seconds) {
  const bool s3 = scope.service == "s3";
  const std::string date = amz_date(unix_seconds);
  const std::string payload = request.payload_hash.empty() ? sha256_hex(request.body) : request.payload_hash;

  SignResult result;
  result.headers_to_add.emplace_back("X-Amz-Date", date);
  if (!credentials.session_token.empty()) {
    result.headers_to_add.emplace_back("X-Amz-Security-Token", credentials.session_token);
  }
  if (s3) result.headers_to_add.emplace_back("x-amz-content-sha256", payload);

  // What will be sent: the caller's headers, minus any stale copies of the ones we set.
  HttpRequestView signed_request = request;
  signed_request.payload_hash = payload;
  std::erase_if(signed_request.headers, [&](const auto& h) {
    std::string name = lower(trim(h.first));
    if (name == "authorization") return true;
    for (const auto& added : result.headers_to_add) {
      if (lower(added.first) == name) return true;
    }
    return false;
  });
  signed_request.headers.insert(signed_request.headers.end(), result.headers_to_add.begin(),
                                result.headers_to_add.end());

  std::vector<std::string> names = signed_header_names(signed_request.headers);
  result.canonical_request = canonical_request(signed_request, names, scope.service);
  result.string_to_sign = string_to_sign(date, scope, result.canonical_request);
  std::string sig = signature(credentials.secret_access_key, date.substr(0, 8), scope, result.string_to_sign);

  result.authorization = std::string(kAlgorithm) + " Credential=" + credentials.access_key_id + "/" +
                         date.substr(0, 8) + "/" + scope.region + "/" + scope.service +
                         "/aws4_request, SignedHeaders=" + join(names, ';') + ", Signature=" + sig;
  result.headers_to_add.emplace_back("Authorization", result.authorization);
  return result;
}

}  // namespace stratus::auth
