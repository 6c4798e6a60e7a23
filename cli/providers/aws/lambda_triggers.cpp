#include "cli/providers/aws/lambda_triggers.hpp"

#include <nlohmann/json.hpp>

#include "cli/providers/aws/call.hpp"
#include "emulator/auth/sigv4.hpp"

namespace stratus::aws {

namespace {

using nlohmann::json;

const Headers kJson = {{"Content-Type", "application/json"}};

std::string function_path(const std::string& function) {
  return "/2015-03-31/functions/" + auth::uri_encode(function);
}

std::string string_at(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Condition.<operator>.<key>, whatever operator AWS chose to write it with (ArnLike, ArnEquals, ...).
std::string condition_value(const json& statement, std::string_view key) {
  auto condition = statement.find("Condition");
  if (condition == statement.end() || !condition->is_object()) return "";
  for (const auto& [op, keys] : condition->items()) {
    if (!keys.is_object()) continue;
    for (const auto& [k, v] : keys.items()) {
      if (k.size() == key.size() &&
          std::equal(k.begin(), k.end(), key.begin(),
                     [](char a, char b) {
                       return std::tolower(static_cast<unsigned char>(a)) ==
                              std::tolower(static_cast<unsigned char>(b));
                     }) &&
          v.is_string()) {
        return v.get<std::string>();
      }
    }
  }
  return "";
}

// FilterCriteria as the canonical JSON array of its patterns (object keys sorted by nlohmann).
std::string canonical_filters(const json& criteria) {
  if (!criteria.is_object()) return "";
  auto filters = criteria.find("Filters");
  if (filters == criteria.end() || !filters->is_array() || filters->empty()) return "";
  json patterns = json::array();
  for (const auto& f : *filters) {
    std::string text = string_at(f, "Pattern");
    json parsed = json::parse(text, nullptr, false);
    patterns.push_back(parsed.is_discarded() ? json(text) : parsed);
  }
  return patterns.dump();
}

EventSourceMapping read_mapping(const json& m) {
  EventSourceMapping out;
  out.uuid = string_at(m, "UUID");
  out.function_arn = string_at(m, "FunctionArn");
  out.event_source_arn = string_at(m, "EventSourceArn");
  if (auto it = m.find("BatchSize"); it != m.end() && it->is_number()) out.batch_size = it->get<int>();
  if (auto it = m.find("MaximumBatchingWindowInSeconds"); it != m.end() && it->is_number())
    out.maximum_batching_window = it->get<int>();
  std::string state = string_at(m, "State");
  out.enabled = state != "Disabled" && state != "Disabling";
  if (auto it = m.find("FunctionResponseTypes"); it != m.end() && it->is_array()) {
    for (const auto& t : *it) out.report_batch_item_failures |= t == "ReportBatchItemFailures";
  }
  if (auto it = m.find("FilterCriteria"); it != m.end()) out.filter_criteria = canonical_filters(*it);
  return out;
}

json mapping_settings(const EventSourceMapping& mapping) {
  json body = {{"BatchSize", mapping.batch_size},
               {"MaximumBatchingWindowInSeconds", mapping.maximum_batching_window},
               {"Enabled", mapping.enabled},
               {"FunctionResponseTypes", json::array()}};
  if (mapping.report_batch_item_failures) body["FunctionResponseTypes"].push_back("ReportBatchItemFailures");
  json filters = json::array();
  if (!mapping.filter_criteria.empty()) {
    for (const auto& pattern : json::parse(mapping.filter_criteria))
      filters.push_back({{"Pattern", pattern.dump()}});
  }
  body["FilterCriteria"] = {{"Filters", filters}};
  return body;
}

}  // namespace

std::vector<PolicyStatement> LambdaTriggers::policy(const std::string& function) {
  Response r = m_client.call("lambda", {"GET", function_path(function) + "/policy", {}, {}, ""});
  if (r.status == 404) return {};
  if (!r.ok()) throw_call_error(r, "read the policy of function " + function);
  std::vector<PolicyStatement> out;
  json answer = json::parse(r.body, nullptr, false);
  json document = json::parse(string_at(answer, "Policy"), nullptr, false);
  if (!document.is_object() || !document.contains("Statement")) return out;
  json statements = document["Statement"];
  if (statements.is_object()) statements = json::array({statements});
  for (const auto& s : statements) {
    PolicyStatement st;
    st.sid = string_at(s, "Sid");
    if (auto p = s.find("Principal"); p != s.end()) {
      if (p->is_object())
        st.principal = string_at(*p, "Service");
      else if (p->is_string())
        st.principal = p->get<std::string>();
    }
    st.source_arn = condition_value(s, "AWS:SourceArn");
    st.source_account = condition_value(s, "AWS:SourceAccount");
    out.push_back(std::move(st));
  }
  return out;
}

void LambdaTriggers::add_permission(const PermissionRequest& request) {
  json body = {{"StatementId", request.sid}, {"Action", request.action}, {"Principal", request.principal}};
  if (!request.source_arn.empty()) body["SourceArn"] = request.source_arn;
  if (!request.source_account.empty()) body["SourceAccount"] = request.source_account;
  if (!request.function_url_auth_type.empty()) body["FunctionUrlAuthType"] = request.function_url_auth_type;
  if (request.invoked_via_function_url) body["InvokedViaFunctionUrl"] = true;
  Response r =
      m_client.call("lambda", {"POST", function_path(request.function) + "/policy", {}, kJson, body.dump()});
  if (r.ok() || (request.exists_ok && r.error() && r.error()->code == "ResourceConflictException")) return;
  const std::string via = request.action == "lambda:InvokeFunction" ? "" : " (" + request.action + ")";
  throw_call_error(r, "allow " + request.principal + " to invoke function " + request.function + via);
}

void LambdaTriggers::allow_public_url(const std::string& function) {
  PermissionRequest request;
  request.function = function;
  request.principal = "*";
  request.exists_ok = true;
  request.sid = "stratus-url-invoke-url";
  request.action = "lambda:InvokeFunctionUrl";
  request.function_url_auth_type = "NONE";
  add_permission(request);
  request.sid = "stratus-url-invoke";
  request.action = "lambda:InvokeFunction";
  request.function_url_auth_type.clear();
  request.invoked_via_function_url = true;
  add_permission(request);
}

void LambdaTriggers::remove_permission(const std::string& function, const std::string& sid) {
  Request request{"DELETE", function_path(function) + "/policy/" + auth::uri_encode(sid), {}, {}, ""};
  Response r = m_client.call("lambda", request);
  if (r.ok() || r.status == 404) return;
  throw_call_error(r, "remove permission " + sid + " from function " + function);
}

std::vector<EventSourceMapping> LambdaTriggers::list_mappings(const std::string& key,
                                                              const std::string& value,
                                                              bool missing_is_empty) {
  std::vector<EventSourceMapping> out;
  std::string marker;
  for (int page = 0; page < 1000; ++page) {
    Request request{"GET", "/2015-03-31/event-source-mappings/", {{key, value}}, {}, ""};
    if (!marker.empty()) request.query.emplace_back("Marker", marker);
    Response r = m_client.call("lambda", request);
    if (missing_is_empty && r.status == 404) return out;
    if (!r.ok()) throw_call_error(r, "list the event source mappings of " + value);
    json answer = json::parse(r.body, nullptr, false);
    if (auto it = answer.find("EventSourceMappings"); it != answer.end() && it->is_array()) {
      for (const auto& m : *it) out.push_back(read_mapping(m));
    }
    marker = string_at(answer, "NextMarker");
    if (marker.empty()) break;
  }
  return out;
}

std::vector<EventSourceMapping> LambdaTriggers::mappings_for_source(const std::string& event_source_arn) {
  return list_mappings("EventSourceArn", event_source_arn, false);
}

std::vector<EventSourceMapping> LambdaTriggers::mappings_for_function(const std::string& function) {
  return list_mappings("FunctionName", function, true);
}

std::string LambdaTriggers::create_mapping(const EventSourceMapping& mapping) {
  json body = mapping_settings(mapping);
  body["FunctionName"] = mapping.function_arn;
  body["EventSourceArn"] = mapping.event_source_arn;
  if (mapping.filter_criteria.empty()) body.erase("FilterCriteria");
  Response r = call_checked(
      m_client, "lambda", {"POST", "/2015-03-31/event-source-mappings/", {}, kJson, body.dump()},
      "create the event source mapping from " + mapping.event_source_arn + " to " + mapping.function_arn);
  return string_at(json::parse(r.body, nullptr, false), "UUID");
}

void LambdaTriggers::update_mapping(const EventSourceMapping& mapping) {
  call_checked(m_client, "lambda",
               {"PUT",
                "/2015-03-31/event-source-mappings/" + auth::uri_encode(mapping.uuid),
                {},
                kJson,
                mapping_settings(mapping).dump()},
               "update the event source mapping " + mapping.uuid + " from " + mapping.event_source_arn);
}

void LambdaTriggers::delete_mapping(const std::string& uuid) {
  Request request{"DELETE", "/2015-03-31/event-source-mappings/" + auth::uri_encode(uuid), {}, {}, ""};
  Response r = m_client.call("lambda", request);
  if (r.ok() || r.status == 404) return;
  throw_call_error(r, "delete the event source mapping " + uuid);
}

}  // namespace stratus::aws
