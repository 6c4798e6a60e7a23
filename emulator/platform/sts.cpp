#include "emulator/platform/sts.hpp"

#include "emulator/common/ids.hpp"
#include "emulator/common/xml_escape.hpp"

namespace stratus::platform {

namespace {

constexpr std::string_view kNamespace = "https://sts.amazonaws.com/doc/2011-06-15/";

// The parameters of a query-protocol call: the query string's, then a form body's (botocore sends
// POST forms; a hand-written GET puts them in the query).
net::wire::Fields parameters(const net::wire::Request& request) {
  net::wire::Fields out = request.query_params;
  const std::string type = request.header("Content-Type");
  if (request.method == "POST" && (type.empty() || type.starts_with("application/x-www-form-urlencoded"))) {
    net::wire::Fields form = net::wire::parse_query(request.body);
    out.insert(out.end(), form.begin(), form.end());
  }
  return out;
}

std::string parameter(const net::wire::Fields& fields, std::string_view name) {
  for (const auto& [key, value] : fields)
    if (key == name) return value;
  return "";
}

net::wire::Response xml(int status, std::string body) {
  net::wire::Response res;
  res.status = status;
  res.content_type = "text/xml";
  res.body = std::move(body);
  return res;
}

}  // namespace

bool is_query_protocol(const net::wire::Request& request) {
  return !parameter(parameters(request), "Action").empty();
}

net::wire::Response sts_error(int status, const std::string& code, const std::string& message) {
  const std::string id = new_request_id();
  net::wire::Response res =
      xml(status, "<ErrorResponse xmlns=\"" + std::string(kNamespace) +
                      "\">\n  <Error>\n    <Type>Sender</Type>\n" + "    <Code>" + xml_escape(code) +
                      "</Code>\n    <Message>" + xml_escape(message) +
                      "</Message>\n  </Error>\n  <RequestId>" + id + "</RequestId>\n</ErrorResponse>\n");
  res.headers.emplace_back("X-Amzn-RequestId", id);
  return res;
}

net::wire::Response sts_handle(const net::wire::Request& request, const std::string& account_id) {
  const net::wire::Fields fields = parameters(request);
  const std::string action = parameter(fields, "Action");
  if (action.empty()) return sts_error(400, "MissingAction", "Missing Action");
  if (action != "GetCallerIdentity")
    return sts_error(400, "InvalidAction",
                     "Could not find operation " + action + " for version " +
                         (parameter(fields, "Version").empty() ? std::string("NO_VERSION_SPECIFIED")
                                                               : parameter(fields, "Version")));
  const std::string id = new_request_id();
  net::wire::Response res =
      xml(200, "<GetCallerIdentityResponse xmlns=\"" + std::string(kNamespace) +
                   "\">\n  <GetCallerIdentityResult>\n    <Arn>arn:aws:iam::" + account_id + ":root</Arn>\n" +
                   "    <UserId>" + account_id + "</UserId>\n    <Account>" + account_id +
                   "</Account>\n  </GetCallerIdentityResult>\n  <ResponseMetadata>\n    <RequestId>" + id +
                   "</RequestId>\n  </ResponseMetadata>\n</GetCallerIdentityResponse>\n");
  res.headers.emplace_back("X-Amzn-RequestId", id);
  return res;
}

net::wire::Response sts_auth_error(const auth::VerifyResult& verdict) {
  switch (verdict.failure) {
    case auth::AuthFailure::missing:
      return sts_error(403, "MissingAuthenticationToken", "Request is missing Authentication Token");
    case auth::AuthFailure::malformed: return sts_error(403, "IncompleteSignature", verdict.detail);
    case auth::AuthFailure::unknown_key:
      return sts_error(403, "InvalidClientTokenId", "The security token included in the request is invalid.");
    case auth::AuthFailure::signature_mismatch:
      return sts_error(403, "SignatureDoesNotMatch",
                       "The request signature we calculated does not match the signature you provided. Check "
                       "your AWS Secret Access Key and signing method. Consult the service documentation for "
                       "details.");
    case auth::AuthFailure::skewed: return sts_error(403, "SignatureDoesNotMatch", verdict.detail);
    case auth::AuthFailure::expired: return sts_error(403, "AccessDenied", "Request has expired");
    case auth::AuthFailure::body_hash_mismatch:
      return sts_error(400, "XAmzContentSHA256Mismatch", verdict.detail);
  }
  return sts_error(403, "AccessDenied", "Access denied");
}

}  // namespace stratus::platform
