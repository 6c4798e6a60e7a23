#pragma once
// AWS Signature Version 4 (`AWS4-HMAC-SHA256`): signing outbound requests (the deploy client) and
// verifying inbound ones (the emulator's AWS endpoint, `stratus serve`). Both sides build the same
// canonical request, so they share every step below. Facts: shared/spec/aws-protocols.md section 7.
//
// The request is described as it travels on the wire: `path` is the percent-encoded path as sent,
// `query` the raw query string (no '?'), `headers` as given (any case, repeats allowed).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace stratus::auth {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // "" for long-term keys
};

struct HttpRequestView {
  std::string method;  // "GET", "POST", ...
  std::string path;    // percent-encoded, as on the wire: "/2015-03-31/functions/f%3A1"
  std::string query;   // raw, without '?': "Marker=x&MaxItems=10"
  HeaderList headers;  // must hold `Host`
  // The payload's lowercase hex SHA-256; empty: computed from `body`. "UNSIGNED-PAYLOAD" is allowed
  // for s3.
  std::string payload_hash;
  std::string_view body;
};

// Service-specific rules: s3 encodes the path once and does not normalise it, and always sends
// x-amz-content-sha256; every other service normalises the path and encodes it twice.
struct Scope {
  std::string region;   // "us-east-1"
  std::string service;  // "lambda", "iam", "s3", ...
};

// ---- the building blocks (exposed for tests and for the verifier) -----------------------------

// RFC 3986 encoding: A-Z a-z 0-9 - _ . ~ stay, every other byte becomes %XX (upper-case hex).
// With keep_slash, '/' stays too (paths).
std::string uri_encode(std::string_view bytes, bool keep_slash = false);

// Decodes %XX escapes; a malformed escape is kept as it is.
std::string percent_decode(std::string_view text);

// Encodes name/value pairs as a query string in canonical form (encoded, sorted by name then
// value). Used by the client so that what it sends is what it signs.
std::string canonical_query_string(const std::vector<std::pair<std::string, std::string>>& params);

// The canonical query of a raw wire query: each `name=value` decoded, re-encoded, sorted.
std::string canonicalize_query(std::string_view raw_query);

// The canonical URI of a wire path for the given service (see Scope).
std::string canonical_uri(std::string_view wire_path, std::string_view service);

// "20150830T123600Z" of Unix seconds.
std::string amz_date(std::int64_t unix_seconds);

// The signed-headers list ("host;x-amz-date") and canonical header block of `headers`, restricted
// to `names` (lower-case, sorted, unique). Names absent from `headers` are skipped.
std::string canonical_headers(const HeaderList& headers, const std::vector<std::string>& names);

std::string canonical_request(const HttpRequestView& request, const std::vector<std::string>& signed_names,
                              std::string_view service);

// "AWS4-HMAC-SHA256\n<amz_date>\n<date>/<region>/<service>/aws4_request\n<hex sha256(creq)>".
std::string string_to_sign(std::string_view amz_date, const Scope& scope, std::string_view canonical_request);

// hex(HMAC(kSigning, string_to_sign)) with the key derived from the secret, date, region, service.
std::string signature(std::string_view secret, std::string_view date8, const Scope& scope,
                      std::string_view string_to_sign);

// ---- signing ----------------------------------------------------------------------------------

struct SignResult {
  HeaderList headers_to_add;      // X-Amz-Date, [X-Amz-Security-Token], [x-amz-content-sha256], Authorization
  std::string canonical_request;  // for debugging and tests
  std::string string_to_sign;
  std::string authorization;
};

// Signs every header of the request (except Authorization, User-Agent, Expect, X-Amzn-Trace-Id)
// plus the added X-Amz-Date / X-Amz-Security-Token / x-amz-content-sha256. Headers of those
// names already in the request are replaced.
SignResult sign(const HttpRequestView& request, const Credentials& credentials, const Scope& scope,
                std::int64_t unix_seconds);

// ---- verifying --------------------------------------------------------------------------------

enum class AuthFailure {
  missing,             // no Authorization header and no X-Amz-Signature query parameter
  malformed,           // present but unreadable (algorithm, Credential, SignedHeaders, date)
  unknown_key,         // the access key is not known
  signature_mismatch,  // the signature does not match the request
  skewed,              // X-Amz-Date more than max skew from now
  expired,             // presigned URL past X-Amz-Expires
  body_hash_mismatch,  // x-amz-content-sha256 is not the body's hash
};

struct VerifyResult {
  bool ok = false;
  AuthFailure failure = AuthFailure::missing;
  std::string detail;  // why (never any secret); for logs and the error message
  // From the credential scope (set whenever it could be read, also on failure):
  std::string access_key_id;
  std::string region;
  std::string service;
};

// Returns the secret of an access key, or nullopt when the key is unknown.
using SecretLookup = std::function<std::optional<std::string>(std::string_view access_key_id)>;

struct VerifyOptions {
  std::int64_t max_skew_seconds = 15 * 60;
};

// Checks a request signed in the Authorization header or as a presigned URL (X-Amz-* query
// parameters). The signature is compared in constant time.
VerifyResult verify(const HttpRequestView& request, const SecretLookup& lookup, std::int64_t now_unix_seconds,
                    const VerifyOptions& options = {});

// The AWS error a failure maps to, as Lambda answers it: 403 (400 for a body hash mismatch).
struct AuthError {
  int status = 403;
  std::string code;     // x-amzn-ErrorType / __type
  std::string message;  // the body's message
};
AuthError to_aws_error(const VerifyResult& result);

}  // namespace stratus::auth
