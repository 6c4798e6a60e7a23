// The verifying half of SigV4: read what the client claims (Authorization header or presigned
// query), rebuild the canonical request from what actually arrived, and compare.
#include <openssl/crypto.h>

#include <algorithm>
#include <charconv>

#include "emulator/auth/sigv4.hpp"
#include "emulator/auth/sigv4_text.hpp"
#include "emulator/common/sha256.hpp"
#include "emulator/common/utc_time.hpp"

namespace stratus::auth {

namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";

// What a request claims about its own signature, from either form.
struct Claim {
  std::string access_key_id;
  std::string date8;
  std::string region;
  std::string service;
  std::vector<std::string> signed_headers;
  std::string signature;
  std::string amz_date;
  std::int64_t expires = -1;  // presigned only
  bool presigned = false;
};

std::string header_value(const HeaderList& headers, std::string_view lower_name) {
  for (const auto& [n, v] : headers) {
    if (lower(trim(n)) == lower_name) return std::string(trim(v));
  }
  return {};
}

bool has_header(const HeaderList& headers, std::string_view lower_name) {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const auto& h) { return lower(trim(h.first)) == lower_name; });
}

// "20150830T123600Z" -> Unix seconds.
std::optional<std::int64_t> parse_amz_date(std::string_view text) {
  if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z') return std::nullopt;
  std::string iso;
  iso += text.substr(0, 4);
  iso += '-';
  iso += text.substr(4, 2);
  iso += '-';
  iso += text.substr(6, 2);
  iso += 'T';
  iso += text.substr(9, 2);
  iso += ':';
  iso += text.substr(11, 2);
  iso += ':';
  iso += text.substr(13, 2);
  iso += 'Z';
  return parse_iso8601(iso);
}

VerifyResult fail(AuthFailure failure, std::string detail, const Claim* claim = nullptr) {
  VerifyResult r;
  r.failure = failure;
  r.detail = std::move(detail);
  if (claim != nullptr) {
    r.access_key_id = claim->access_key_id;
    r.region = claim->region;
    r.service = claim->service;
  }
  return r;
}

// "AK/20150830/us-east-1/service/aws4_request" into the claim; false when it is not that shape.
bool read_credential(std::string_view text, Claim& claim) {
  std::vector<std::string_view> parts;
  while (true) {
    std::size_t slash = text.find('/');
    parts.push_back(text.substr(0, slash));
    if (slash == std::string_view::npos) break;
    text.remove_prefix(slash + 1);
  }
  if (parts.size() != 5 || parts[4] != "aws4_request") return false;
  if (parts[0].empty() || parts[1].size() != 8 || parts[2].empty() || parts[3].empty()) return false;
  claim.access_key_id = parts[0];
  claim.date8 = parts[1];
  claim.region = parts[2];
  claim.service = parts[3];
  return true;
}

std::vector<std::string> read_signed_headers(std::string_view text) {
  std::vector<std::string> names;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t semi = text.find(';', pos);
    if (semi == std::string_view::npos) semi = text.size();
    if (semi > pos) names.push_back(lower(text.substr(pos, semi - pos)));
    pos = semi + 1;
  }
  return names;
}

// The Authorization header form: "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...".
std::optional<std::string> read_header_claim(std::string_view authorization, const HeaderList& headers,
                                             Claim& claim) {
  if (!authorization.starts_with(kAlgorithm) || authorization.size() == kAlgorithm.size() ||
      !is_space(authorization[kAlgorithm.size()])) {
    return "Authorization header does not use the AWS4-HMAC-SHA256 algorithm";
  }
  std::string_view rest = authorization.substr(kAlgorithm.size());
  bool have_credential = false, have_signed = false, have_signature = false;
  while (!rest.empty()) {
    std::size_t comma = rest.find(',');
    std::string_view item = trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    std::size_t eq = item.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view key = item.substr(0, eq);
    std::string_view value = item.substr(eq + 1);
    if (key == "Credential") {
      if (!read_credential(value, claim)) return "Authorization header has a malformed Credential";
      have_credential = true;
    } else if (key == "SignedHeaders") {
      claim.signed_headers = read_signed_headers(value);
      have_signed = true;
    } else if (key == "Signature") {
      claim.signature = std::string(value);
      have_signature = true;
    }
  }
  if (!have_credential) return "Authorization header requires 'Credential' parameter";
  if (!have_signed) return "Authorization header requires 'SignedHeaders' parameter";
  if (!have_signature) return "Authorization header requires 'Signature' parameter";
  claim.amz_date = header_value(headers, "x-amz-date");
  if (claim.amz_date.empty()) return "Authorization header requires existence of the 'X-Amz-Date' header";
  return std::nullopt;
}

std::optional<std::string> read_query_claim(std::string_view query, Claim& claim) {
  claim.presigned = true;
  std::string algorithm, credential, signed_headers, expires;
  for (const auto& [name, value] : split_query(query)) {
    std::string n = percent_decode(name);
    if (n == "X-Amz-Algorithm") algorithm = percent_decode(value);
    if (n == "X-Amz-Credential") credential = percent_decode(value);
    if (n == "X-Amz-Date") claim.amz_date = percent_decode(value);
    if (n == "X-Amz-Expires") expires = percent_decode(value);
    if (n == "X-Amz-SignedHeaders") signed_headers = percent_decode(value);
    if (n == "X-Amz-Signature") claim.signature = percent_decode(value);
  }
  if (algorithm != kAlgorithm) return "X-Amz-Algorithm must be AWS4-HMAC-SHA256";
  if (!read_credential(credential, claim)) return "X-Amz-Credential is missing or malformed";
  if (signed_headers.empty()) return "X-Amz-SignedHeaders is missing";
  if (claim.signature.empty()) return "X-Amz-Signature is missing";
  if (claim.amz_date.empty()) return "X-Amz-Date is missing";
  std::int64_t seconds = 0;
  auto [end, ec] = std::from_chars(expires.data(), expires.data() + expires.size(), seconds);
  if (ec != std::errc{} || end != expires.data() + expires.size() || seconds < 1 || seconds > 604800) {
    return "X-Amz-Expires must be a number of seconds from 1 to 604800";
  }
  claim.expires = seconds;
  claim.signed_headers = read_signed_headers(signed_headers);
  return std::nullopt;
}

// The raw query without X-Amz-Signature, which a presigned URL cannot sign.
std::string query_without_signature(std::string_view query) {
  std::string out;
  for (const auto& [name, value] : split_query(query)) {
    if (percent_decode(name) == "X-Amz-Signature") continue;
    if (!out.empty()) out += '&';
    out += name;
    out += '=';
    out += value;
  }
  return out;
}

}  // namespace

VerifyResult verify(const HttpRequestView& request, const SecretLookup& lookup, std::int64_t now,
                    const VerifyOptions& options) {
  Claim claim;
  std::string authorization = header_value(request.headers, "authorization");
  std::optional<std::string> problem;
  if (!authorization.empty()) {
    problem = read_header_claim(authorization, request.headers, claim);
  } else if (request.query.find("X-Amz-Signature=") != std::string::npos ||
             request.query.find("X-Amz-Algorithm=") != std::string::npos) {
    problem = read_query_claim(request.query, claim);
  } else {
    return fail(AuthFailure::missing, "Missing Authentication Token");
  }
  if (problem) return fail(AuthFailure::malformed, *problem, &claim);

  std::optional<std::int64_t> signed_at = parse_amz_date(claim.amz_date);
  if (!signed_at)
    return fail(AuthFailure::malformed, "X-Amz-Date must be in the form yyyyMMddTHHmmssZ", &claim);
  if (claim.amz_date.substr(0, 8) != claim.date8) {
    return fail(AuthFailure::malformed, "Date in Credential scope does not match YYYYMMDD from X-Amz-Date",
                &claim);
  }
  if (std::find(claim.signed_headers.begin(), claim.signed_headers.end(), "host") ==
      claim.signed_headers.end()) {
    return fail(AuthFailure::malformed, "'Host' must be a signed header", &claim);
  }
  for (const auto& name : claim.signed_headers) {
    if (!has_header(request.headers, name)) {
      return fail(AuthFailure::malformed, "signed header '" + name + "' is not in the request", &claim);
    }
  }

  std::optional<std::string> secret = lookup(claim.access_key_id);
  if (!secret) return fail(AuthFailure::unknown_key, "unknown access key " + claim.access_key_id, &claim);

  if (claim.presigned) {
    if (*signed_at > now + options.max_skew_seconds) {
      return fail(AuthFailure::skewed,
                  "Signature not yet current: " + claim.amz_date + " is still later than " +
                      amz_date(now + options.max_skew_seconds) + " (" + amz_date(now) + " + 15 min.)",
                  &claim);
    }
    if (now > *signed_at + claim.expires) return fail(AuthFailure::expired, "Request has expired", &claim);
  } else if (*signed_at < now - options.max_skew_seconds) {
    return fail(AuthFailure::skewed,
                "Signature expired: " + claim.amz_date + " is now earlier than " +
                    amz_date(now - options.max_skew_seconds) + " (" + amz_date(now) + " - 15 min.)",
                &claim);
  } else if (*signed_at > now + options.max_skew_seconds) {
    return fail(AuthFailure::skewed,
                "Signature not yet current: " + claim.amz_date + " is still later than " +
                    amz_date(now + options.max_skew_seconds) + " (" + amz_date(now) + " + 15 min.)",
                &claim);
  }

  // The payload hash the client signed: x-amz-content-sha256 when sent (it must then be the
  // body's), else the body's own hash (presigned s3 URLs sign UNSIGNED-PAYLOAD).
  HttpRequestView rebuilt = request;
  std::string content_sha = header_value(request.headers, "x-amz-content-sha256");
  std::string body_hash = sha256_hex(request.body);
  if (!content_sha.empty()) {
    if (content_sha != kUnsignedPayload && content_sha != body_hash) {
      return fail(AuthFailure::body_hash_mismatch,
                  "The provided 'x-amz-content-sha256' header does not match what was computed.", &claim);
    }
    rebuilt.payload_hash = content_sha;
  } else if (claim.presigned && claim.service == "s3") {
    rebuilt.payload_hash = std::string(kUnsignedPayload);
  } else {
    rebuilt.payload_hash = body_hash;
  }
  if (claim.presigned) rebuilt.query = query_without_signature(request.query);

  Scope scope{claim.region, claim.service};
  std::string creq = canonical_request(rebuilt, claim.signed_headers, claim.service);
  std::string sts = string_to_sign(claim.amz_date, scope, creq);
  std::string expected = signature(*secret, claim.date8, scope, sts);
  if (expected.size() != claim.signature.size() ||
      CRYPTO_memcmp(expected.data(), claim.signature.data(), expected.size()) != 0) {
    return fail(AuthFailure::signature_mismatch, "signature mismatch", &claim);
  }
  VerifyResult ok;
  ok.ok = true;
  ok.access_key_id = claim.access_key_id;
  ok.region = claim.region;
  ok.service = claim.service;
  return ok;
}

AuthError to_aws_error(const VerifyResult& result) {
  switch (result.failure) {
    case AuthFailure::missing:
      return {403, "MissingAuthenticationTokenException", "Missing Authentication Token"};
    case AuthFailure::malformed: return {403, "IncompleteSignatureException", result.detail};
    case AuthFailure::unknown_key:
      return {403, "UnrecognizedClientException", "The security token included in the request is invalid."};
    case AuthFailure::signature_mismatch:
      return {403, "InvalidSignatureException",
              "The request signature we calculated does not match the signature you provided. Check your AWS "
              "Secret Access Key and signing method. Consult the service documentation for details."};
    case AuthFailure::skewed: return {403, "InvalidSignatureException", result.detail};
    case AuthFailure::expired: return {403, "AccessDeniedException", "Request has expired"};
    case AuthFailure::body_hash_mismatch: return {400, "XAmzContentSHA256Mismatch", result.detail};
  }
  return {403, "AccessDeniedException", "Access denied"};
}

}  // namespace stratus::auth
