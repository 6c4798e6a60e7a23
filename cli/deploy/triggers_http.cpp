// httpApi (and http) events -> one API Gateway v2 HTTP API per service+stage, named like the
// Serverless Framework names it (`<stage>-<service>`) and found again by its tags.
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "cli/deploy/triggers_internal.hpp"
#include "cli/providers/aws/apigatewayv2.hpp"

namespace stratus::deploy::triggers_detail {

namespace {

using nlohmann::json;

struct DesiredRoute {
  std::string key;  // "GET /users/{id}", "$default"
  const FunctionTarget* function = nullptr;
  std::string payload;  // "2.0" | "1.0"
  std::string kind;     // "httpApi" | "http"
};

std::string route_key(const std::string& method, const std::string& path) {
  if (path == "*") return "$default";
  return (method == "*" ? std::string("ANY") : method) + " " + path;
}

std::vector<DesiredRoute> desired_routes(const Target& target, const manifest::Service& service) {
  std::vector<DesiredRoute> out;
  for (const auto& f : service.functions) {
    for (const auto& e : f.events) {
      DesiredRoute d;
      if (const auto* h = std::get_if<manifest::HttpApiEvent>(&e.detail)) {
        d = {route_key(h->method, h->path), nullptr, h->payload.empty() ? "2.0" : h->payload, "httpApi"};
      } else if (const auto* r = std::get_if<manifest::HttpEvent>(&e.detail)) {
        d = {route_key(r->method, r->path), nullptr, "1.0", "http"};
      } else {
        continue;
      }
      d.function = &function_target(target, f.key);
      for (const auto& other : out) {
        if (other.key == d.key) {
          throw UserError("functions." + f.key + " " + e.type + " event: route " + d.key +
                          " is already taken by function " + other.function->key +
                          "; fix: give one of them another method or path");
        }
      }
      out.push_back(std::move(d));
    }
  }
  return out;
}

// provider.httpApi.cors as the corsConfiguration object, "" when not set. `cors: true` gives the
// Serverless Framework's defaults: any origin, its header list, OPTIONS and the routes' methods.
std::string desired_cors(const manifest::Service& service, const std::vector<DesiredRoute>& routes) {
  const manifest::Value* cors = service.provider.http_api.find("cors");
  if (cors == nullptr || cors->is_null() || (cors->is_bool() && !cors->as_bool())) return "";
  auto list = [&](const char* key, std::vector<std::string> fallback) {
    const manifest::Value* v = cors->is_map() ? cors->find(key) : nullptr;
    if (v == nullptr || v->is_null()) return fallback;
    if (v->is_scalar()) return std::vector<std::string>{v->to_text()};
    std::vector<std::string> out;
    for (const auto& item : v->items()) out.push_back(item.to_text());
    return out;
  };
  std::set<std::string> methods = {"OPTIONS"};
  for (const auto& r : routes) {
    std::string method = r.key == "$default" ? "ANY" : r.key.substr(0, r.key.find(' '));
    methods.insert(method == "ANY" ? "*" : method);
  }
  if (methods.count("*")) methods = {"*"};
  json out = {{"allowOrigins", list("allowedOrigins", {"*"})},
              {"allowHeaders",
               list("allowedHeaders", {"Content-Type", "X-Amz-Date", "Authorization", "X-Api-Key",
                                       "X-Amz-Security-Token", "X-Amz-User-Agent", "X-Amzn-Trace-Id"})},
              {"allowMethods", list("allowedMethods", {methods.begin(), methods.end()})}};
  if (cors->is_map()) {
    if (const auto* v = cors->find("allowCredentials"); v && v->is_bool())
      out["allowCredentials"] = v->as_bool();
    if (const auto* v = cors->find("exposedResponseHeaders"); v && !v->is_null())
      out["exposeHeaders"] = list("exposedResponseHeaders", {});
    if (const auto* v = cors->find("maxAge"); v && v->is_number()) out["maxAge"] = v->as_int();
  }
  return out.dump();
}

std::string api_name(const Target& target) {
  return target.stage + "-" + target.service;
}

std::optional<aws::HttpApi> our_api(const Target& target) {
  for (auto& api : aws::ApiGatewayV2(*target.client).apis()) {
    if (tagged_ours(target, api.tags)) return api;
  }
  return std::nullopt;
}

std::string execute_arn(const Target& target, const std::string& api_id) {
  return "arn:" + partition(target.region) + ":execute-api:" + target.region + ":" + target.account_id + ":" +
         api_id + "/*";
}

// Integration ids by "<function arn>|<payload>", filled as they are found or created.
using IntegrationIds = std::map<std::string, std::string>;

}  // namespace

Plan plan_http(const Target& target, const manifest::Service& service, Permissions& permissions) {
  Plan plan;
  std::vector<DesiredRoute> routes = desired_routes(target, service);
  std::optional<aws::HttpApi> api = our_api(target);
  aws::Client* client = target.client;
  if (routes.empty()) {
    if (api) {
      plan.push_back({"delete HTTP API " + api->name + " (" + api->id + ")",
                      [client, id = api->id] { aws::ApiGatewayV2(*client).delete_api(id); }});
    }
    for (const auto& f : target.functions) permissions.remove_stale(plan, f, kHttpApiSid);
    return plan;
  }
  const std::string cors = desired_cors(service, routes);
  auto api_id = std::make_shared<std::string>(api ? api->id : "");
  auto ids = std::make_shared<IntegrationIds>();
  std::vector<aws::ApiRoute> existing_routes;
  std::vector<aws::ApiIntegration> existing_integrations;
  aws::ApiGatewayV2 gateway(*client);
  if (!api) {
    plan.push_back({"create HTTP API " + api_name(target),
                    [client, api_id, name = api_name(target), tags = target.tags, cors] {
                      *api_id = aws::ApiGatewayV2(*client).create_api(name, tags, cors).id;
                    }});
  } else {
    if (api->cors != aws::canonical_cors(cors)) {
      plan.push_back({(cors.empty() ? "remove" : "set") + std::string(" CORS of HTTP API ") + api->name,
                      [client, api_id, cors] { aws::ApiGatewayV2(*client).update_cors(*api_id, cors); }});
    }
    existing_routes = gateway.routes(api->id);
    existing_integrations = gateway.integrations(api->id);
    for (const auto& i : existing_integrations) ids->emplace(i.uri + "|" + i.payload_format_version, i.id);
  }
  // Integrations: one per function and payload version.
  std::set<std::string> wanted_integrations;
  for (const auto& r : routes) {
    std::string key = r.function->arn + "|" + r.payload;
    if (!wanted_integrations.insert(key).second || ids->count(key)) continue;
    plan.push_back({"create the integration of function " + r.function->name + " (payload " + r.payload + ")",
                    [client, api_id, ids, key, arn = r.function->arn, payload = r.payload] {
                      (*ids)[key] = aws::ApiGatewayV2(*client).create_integration(*api_id, arn, payload);
                    }});
  }
  // Routes.
  for (const auto& r : routes) {
    std::string key = r.function->arn + "|" + r.payload;
    const aws::ApiRoute* found = nullptr;
    for (const auto& e : existing_routes) {
      if (e.key == r.key) found = &e;
    }
    auto current = ids->find(key);
    if (found != nullptr && current != ids->end() && found->target == "integrations/" + current->second)
      continue;
    std::string route_id = found ? found->id : "";
    plan.push_back({(found ? "update route " : "add route ") + r.key + " -> function " + r.function->name,
                    [client, api_id, ids, key, route_id, route = r.key] {
                      aws::ApiGatewayV2 g(*client);
                      std::string target_ref = "integrations/" + ids->at(key);
                      if (route_id.empty())
                        g.create_route(*api_id, route, target_ref);
                      else
                        g.update_route(*api_id, route_id, target_ref);
                    }});
  }
  for (const auto& e : existing_routes) {
    bool wanted = false;
    for (const auto& r : routes) wanted |= r.key == e.key;
    if (!wanted) {
      plan.push_back({"delete route " + e.key,
                      [client, api_id, id = e.id] { aws::ApiGatewayV2(*client).delete_route(*api_id, id); }});
    }
  }
  for (const auto& i : existing_integrations) {
    if (!wanted_integrations.count(i.uri + "|" + i.payload_format_version)) {
      plan.push_back({"delete integration " + i.id + " (" + i.uri + ")", [client, api_id, id = i.id] {
                        aws::ApiGatewayV2(*client).delete_integration(*api_id, id);
                      }});
    }
  }
  if (!api || !gateway.stages(api->id).count("$default")) {
    plan.push_back({"create stage $default (auto-deploy) of HTTP API " + api_name(target),
                    [client, api_id, tags = target.tags] {
                      aws::ApiGatewayV2(*client).create_stage(*api_id, "$default", true, tags);
                    }});
  }
  // Permissions: one statement per function, for the whole API.
  std::set<std::string> done;
  for (const auto& r : routes) {
    if (!done.insert(r.function->name).second) continue;
    std::string sid(kHttpApiSid);
    if (api) {
      permissions.ensure(plan, *r.function, sid, "apigateway.amazonaws.com", execute_arn(target, api->id),
                         "");
    } else {
      permissions.ensure(plan, *r.function, sid, "apigateway.amazonaws.com", "", "",
                         [api_id, t = target] { return execute_arn(t, *api_id); });
    }
  }
  for (const auto& f : target.functions) {
    if (!done.count(f.name)) permissions.remove_stale(plan, f, kHttpApiSid);
  }
  return plan;
}

Plan plan_remove_http(const Target& target, const manifest::Service&) {
  Plan plan;
  if (auto api = our_api(target)) {
    aws::Client* client = target.client;
    plan.push_back({"delete HTTP API " + api->name + " (" + api->id + ")",
                    [client, id = api->id] { aws::ApiGatewayV2(*client).delete_api(id); }});
  }
  return plan;
}

void describe_http(const Target& target, const manifest::Service& service, std::vector<Endpoint>& out) {
  auto api = our_api(target);
  if (!api) return;
  aws::ApiGatewayV2 gateway(*target.client);
  std::string base = api->endpoint;
  if (target.client->endpoint("apigatewayv2").source == "default") {
    base = "https://" + api->id + ".execute-api." + target.region +
           (target.region.starts_with("cn-") ? ".amazonaws.com.cn" : ".amazonaws.com");
  }
  std::map<std::string, std::string> uri_by_integration;
  for (const auto& i : gateway.integrations(api->id)) uri_by_integration[i.id] = i.uri;
  std::map<std::string, std::string> kind_by_route;
  for (const auto& r : desired_routes(target, service)) kind_by_route[r.key] = r.kind;
  for (const auto& r : gateway.routes(api->id)) {
    std::string uri = r.target.starts_with("integrations/") ? uri_by_integration[r.target.substr(13)] : "";
    std::string function_key;
    for (const auto& f : target.functions) {
      if (f.arn == uri) function_key = f.key;
    }
    std::string path = r.key == "$default" ? "/" : r.key.substr(r.key.find(' ') + 1);
    auto kind = kind_by_route.find(r.key);
    out.push_back({kind == kind_by_route.end() ? "httpApi" : kind->second, function_key,
                   r.key == "$default" ? "ANY /*" : r.key, base + path});
  }
}

}  // namespace stratus::deploy::triggers_detail
