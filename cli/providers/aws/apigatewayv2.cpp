#include "cli/providers/aws/apigatewayv2.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "cli/providers/aws/call.hpp"
#include "emulator/auth/sigv4.hpp"

namespace stratus::aws {

namespace {

using nlohmann::json;

const Headers kJson = {{"Content-Type", "application/json"}};

std::string string_at(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string api_path(const std::string& api_id) {
  return "/v2/apis/" + auth::uri_encode(api_id);
}

json parse(const Response& r) {
  json j = json::parse(r.body, nullptr, false);
  return j.is_discarded() ? json::object() : j;
}

}  // namespace

std::string canonical_cors(const std::string& cors_json) {
  if (cors_json.empty()) return "";
  json cors = json::parse(cors_json, nullptr, false);
  if (!cors.is_object()) return "";
  json out = json::object();
  for (auto& [key, value] : cors.items()) {
    if (value.is_null()) continue;
    if (value.is_array()) {
      std::vector<std::string> items;
      for (const auto& v : value) {
        std::string s = v.is_string() ? v.get<std::string>() : v.dump();
        std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
        items.push_back(s);
      }
      std::sort(items.begin(), items.end());
      if (items.empty()) continue;
      out[key] = items;
    } else {
      out[key] = value;
    }
  }
  return out.empty() ? "" : out.dump();
}

std::vector<std::string> ApiGatewayV2::list(const std::string& path, const std::string& doing) {
  std::vector<std::string> out;
  std::string token;
  for (int page = 0; page < 1000; ++page) {
    Request request{"GET", path, {}, {}, ""};
    if (!token.empty()) request.query.emplace_back("nextToken", token);
    json answer = parse(call_checked(m_client, "apigatewayv2", request, doing));
    if (auto it = answer.find("items"); it != answer.end() && it->is_array()) {
      for (const auto& item : *it) out.push_back(item.dump());
    }
    token = string_at(answer, "nextToken");
    if (token.empty()) break;
  }
  return out;
}

std::vector<HttpApi> ApiGatewayV2::apis() {
  std::vector<HttpApi> out;
  for (const std::string& text : list("/v2/apis", "list HTTP APIs")) {
    json a = json::parse(text);
    if (string_at(a, "protocolType") != "HTTP") continue;
    HttpApi api{string_at(a, "apiId"), string_at(a, "name"), string_at(a, "apiEndpoint"), {}, ""};
    if (auto t = a.find("tags"); t != a.end() && t->is_object()) {
      for (const auto& [k, v] : t->items()) {
        if (v.is_string()) api.tags[k] = v.get<std::string>();
      }
    }
    if (auto c = a.find("corsConfiguration"); c != a.end() && c->is_object())
      api.cors = canonical_cors(c->dump());
    out.push_back(std::move(api));
  }
  return out;
}

HttpApi ApiGatewayV2::create_api(const std::string& name, const std::map<std::string, std::string>& tags,
                                 const std::string& cors_json) {
  json body = {{"name", name}, {"protocolType", "HTTP"}, {"tags", tags}};
  if (!cors_json.empty()) body["corsConfiguration"] = json::parse(cors_json);
  json a = parse(call_checked(m_client, "apigatewayv2", {"POST", "/v2/apis", {}, kJson, body.dump()},
                              "create HTTP API " + name));
  return {string_at(a, "apiId"), name, string_at(a, "apiEndpoint"), tags, canonical_cors(cors_json)};
}

void ApiGatewayV2::update_cors(const std::string& api_id, const std::string& cors_json) {
  if (cors_json.empty()) {
    Request request{"DELETE", api_path(api_id) + "/cors", {}, {}, ""};
    Response r = m_client.call("apigatewayv2", request);
    if (!r.ok() && r.status != 404)
      throw_call_error(r, "delete the CORS configuration of HTTP API " + api_id);
    return;
  }
  json body = {{"corsConfiguration", json::parse(cors_json)}};
  call_checked(m_client, "apigatewayv2", {"PATCH", api_path(api_id), {}, kJson, body.dump()},
               "set the CORS configuration of HTTP API " + api_id);
}

void ApiGatewayV2::delete_api(const std::string& api_id) {
  Request request{"DELETE", api_path(api_id), {}, {}, ""};
  Response r = m_client.call("apigatewayv2", request);
  if (!r.ok() && r.status != 404) throw_call_error(r, "delete HTTP API " + api_id);
}

std::vector<ApiRoute> ApiGatewayV2::routes(const std::string& api_id) {
  std::vector<ApiRoute> out;
  for (const std::string& text :
       list(api_path(api_id) + "/routes", "list the routes of HTTP API " + api_id)) {
    json r = json::parse(text);
    out.push_back({string_at(r, "routeId"), string_at(r, "routeKey"), string_at(r, "target")});
  }
  return out;
}

std::string ApiGatewayV2::create_route(const std::string& api_id, const std::string& key,
                                       const std::string& target) {
  json body = {{"routeKey", key}, {"target", target}};
  return string_at(parse(call_checked(m_client, "apigatewayv2",
                                      {"POST", api_path(api_id) + "/routes", {}, kJson, body.dump()},
                                      "create route " + key + " in HTTP API " + api_id)),
                   "routeId");
}

void ApiGatewayV2::update_route(const std::string& api_id, const std::string& route_id,
                                const std::string& target) {
  json body = {{"target", target}};
  call_checked(m_client, "apigatewayv2",
               {"PATCH", api_path(api_id) + "/routes/" + auth::uri_encode(route_id), {}, kJson, body.dump()},
               "update route " + route_id + " of HTTP API " + api_id);
}

void ApiGatewayV2::delete_route(const std::string& api_id, const std::string& route_id) {
  Request request{"DELETE", api_path(api_id) + "/routes/" + auth::uri_encode(route_id), {}, {}, ""};
  Response r = m_client.call("apigatewayv2", request);
  if (!r.ok() && r.status != 404) throw_call_error(r, "delete route " + route_id + " of HTTP API " + api_id);
}

std::vector<ApiIntegration> ApiGatewayV2::integrations(const std::string& api_id) {
  std::vector<ApiIntegration> out;
  for (const std::string& text :
       list(api_path(api_id) + "/integrations", "list the integrations of HTTP API " + api_id)) {
    json i = json::parse(text);
    out.push_back({string_at(i, "integrationId"), string_at(i, "integrationUri"),
                   string_at(i, "payloadFormatVersion")});
  }
  return out;
}

std::string ApiGatewayV2::create_integration(const std::string& api_id, const std::string& function_arn,
                                             const std::string& payload_format_version) {
  json body = {{"integrationType", "AWS_PROXY"},
               {"integrationUri", function_arn},
               {"payloadFormatVersion", payload_format_version}};
  return string_at(
      parse(call_checked(m_client, "apigatewayv2",
                         {"POST", api_path(api_id) + "/integrations", {}, kJson, body.dump()},
                         "create the integration of " + function_arn + " in HTTP API " + api_id)),
      "integrationId");
}

void ApiGatewayV2::delete_integration(const std::string& api_id, const std::string& integration_id) {
  Request request{
      "DELETE", api_path(api_id) + "/integrations/" + auth::uri_encode(integration_id), {}, {}, ""};
  Response r = m_client.call("apigatewayv2", request);
  if (!r.ok() && r.status != 404)
    throw_call_error(r, "delete integration " + integration_id + " of HTTP API " + api_id);
}

std::map<std::string, bool> ApiGatewayV2::stages(const std::string& api_id) {
  std::map<std::string, bool> out;
  for (const std::string& text :
       list(api_path(api_id) + "/stages", "list the stages of HTTP API " + api_id)) {
    json s = json::parse(text);
    auto a = s.find("autoDeploy");
    out[string_at(s, "stageName")] = a != s.end() && a->is_boolean() && a->get<bool>();
  }
  return out;
}

void ApiGatewayV2::create_stage(const std::string& api_id, const std::string& name, bool auto_deploy,
                                const std::map<std::string, std::string>& tags) {
  json body = {{"stageName", name}, {"autoDeploy", auto_deploy}, {"tags", tags}};
  call_checked(m_client, "apigatewayv2", {"POST", api_path(api_id) + "/stages", {}, kJson, body.dump()},
               "create stage " + name + " of HTTP API " + api_id);
}

}  // namespace stratus::aws
