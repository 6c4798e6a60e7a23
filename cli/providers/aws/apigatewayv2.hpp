#pragma once
// API Gateway v2 (HTTP APIs), as a deploy needs it: APIs, routes, Lambda proxy integrations and
// stages. rest-json under /v2; JSON members are lowerCamelCase.
#include <map>
#include <string>
#include <vector>

#include "cli/providers/aws/client.hpp"

namespace stratus::aws {

struct HttpApi {
  std::string id;
  std::string name;
  std::string endpoint;  // ApiEndpoint, "https://<id>.execute-api.<region>.amazonaws.com"
  std::map<std::string, std::string> tags;
  std::string cors;  // canonical_cors() of corsConfiguration; "" when none
};

struct ApiRoute {
  std::string id;
  std::string key;     // "GET /users/{id}", "$default"
  std::string target;  // "integrations/<id>"
};

struct ApiIntegration {
  std::string id;
  std::string uri;  // the function ARN
  std::string payload_format_version;
};

// A CORS configuration as JSON text ({"allowOrigins":[...],...}) in a form two equal configurations
// share: keys sorted, string lists lower-cased and sorted (AWS normalises case), "" for none.
std::string canonical_cors(const std::string& cors_json);

class ApiGatewayV2 {
 public:
  explicit ApiGatewayV2(Client& client) : m_client(client) {}

  std::vector<HttpApi> apis();  // all pages
  // `cors_json`: the corsConfiguration object as JSON text, "" for none. Returns the new API.
  HttpApi create_api(const std::string& name, const std::map<std::string, std::string>& tags,
                     const std::string& cors_json);
  void update_cors(const std::string& api_id, const std::string& cors_json);  // "" deletes it
  void delete_api(const std::string& api_id);                                 // gone already is fine

  std::vector<ApiRoute> routes(const std::string& api_id);
  std::string create_route(const std::string& api_id, const std::string& key, const std::string& target);
  void update_route(const std::string& api_id, const std::string& route_id, const std::string& target);
  void delete_route(const std::string& api_id, const std::string& route_id);

  std::vector<ApiIntegration> integrations(const std::string& api_id);
  std::string create_integration(const std::string& api_id, const std::string& function_arn,
                                 const std::string& payload_format_version);
  void delete_integration(const std::string& api_id, const std::string& integration_id);

  // Names of the API's stages, and whether each auto-deploys.
  std::map<std::string, bool> stages(const std::string& api_id);
  void create_stage(const std::string& api_id, const std::string& name, bool auto_deploy,
                    const std::map<std::string, std::string>& tags);

 private:
  std::vector<std::string> list(const std::string& path, const std::string& doing);  // each item's JSON
  Client& m_client;
};

}  // namespace stratus::aws
