#include "cli/providers/aws/lambda.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/errors.hpp"
#include "cli/providers/aws/call.hpp"
#include "emulator/common/base64.hpp"

namespace stratus::aws {

namespace {

using Json = nlohmann::json;

const Headers kJson = {{"Content-Type", "application/json"}};

std::string function_path(const std::string& name, const char* version = "2015-03-31") {
  return std::string("/") + version + "/functions/" + auth::uri_encode(name);
}

Response send(Client& client, const Request& request, const std::string& doing) {
  return call_checked(client, "lambda", request, doing);
}

Json parse_body(const Response& response, const std::string& doing) {
  Json doc = Json::parse(response.body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    throw UserError("cannot " + doing + ": the answer is not a JSON object", kExitFailure);
  return doc;
}

std::string str(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

int integer(const Json& j, const char* key, int fallback) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<int>() : fallback;
}

LambdaFunction from_json(const Json& c) {
  LambdaFunction f;
  f.name = str(c, "FunctionName");
  f.arn = str(c, "FunctionArn");
  f.settings.runtime = str(c, "Runtime");
  f.settings.handler = str(c, "Handler");
  f.settings.role = str(c, "Role");
  f.settings.description = str(c, "Description");
  f.settings.memory_size = integer(c, "MemorySize", 128);
  f.settings.timeout = integer(c, "Timeout", 3);
  if (auto a = c.find("Architectures"); a != c.end() && a->is_array() && !a->empty() && (*a)[0].is_string())
    f.settings.architecture = (*a)[0].get<std::string>();
  if (auto e = c.find("EphemeralStorage"); e != c.end() && e->is_object())
    f.settings.ephemeral_storage = integer(*e, "Size", 512);
  if (auto e = c.find("Environment"); e != c.end() && e->is_object())
    if (auto v = e->find("Variables"); v != e->end() && v->is_object())
      for (const auto& [key, value] : v->items())
        if (value.is_string()) f.settings.environment[key] = value.get<std::string>();
  f.code_sha256 = str(c, "CodeSha256");
  if (auto s = c.find("CodeSize"); s != c.end() && s->is_number_integer()) f.code_size = s->get<long long>();
  f.revision_id = str(c, "RevisionId");
  f.last_modified = str(c, "LastModified");
  f.state = str(c, "State");
  f.state_reason = str(c, "StateReason");
  f.last_update_status = str(c, "LastUpdateStatus");
  f.last_update_reason = str(c, "LastUpdateStatusReason");
  if (!str(c, "PackageType").empty()) f.package_type = str(c, "PackageType");
  if (!str(c, "Version").empty()) f.version = str(c, "Version");
  return f;
}

Json settings_object(const LambdaSettings& s) {
  Json vars = Json::object();
  for (const auto& [k, v] : s.environment) vars[k] = v;
  return Json{{"Runtime", s.runtime},
              {"Handler", s.handler},
              {"Role", s.role},
              {"Description", s.description},
              {"MemorySize", s.memory_size},
              {"Timeout", s.timeout},
              {"EphemeralStorage", {{"Size", s.ephemeral_storage}}},
              {"Environment", {{"Variables", std::move(vars)}}}};
}

LambdaAlias alias_from(const Json& j) {
  return {str(j, "Name"), str(j, "FunctionVersion"), str(j, "AliasArn")};
}

ProvisionedConcurrency provisioned_from(const Json& j) {
  return {integer(j, "RequestedProvisionedConcurrentExecutions", 0),
          integer(j, "AllocatedProvisionedConcurrentExecutions", 0),
          integer(j, "AvailableProvisionedConcurrentExecutions", 0), str(j, "Status"),
          str(j, "StatusReason")};
}

FunctionUrl url_from(const Json& j) {
  return {str(j, "FunctionUrl"), str(j, "AuthType")};
}

}  // namespace

LambdaFunction parse_function_configuration(const std::string& json) {
  Json doc = Json::parse(json, nullptr, false);
  return doc.is_object() ? from_json(doc) : LambdaFunction{};
}

std::string settings_json(const LambdaSettings& settings) {
  return settings_object(settings).dump();
}

std::optional<LambdaFunctionInfo> LambdaApi::get_function(const std::string& name) {
  const std::string doing = "read function " + name + " (GetFunction)";
  Response response = m_client.call("lambda", {"GET", function_path(name), {}, {}, ""});
  if (auto error = response.error()) {
    if (error->status == 404 || error->code == "ResourceNotFoundException") return std::nullopt;
    throw_call_error(response, doing);
  }
  Json doc = parse_body(response, doing);
  LambdaFunctionInfo info;
  if (auto c = doc.find("Configuration"); c != doc.end() && c->is_object()) info.function = from_json(*c);
  if (auto t = doc.find("Tags"); t != doc.end() && t->is_object())
    for (const auto& [k, v] : t->items())
      if (v.is_string()) info.tags[k] = v.get<std::string>();
  if (auto c = doc.find("Concurrency"); c != doc.end() && c->is_object())
    if (auto r = c->find("ReservedConcurrentExecutions"); r != c->end() && r->is_number_integer())
      info.reserved_concurrency = r->get<int>();
  return info;
}

LambdaFunction LambdaApi::get_function_configuration(const std::string& name, const std::string& qualifier) {
  const std::string doing =
      "read function " + name + (qualifier.empty() ? "" : ":" + qualifier) + " (GetFunctionConfiguration)";
  Request request{"GET", function_path(name) + "/configuration", {}, {}, ""};
  if (!qualifier.empty()) request.query.emplace_back("Qualifier", qualifier);
  return from_json(parse_body(send(m_client, request, doing), doing));
}

std::vector<LambdaFunction> LambdaApi::list_functions() {
  std::vector<LambdaFunction> out;
  std::string marker;
  // Bounded: 50 per page, so 2,000 pages is 100,000 functions, far past any account's quota.
  for (int page = 0; page < 2000; ++page) {
    Request request{"GET", "/2015-03-31/functions", {{"MaxItems", "50"}}, {}, ""};
    if (!marker.empty()) request.query.emplace_back("Marker", marker);
    Json doc = parse_body(send(m_client, request, "list functions (ListFunctions)"),
                          "list functions (ListFunctions)");
    if (auto f = doc.find("Functions"); f != doc.end() && f->is_array())
      for (const auto& c : *f)
        if (c.is_object()) out.push_back(from_json(c));
    marker = str(doc, "NextMarker");
    if (marker.empty()) break;
  }
  return out;
}

LambdaFunction LambdaApi::create_function(const std::string& name, const LambdaSettings& settings,
                                          const std::string& zip,
                                          const std::map<std::string, std::string>& tags) {
  Json body = settings_object(settings);
  body["FunctionName"] = name;
  body["Architectures"] = Json::array({settings.architecture});
  body["PackageType"] = "Zip";
  body["Code"] = {{"ZipFile", base64_encode(zip)}};
  Json tag_object = Json::object();
  for (const auto& [k, v] : tags) tag_object[k] = v;
  body["Tags"] = std::move(tag_object);
  const std::string doing = "create function " + name + " (CreateFunction)";
  return from_json(
      parse_body(send(m_client, {"POST", "/2015-03-31/functions", {}, kJson, body.dump()}, doing), doing));
}

LambdaFunction LambdaApi::update_function_code(const std::string& name, const std::string& zip) {
  const std::string doing = "update the code of " + name + " (UpdateFunctionCode)";
  Json body = {{"ZipFile", base64_encode(zip)}};
  return from_json(parse_body(
      send(m_client, {"PUT", function_path(name) + "/code", {}, kJson, body.dump()}, doing), doing));
}

LambdaFunction LambdaApi::update_function_configuration(const std::string& name,
                                                        const LambdaSettings& settings) {
  const std::string doing = "update the configuration of " + name + " (UpdateFunctionConfiguration)";
  return from_json(parse_body(
      send(m_client, {"PUT", function_path(name) + "/configuration", {}, kJson, settings_json(settings)},
           doing),
      doing));
}

void LambdaApi::delete_function(const std::string& name) {
  send(m_client, {"DELETE", function_path(name), {}, {}, ""},
       "delete function " + name + " (DeleteFunction)");
}

LambdaFunction LambdaApi::wait_active(const std::string& name) {
  return wait_for(name, true);
}
LambdaFunction LambdaApi::wait_updated(const std::string& name) {
  return wait_for(name, false);
}

LambdaFunction LambdaApi::wait_for(const std::string& name, bool creating) {
  auto sleep =
      m_wait.sleep ? m_wait.sleep : [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  std::chrono::milliseconds delay = m_wait.first_delay;
  std::chrono::milliseconds waited{0};
  for (;;) {
    LambdaFunction f = get_function_configuration(name);
    const std::string& status = creating ? f.state : f.last_update_status;
    const std::string& reason = creating ? f.state_reason : f.last_update_reason;
    if (status == "Failed")
      throw UserError("Lambda: function " + name +
                          (creating ? " failed to become active" : " failed to update") +
                          (reason.empty() ? std::string() : ": " + reason),
                      kExitFailure);
    // Emulators that do not report the state are taken as done.
    if (status != "Pending" && status != "InProgress") return f;
    if (waited >= m_wait.timeout)
      throw UserError("Lambda: function " + name + " is still " + status + " after " +
                          std::to_string(waited.count() / 1000) +
                          " s; check it in the console and deploy again",
                      kExitFailure);
    sleep(delay);
    waited += delay;
    delay = std::min(delay * 2, m_wait.max_delay);
  }
}

void LambdaApi::put_concurrency(const std::string& name, int reserved) {
  Json body = {{"ReservedConcurrentExecutions", reserved}};
  send(m_client, {"PUT", function_path(name, "2017-10-31") + "/concurrency", {}, kJson, body.dump()},
       "set the reserved concurrency of " + name + " (PutFunctionConcurrency)");
}

void LambdaApi::delete_concurrency(const std::string& name) {
  send(m_client, {"DELETE", function_path(name, "2017-10-31") + "/concurrency", {}, {}, ""},
       "remove the reserved concurrency of " + name + " (DeleteFunctionConcurrency)");
}

LambdaFunction LambdaApi::publish_version(const std::string& name, const std::string& code_sha256) {
  const std::string doing = "publish a version of " + name + " (PublishVersion)";
  Json body = {{"CodeSha256", code_sha256}};
  return from_json(parse_body(
      send(m_client, {"POST", function_path(name) + "/versions", {}, kJson, body.dump()}, doing), doing));
}

std::optional<LambdaAlias> LambdaApi::get_alias(const std::string& name, const std::string& alias) {
  const std::string doing = "read alias " + alias + " of " + name + " (GetAlias)";
  Response response = m_client.call(
      "lambda", {"GET", function_path(name) + "/aliases/" + auth::uri_encode(alias), {}, {}, ""});
  if (response.status == 404) return std::nullopt;
  if (!response.ok()) throw_call_error(response, doing);
  return alias_from(parse_body(response, doing));
}

LambdaAlias LambdaApi::create_alias(const std::string& name, const std::string& alias,
                                    const std::string& version) {
  const std::string doing = "create alias " + alias + " of " + name + " (CreateAlias)";
  Json body = {{"Name", alias}, {"FunctionVersion", version}};
  return alias_from(parse_body(
      send(m_client, {"POST", function_path(name) + "/aliases", {}, kJson, body.dump()}, doing), doing));
}

LambdaAlias LambdaApi::update_alias(const std::string& name, const std::string& alias,
                                    const std::string& version) {
  const std::string doing =
      "point alias " + alias + " of " + name + " at version " + version + " (UpdateAlias)";
  Json body = {{"FunctionVersion", version}};
  return alias_from(parse_body(
      send(m_client,
           {"PUT", function_path(name) + "/aliases/" + auth::uri_encode(alias), {}, kJson, body.dump()},
           doing),
      doing));
}

void LambdaApi::delete_alias(const std::string& name, const std::string& alias) {
  send(m_client, {"DELETE", function_path(name) + "/aliases/" + auth::uri_encode(alias), {}, {}, ""},
       "delete alias " + alias + " of " + name + " (DeleteAlias)");
}

std::optional<ProvisionedConcurrency> LambdaApi::get_provisioned(const std::string& name,
                                                                 const std::string& qualifier) {
  const std::string doing =
      "read the provisioned concurrency of " + name + ":" + qualifier + " (GetProvisionedConcurrencyConfig)";
  Response response = m_client.call("lambda", {"GET",
                                               function_path(name, "2019-09-30") + "/provisioned-concurrency",
                                               {{"Qualifier", qualifier}},
                                               {},
                                               ""});
  if (response.status == 404) return std::nullopt;  // ProvisionedConcurrencyConfigNotFoundException
  if (!response.ok()) throw_call_error(response, doing);
  return provisioned_from(parse_body(response, doing));
}

ProvisionedConcurrency LambdaApi::put_provisioned(const std::string& name, const std::string& qualifier,
                                                  int count) {
  const std::string doing = "set the provisioned concurrency of " + name + ":" + qualifier + " to " +
                            std::to_string(count) + " (PutProvisionedConcurrencyConfig)";
  Json body = {{"ProvisionedConcurrentExecutions", count}};
  return provisioned_from(parse_body(send(m_client,
                                          {"PUT",
                                           function_path(name, "2019-09-30") + "/provisioned-concurrency",
                                           {{"Qualifier", qualifier}},
                                           kJson,
                                           body.dump()},
                                          doing),
                                     doing));
}

void LambdaApi::delete_provisioned(const std::string& name, const std::string& qualifier) {
  send(m_client,
       {"DELETE",
        function_path(name, "2019-09-30") + "/provisioned-concurrency",
        {{"Qualifier", qualifier}},
        {},
        ""},
       "remove the provisioned concurrency of " + name + ":" + qualifier +
           " (DeleteProvisionedConcurrencyConfig)");
}

std::optional<EventInvokeConfig> LambdaApi::get_event_invoke_config(const std::string& name) {
  const std::string doing =
      "read the asynchronous invocation settings of " + name + " (GetFunctionEventInvokeConfig)";
  Response response = m_client.call(
      "lambda", {"GET", function_path(name, "2019-09-25") + "/event-invoke-config", {}, {}, ""});
  if (response.status == 404) return std::nullopt;
  if (!response.ok()) throw_call_error(response, doing);
  Json doc = parse_body(response, doing);
  EventInvokeConfig c;
  if (auto r = doc.find("MaximumRetryAttempts"); r != doc.end() && r->is_number_integer())
    c.maximum_retry_attempts = r->get<int>();
  if (auto a = doc.find("MaximumEventAgeInSeconds"); a != doc.end() && a->is_number_integer())
    c.maximum_event_age = a->get<int>();
  if (auto d = doc.find("DestinationConfig"); d != doc.end() && d->is_object()) {
    if (auto ok = d->find("OnSuccess"); ok != d->end() && ok->is_object())
      c.on_success = str(*ok, "Destination");
    if (auto bad = d->find("OnFailure"); bad != d->end() && bad->is_object())
      c.on_failure = str(*bad, "Destination");
  }
  return c;
}

void LambdaApi::put_event_invoke_config(const std::string& name, const EventInvokeConfig& config) {
  Json body = Json::object();
  if (config.maximum_retry_attempts) body["MaximumRetryAttempts"] = *config.maximum_retry_attempts;
  if (config.maximum_event_age) body["MaximumEventAgeInSeconds"] = *config.maximum_event_age;
  Json destinations = Json::object();
  if (!config.on_success.empty()) destinations["OnSuccess"] = {{"Destination", config.on_success}};
  if (!config.on_failure.empty()) destinations["OnFailure"] = {{"Destination", config.on_failure}};
  body["DestinationConfig"] = std::move(destinations);
  send(m_client, {"PUT", function_path(name, "2019-09-25") + "/event-invoke-config", {}, kJson, body.dump()},
       "set the asynchronous invocation settings of " + name + " (PutFunctionEventInvokeConfig)");
}

void LambdaApi::delete_event_invoke_config(const std::string& name) {
  send(m_client, {"DELETE", function_path(name, "2019-09-25") + "/event-invoke-config", {}, {}, ""},
       "remove the asynchronous invocation settings of " + name + " (DeleteFunctionEventInvokeConfig)");
}

void LambdaApi::tag(const std::string& arn, const std::map<std::string, std::string>& tags) {
  Json object = Json::object();
  for (const auto& [k, v] : tags) object[k] = v;
  Json body = {{"Tags", std::move(object)}};
  send(m_client, {"POST", "/2017-03-31/tags/" + auth::uri_encode(arn), {}, kJson, body.dump()},
       "tag " + arn + " (TagResource)");
}

void LambdaApi::untag(const std::string& arn, const std::vector<std::string>& keys) {
  Request request{"DELETE", "/2017-03-31/tags/" + auth::uri_encode(arn), {}, {}, ""};
  for (const auto& k : keys) request.query.emplace_back("tagKeys", k);
  send(m_client, request, "remove tags from " + arn + " (UntagResource)");
}

std::optional<FunctionUrl> LambdaApi::get_url(const std::string& name) {
  const std::string doing = "read the URL of " + name + " (GetFunctionUrlConfig)";
  Response response =
      m_client.call("lambda", {"GET", function_path(name, "2021-10-31") + "/url", {}, {}, ""});
  if (response.status == 404) return std::nullopt;
  if (!response.ok()) throw_call_error(response, doing);
  return url_from(parse_body(response, doing));
}

FunctionUrl LambdaApi::create_url(const std::string& name, const std::string& auth_type) {
  const std::string doing = "create the URL of " + name + " (CreateFunctionUrlConfig)";
  Json body = {{"AuthType", auth_type}};
  return url_from(parse_body(
      send(m_client, {"POST", function_path(name, "2021-10-31") + "/url", {}, kJson, body.dump()}, doing),
      doing));
}

FunctionUrl LambdaApi::update_url(const std::string& name, const std::string& auth_type) {
  const std::string doing = "update the URL of " + name + " (UpdateFunctionUrlConfig)";
  Json body = {{"AuthType", auth_type}};
  return url_from(parse_body(
      send(m_client, {"PUT", function_path(name, "2021-10-31") + "/url", {}, kJson, body.dump()}, doing),
      doing));
}

void LambdaApi::delete_url(const std::string& name) {
  send(m_client, {"DELETE", function_path(name, "2021-10-31") + "/url", {}, {}, ""},
       "delete the URL of " + name + " (DeleteFunctionUrlConfig)");
}

}  // namespace stratus::aws
