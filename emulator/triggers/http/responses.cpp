#include "emulator/triggers/http/responses.hpp"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "emulator/common/base64.hpp"

namespace stratus::triggers::http {

namespace {

using Json = nlohmann::json;

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

// A header value as API Gateway writes a JSON scalar: strings as they are, numbers and booleans
// as their JSON text; null and structures are not header values.
std::optional<std::string> header_text(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number() || v.is_boolean()) return v.dump();
  return std::nullopt;
}

// Adds one header; Content-Type goes to the response's own field, framing headers are ours.
void add_header(net::Response& res, const std::string& name, const std::string& value) {
  const std::string key = lower(name);
  if (key == "content-type") {
    res.content_type = value;
    return;
  }
  if (key == "content-length" || key == "transfer-encoding" || key == "connection") return;
  res.headers.emplace_back(name, value);
}

std::optional<int> status_of(const Json& v) {
  int status = 0;
  if (v.is_number_integer()) {
    status = v.get<int>();
  } else if (v.is_string()) {  // API Gateway also takes "200"
    const std::string text = v.get<std::string>();
    if (text.empty() || text.size() > 3 || !std::all_of(text.begin(), text.end(), ::isdigit))
      return std::nullopt;
    status = std::stoi(text);
  } else {
    return std::nullopt;
  }
  if (status < 100 || status > 599) return std::nullopt;
  return status;
}

// The body field: a string (base64-decoded when asked); false when it cannot be.
bool set_body(net::Response& res, const Json& body, bool base64) {
  if (body.is_null()) return true;
  if (!body.is_string()) return false;
  if (!base64) {
    res.body = body.get<std::string>();
    return true;
  }
  auto decoded = base64_decode(body.get<std::string>());
  if (!decoded) return false;
  res.body = std::move(*decoded);
  return true;
}

bool flag(const Json& doc, const char* key) {
  const auto it = doc.find(key);
  return it != doc.end() && it->is_boolean() && it->get<bool>();
}

}  // namespace

net::Response gateway_error(ApiKind kind, GatewayError error) {
  net::Response res;
  const bool rest = kind == ApiKind::rest;
  const bool url = kind == ApiKind::function_url;
  auto set = [&res](int status, const char* body, const char* type) {
    res.status = status;
    res.body = body;
    if (*type) res.headers.emplace_back("x-amzn-ErrorType", type);
  };
  switch (error) {
    case GatewayError::not_found:
      if (rest)
        set(403, R"({"message":"Missing Authentication Token"})", "MissingAuthenticationTokenException");
      else
        set(404, R"({"message":"Not Found"})", "");
      break;
    case GatewayError::integration_failure:
      if (rest)
        set(502, R"({"message": "Internal server error"})", "InternalServerErrorException");
      else if (url)
        set(502, R"({"message":"Internal Server Error"})", "");
      else
        set(500, R"({"message":"Internal Server Error"})", "");
      break;
    case GatewayError::throttled:
      if (rest)
        set(500, R"({"message": "Internal server error"})", "InternalServerErrorException");
      else if (url)
        set(429, R"({"message":"Rate Exceeded."})", "TooManyRequestsException");
      else
        set(503, R"({"message":"Service Unavailable"})", "");
      break;
    case GatewayError::integration_timeout:
      if (rest)
        set(504, R"({"message": "Endpoint request timed out"})", "");
      else
        set(503, R"({"message":"Service Unavailable"})", "");
      break;
    case GatewayError::too_large:
      set(413, rest ? R"({"message":"Request Too Long"})" : R"({"message":"Request Entity Too Large"})", "");
      break;
    case GatewayError::bad_json:
      set(400, R"({"message": "Could not parse request body into json: Unexpected character"})", "");
      break;
  }
  return res;
}

std::optional<net::Response> map_v2_response(const std::string& payload) {
  net::Response res;
  const Json doc = Json::parse(payload, nullptr, false);
  if (doc.is_discarded()) return std::nullopt;
  if (!doc.is_object() || !doc.contains("statusCode")) {
    // Inferred: 200, application/json, the function's JSON as the body (a string's own text).
    res.body = doc.is_string() ? doc.get<std::string>() : payload;
    return res;
  }
  const auto status = status_of(doc["statusCode"]);
  if (!status) return std::nullopt;
  res.status = *status;
  if (const auto h = doc.find("headers"); h != doc.end() && h->is_object())
    for (const auto& [name, value] : h->items())
      if (auto text = header_text(value)) add_header(res, name, *text);
  if (const auto c = doc.find("cookies"); c != doc.end() && c->is_array())
    for (const auto& cookie : *c)
      if (cookie.is_string()) res.headers.emplace_back("Set-Cookie", cookie.get<std::string>());
  const bool base64 = flag(doc, "isBase64Encoded");
  if (const auto b = doc.find("body"); b != doc.end()) {
    if (!b->is_string() && !b->is_null())
      res.body = b->dump();  // a structure is sent as its JSON
    else if (!set_body(res, *b, base64))
      return std::nullopt;
  }
  return res;
}

std::optional<net::Response> map_v1_response(const std::string& payload, bool strict, bool decode_base64) {
  const Json doc = Json::parse(payload, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return std::nullopt;
  static const char* kKeys[] = {"statusCode", "headers",         "multiValueHeaders",
                                "body",       "isBase64Encoded", "base64Encoded"};
  if (strict)
    for (const auto& [key, value] : doc.items())
      if (std::find(std::begin(kKeys), std::end(kKeys), key) == std::end(kKeys)) return std::nullopt;
  const auto found = doc.find("statusCode");
  if (found == doc.end()) return std::nullopt;
  const auto status = status_of(*found);
  if (!status) return std::nullopt;
  net::Response res;
  res.status = *status;
  // headers, then multiValueHeaders; a name in both takes the multi values.
  std::vector<std::pair<std::string, std::vector<std::string>>> merged;
  auto put = [&merged](const std::string& name, std::vector<std::string> values) {
    for (auto& [key, existing] : merged)
      if (lower(key) == lower(name)) {
        existing = std::move(values);
        return;
      }
    merged.emplace_back(name, std::move(values));
  };
  if (const auto h = doc.find("headers"); h != doc.end() && !h->is_null()) {
    if (!h->is_object()) return std::nullopt;
    for (const auto& [name, value] : h->items())
      if (auto text = header_text(value)) put(name, {*text});
  }
  if (const auto h = doc.find("multiValueHeaders"); h != doc.end() && !h->is_null()) {
    if (!h->is_object()) return std::nullopt;
    for (const auto& [name, values] : h->items()) {
      if (!values.is_array()) {
        if (strict) return std::nullopt;
        continue;
      }
      std::vector<std::string> texts;
      for (const auto& v : values)
        if (auto text = header_text(v)) texts.push_back(*text);
      put(name, std::move(texts));
    }
  }
  for (const auto& [name, values] : merged)
    for (const auto& v : values) add_header(res, name, v);
  const bool base64 = decode_base64 && (flag(doc, "isBase64Encoded") || flag(doc, "base64Encoded"));
  if (const auto b = doc.find("body"); b != doc.end() && !set_body(res, *b, base64)) return std::nullopt;
  return res;
}

}  // namespace stratus::triggers::http
