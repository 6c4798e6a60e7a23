#include "emulator/triggers/http/api_gateway_events.hpp"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "emulator/common/base64.hpp"
#include "emulator/common/ids.hpp"
#include "emulator/common/utc_time.hpp"

namespace stratus::triggers::http {

namespace {

using Json = nlohmann::ordered_json;

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

// Strict UTF-8 exactly as the JSON writer checks it (no overlong forms, no surrogates).
bool valid_utf8(const std::string& text) {
  try {
    (void)Json(text).dump();
    return true;
  } catch (const Json::type_error&) {
    return false;
  }
}

// What HTTP APIs pass as text (AWS: "non-text" bodies are base64).
bool textual(const std::string& content_type) {
  const std::string type = lower(content_type.substr(0, content_type.find(';')));
  return type.empty() || type.rfind("text/", 0) == 0 || type == "application/json" ||
         type.ends_with("+json") || type == "application/xml" || type.ends_with("+xml") ||
         type == "application/javascript" || type == "application/x-www-form-urlencoded" ||
         type == "application/graphql";
}

std::string header_value(const net::wire::Fields& headers, const std::string& name) {
  for (const auto& [key, value] : headers)
    if (lower(key) == name) return value;
  return "";
}

Json identity(const ApiRequest& request) {
  Json id;
  for (const char* key : {"cognitoIdentityPoolId", "accountId", "cognitoIdentityId", "caller", "accessKey"})
    id[key] = nullptr;
  id["sourceIp"] = request.source_ip;
  for (const char* key : {"cognitoAuthenticationType", "cognitoAuthenticationProvider", "userArn"})
    id[key] = nullptr;
  id["userAgent"] = header_value(request.headers, "user-agent");
  id["user"] = nullptr;
  return id;
}

}  // namespace

bool binary_media_type(const std::vector<std::string>& binary_media_types, std::string_view media_type) {
  if (binary_media_types.empty()) return false;
  auto trim = [](std::string_view text) {
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
    return text;
  };
  const std::string type = lower(std::string(trim(media_type.substr(0, media_type.find(';')))));
  const auto slash = type.find('/');
  if (slash == std::string::npos) return false;
  for (const auto& pattern_text : binary_media_types) {
    const std::string pattern = lower(std::string(trim(pattern_text)));
    const auto at = pattern.find('/');
    if (at == std::string::npos) continue;
    auto part = [](std::string_view p, std::string_view v) { return p == "*" || p == v; };
    if (part(std::string_view(pattern).substr(0, at), std::string_view(type).substr(0, slash)) &&
        part(std::string_view(pattern).substr(at + 1), std::string_view(type).substr(slash + 1)))
      return true;
  }
  return false;
}

std::string api_gateway_time(std::int64_t unix_ms) {
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::int64_t seconds = unix_ms >= 0 ? unix_ms / 1000 : -((-unix_ms + 999) / 1000);
  const CivilTime t = civil_from_unix(seconds);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%02d/%s/%04lld:%02d:%02d:%02d +0000", t.day,
                kMonths[(t.month + 11) % 12], static_cast<long long>(t.year), t.hour, t.minute, t.second);
  return buffer;
}

std::string rest_event(const ApiRequest& request, const ApiRoute& route, const ApiContext& context,
                       bool http_api_v1) {
  Json event;
  if (http_api_v1) event["version"] = "1.0";
  event["resource"] = route.resource;
  event["path"] = request.path;
  event["httpMethod"] = request.method;
  Json headers = Json::object(), multi_headers = Json::object();
  for (const auto& [name, value] : request.headers) {
    // The first spelling of a name is kept for both maps; the single-value map holds the last value.
    std::string key = name;
    for (const auto& [seen, ignored] : multi_headers.items())
      if (lower(seen) == lower(name)) key = seen;
    headers[key] = value;
    multi_headers[key].push_back(value);
  }
  event["headers"] = headers;
  event["multiValueHeaders"] = multi_headers;
  const auto pairs = net::wire::parse_query(request.raw_query);
  if (pairs.empty()) {
    event["queryStringParameters"] = nullptr;
    event["multiValueQueryStringParameters"] = nullptr;
  } else {
    Json single = Json::object(), multi = Json::object();
    for (const auto& [key, value] : pairs) {
      single[key] = value;
      multi[key].push_back(value);
    }
    event["queryStringParameters"] = single;
    event["multiValueQueryStringParameters"] = multi;
  }
  event["pathParameters"] = route.path_parameters.empty() ? Json(nullptr) : Json(route.path_parameters);
  event["stageVariables"] = nullptr;
  Json ctx;
  ctx["resourceId"] = "offline";
  ctx["resourcePath"] = route.resource;
  ctx["httpMethod"] = request.method;
  ctx["extendedRequestId"] = context.request_id.empty() ? new_request_id() : context.request_id;
  ctx["requestTime"] = api_gateway_time(request.time_ms);
  ctx["path"] = route.stage == "$default" ? request.path : "/" + route.stage + request.path;
  ctx["accountId"] = context.account_id;
  ctx["protocol"] = "HTTP/1.1";
  ctx["stage"] = route.stage;
  ctx["domainPrefix"] = context.domain_name.substr(0, context.domain_name.find('.'));
  ctx["requestTimeEpoch"] = request.time_ms;
  ctx["requestId"] = ctx["extendedRequestId"];
  ctx["identity"] = identity(request);
  ctx["domainName"] = context.domain_name;
  ctx["apiId"] = context.api_id;
  event["requestContext"] = ctx;
  if (request.body.empty()) {
    event["body"] = nullptr;
    event["isBase64Encoded"] = false;
  } else if (!request.binary && valid_utf8(request.body)) {
    event["body"] = request.body;
    event["isBase64Encoded"] = false;
  } else {
    event["body"] = base64_encode(request.body);
    event["isBase64Encoded"] = true;
  }
  return event.dump();
}

std::string http_api_event(const ApiRequest& request, const ApiRoute& route, const ApiContext& context) {
  Json event;
  event["version"] = "2.0";
  event["routeKey"] = route.route_key;
  event["rawPath"] = route.stage == "$default" ? request.path : "/" + route.stage + request.path;
  event["rawQueryString"] = request.raw_query;
  Json cookies = Json::array();
  Json headers = Json::object();
  for (const auto& [name, value] : request.headers) {
    const std::string key = lower(name);
    if (key == "cookie") {
      for (std::size_t at = 0; at <= value.size();) {
        std::size_t end = value.find(';', at);
        if (end == std::string::npos) end = value.size();
        std::string one = value.substr(at, end - at);
        one.erase(0, one.find_first_not_of(' '));
        if (!one.empty()) cookies.push_back(one);
        at = end + 1;
      }
      continue;
    }
    if (headers.contains(key))
      headers[key] = headers[key].get<std::string>() + "," + value;
    else
      headers[key] = value;
  }
  if (!cookies.empty()) event["cookies"] = cookies;
  event["headers"] = headers;
  const auto pairs = net::wire::parse_query(request.raw_query);
  if (!pairs.empty()) {
    Json query = Json::object();
    for (const auto& [key, value] : pairs)
      query[key] = query.contains(key) ? query[key].get<std::string>() + "," + value : value;
    event["queryStringParameters"] = query;
  }
  Json ctx;
  ctx["accountId"] = context.account_id;
  ctx["apiId"] = context.api_id;
  ctx["domainName"] = context.domain_name;
  ctx["domainPrefix"] = context.domain_name.substr(0, context.domain_name.find('.'));
  ctx["http"] = {{"method", request.method},
                 {"path", event["rawPath"]},
                 {"protocol", "HTTP/1.1"},
                 {"sourceIp", request.source_ip},
                 {"userAgent", header_value(request.headers, "user-agent")}};
  ctx["requestId"] = context.request_id.empty() ? new_request_id() : context.request_id;
  ctx["routeKey"] = route.route_key;
  ctx["stage"] = route.stage;
  ctx["time"] = api_gateway_time(request.time_ms);
  ctx["timeEpoch"] = request.time_ms;
  event["requestContext"] = ctx;
  if (!route.path_parameters.empty()) event["pathParameters"] = route.path_parameters;
  if (!request.body.empty()) {
    const bool text = textual(header_value(request.headers, "content-type")) && valid_utf8(request.body);
    event["body"] = text ? request.body : base64_encode(request.body);
    event["isBase64Encoded"] = !text;
  } else {
    event["isBase64Encoded"] = false;
  }
  return event.dump();
}

}  // namespace stratus::triggers::http
