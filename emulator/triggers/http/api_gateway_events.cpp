#include "emulator/triggers/http/api_gateway_events.hpp"

#include <algorithm>
#include <cctype>

#include "emulator/common/base64.hpp"
#include "emulator/common/ids.hpp"
#include "emulator/common/json_writer.hpp"
#include "emulator/common/utc_time.hpp"

namespace stratus::triggers::http {

namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

// What HTTP APIs pass as text (AWS: "non-text" bodies are base64).
bool textual(const std::string& content_type) {
  const std::string type = lower(content_type.substr(0, content_type.find(';')));
  return type.empty() || type.rfind("text/", 0) == 0 || type == "application/json" ||
         type.ends_with("+json") || type == "application/xml" || type.ends_with("+xml") ||
         type == "application/javascript" || type == "application/x-www-form-urlencoded" ||
         type == "application/graphql";
}

std::string header_value(const net::wire::Fields& headers, std::string_view name) {
  for (const auto& [key, value] : headers)
    if (net::wire::iequals(key, name)) return value;
  return "";
}

// Values grouped by name, in the order the names first came.
struct Group {
  std::string name;
  std::vector<std::string> values;
};

template <typename Same>
std::vector<Group> group(const std::vector<std::pair<std::string, std::string>>& pairs, Same same) {
  std::vector<Group> out;
  for (const auto& [name, value] : pairs) {
    auto it = std::find_if(out.begin(), out.end(), [&](const Group& g) { return same(g.name, name); });
    if (it == out.end()) it = out.insert(out.end(), Group{name, {}});
    it->values.push_back(value);
  }
  return out;
}

bool exact(std::string_view a, std::string_view b) {
  return a == b;
}

std::string joined(const std::vector<std::string>& values) {
  std::string out = values.front();
  for (std::size_t i = 1; i < values.size(); ++i) {
    out += ',';
    out += values[i];
  }
  return out;
}

// 1.0's single-value map (the last value of each name) and multi-value map, or two nulls.
void single_and_multi(JsonWriter& w, const char* single_key, const char* multi_key,
                      const std::vector<Group>& groups, bool null_when_empty) {
  if (groups.empty() && null_when_empty) {
    w.key(single_key).null().key(multi_key).null();
    return;
  }
  w.key(single_key).begin_object();
  for (const auto& g : groups) w.key(g.name).value(g.values.back());
  w.end_object().key(multi_key).begin_object();
  for (const auto& g : groups) {
    w.key(g.name).begin_array();
    for (const auto& v : g.values) w.value(v);
    w.end_array();
  }
  w.end_object();
}

void path_parameters(JsonWriter& w, const std::map<std::string, std::string>& parameters) {
  w.key("pathParameters").begin_object();
  for (const auto& [name, value] : parameters) w.key(name).value(value);
  w.end_object();
}

// requestContext.identity; `empty_strings`: what has no value is "" (a mapping template quotes each
// value) instead of null.
void identity(JsonWriter& w, const ApiRequest& request, bool empty_strings = false) {
  const auto none = [&](const char* key) {
    w.key(key);
    empty_strings ? w.value("") : w.null();
  };
  w.key("identity").begin_object();
  for (const char* key : {"cognitoIdentityPoolId", "accountId", "cognitoIdentityId", "caller", "accessKey"})
    none(key);
  w.key("sourceIp").value(request.source_ip);
  for (const char* key : {"cognitoAuthenticationType", "cognitoAuthenticationProvider", "userArn"}) none(key);
  w.key("userAgent").value(header_value(request.headers, "user-agent"));
  none("user");
  w.end_object();
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
  JsonWriter w;
  w.begin_object();
  if (http_api_v1) w.key("version").value("1.0");
  w.key("resource").value(route.resource);
  w.key("path").value(request.path);
  w.key("httpMethod").value(request.method);
  // Header names keep their first spelling; the single-value map holds the last value.
  single_and_multi(w, "headers", "multiValueHeaders", group(request.headers, net::wire::iequals), false);
  single_and_multi(w, "queryStringParameters", "multiValueQueryStringParameters",
                   group(net::wire::parse_query(request.raw_query), exact), true);
  if (route.path_parameters.empty())
    w.key("pathParameters").null();
  else
    path_parameters(w, route.path_parameters);
  w.key("stageVariables").null();
  const std::string request_id = context.request_id.empty() ? new_request_id() : context.request_id;
  w.key("requestContext").begin_object();
  w.key("resourceId").value("offline");
  w.key("resourcePath").value(route.resource);
  w.key("httpMethod").value(request.method);
  w.key("extendedRequestId").value(request_id);
  w.key("requestTime").value(api_gateway_time(request.time_ms));
  w.key("path").value(route.stage == "$default" ? request.path : "/" + route.stage + request.path);
  w.key("accountId").value(context.account_id);
  w.key("protocol").value("HTTP/1.1");
  w.key("stage").value(route.stage);
  w.key("domainPrefix").value(std::string_view(context.domain_name).substr(0, context.domain_name.find('.')));
  w.key("requestTimeEpoch").value(request.time_ms);
  w.key("requestId").value(request_id);
  identity(w, request);
  w.key("domainName").value(context.domain_name);
  w.key("apiId").value(context.api_id);
  w.end_object();
  if (request.body.empty())
    w.key("body").null().key("isBase64Encoded").value(false);
  else if (!request.binary && valid_utf8(request.body))
    w.key("body").value(request.body).key("isBase64Encoded").value(false);
  else
    w.key("body").value(base64_encode(request.body)).key("isBase64Encoded").value(true);
  w.end_object();
  return w.take();
}

std::string lambda_integration_event(const ApiRequest& request, const ApiRoute& route,
                                     std::string_view body_json) {
  JsonWriter w;
  w.begin_object();
  w.key("body").raw(body_json);
  w.key("method").value(request.method);
  w.key("principalId").value("");
  w.key("stage").value(route.stage);
  w.key("cognitoPoolClaims").begin_object().key("sub").value("").end_object();
  w.key("enhancedAuthContext").begin_object().end_object();
  // The template's maps hold one value a name: the last one sent.
  const auto last_values = [&w](const char* name, const std::vector<Group>& groups) {
    w.key(name).begin_object();
    for (const auto& g : groups) w.key(g.name).value(g.values.back());
    w.end_object();
  };
  last_values("headers", group(request.headers, net::wire::iequals));
  last_values("query", group(net::wire::parse_query(request.raw_query), exact));
  w.key("path").begin_object();
  for (const auto& [name, value] : route.path_parameters) w.key(name).value(value);
  w.end_object();
  identity(w, request, true);
  w.key("stageVariables").begin_object().end_object();
  w.key("requestPath").value(route.resource);
  w.end_object();
  return w.take();
}

std::string http_api_event(const ApiRequest& request, const ApiRoute& route, const ApiContext& context) {
  const std::string raw_path = route.stage == "$default" ? request.path : "/" + route.stage + request.path;
  std::vector<std::string> cookies;
  std::vector<std::pair<std::string, std::string>> headers;
  for (const auto& [name, value] : request.headers) {
    std::string key = lower(name);
    if (key != "cookie") {
      headers.emplace_back(std::move(key), value);
      continue;
    }
    for (std::size_t at = 0; at <= value.size();) {
      std::size_t end = value.find(';', at);
      if (end == std::string::npos) end = value.size();
      std::string one = value.substr(at, end - at);
      one.erase(0, one.find_first_not_of(' '));
      if (!one.empty()) cookies.push_back(std::move(one));
      at = end + 1;
    }
  }
  JsonWriter w;
  w.begin_object();
  w.key("version").value("2.0");
  w.key("routeKey").value(route.route_key);
  w.key("rawPath").value(raw_path);
  w.key("rawQueryString").value(request.raw_query);
  if (!cookies.empty()) {
    w.key("cookies").begin_array();
    for (const auto& c : cookies) w.value(c);
    w.end_array();
  }
  w.key("headers").begin_object();
  for (const auto& g : group(headers, exact)) w.key(g.name).value(joined(g.values));  // repeats comma-joined
  w.end_object();
  if (const auto query = group(net::wire::parse_query(request.raw_query), exact); !query.empty()) {
    w.key("queryStringParameters").begin_object();
    for (const auto& g : query) w.key(g.name).value(joined(g.values));
    w.end_object();
  }
  w.key("requestContext").begin_object();
  w.key("accountId").value(context.account_id);
  w.key("apiId").value(context.api_id);
  w.key("domainName").value(context.domain_name);
  w.key("domainPrefix").value(std::string_view(context.domain_name).substr(0, context.domain_name.find('.')));
  w.key("http").begin_object();
  w.key("method").value(request.method);
  w.key("path").value(raw_path);
  w.key("protocol").value("HTTP/1.1");
  w.key("sourceIp").value(request.source_ip);
  w.key("userAgent").value(header_value(request.headers, "user-agent"));
  w.end_object();
  w.key("requestId").value(context.request_id.empty() ? new_request_id() : context.request_id);
  w.key("routeKey").value(route.route_key);
  w.key("stage").value(route.stage);
  w.key("time").value(api_gateway_time(request.time_ms));
  w.key("timeEpoch").value(request.time_ms);
  w.end_object();
  if (!route.path_parameters.empty()) path_parameters(w, route.path_parameters);
  if (!request.body.empty()) {
    const bool text = textual(header_value(request.headers, "content-type")) && valid_utf8(request.body);
    w.key("body").value(text ? request.body : base64_encode(request.body));
    w.key("isBase64Encoded").value(!text);
  } else {
    w.key("isBase64Encoded").value(false);
  }
  w.end_object();
  return w.take();
}

}  // namespace stratus::triggers::http
