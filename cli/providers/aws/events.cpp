#include "cli/providers/aws/events.hpp"

#include <nlohmann/json.hpp>

#include "cli/providers/aws/call.hpp"

namespace stratus::aws {

namespace {

using nlohmann::json;

std::string string_at(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

EventRule read_rule(const json& r) {
  return {string_at(r, "Name"), string_at(r, "Arn"), string_at(r, "ScheduleExpression"),
          string_at(r, "State"), string_at(r, "Description")};
}

}  // namespace

Response EventBridge::call(const std::string& operation, const std::string& body, const std::string& doing) {
  return call_checked(m_client, "events",
                      {"POST", "/", {}, json_target_headers("1.1", "AWSEvents." + operation), body}, doing);
}

std::vector<EventRule> EventBridge::rules(const std::string& prefix) {
  std::vector<EventRule> out;
  std::string token;
  for (int page = 0; page < 1000; ++page) {
    json body = {{"NamePrefix", prefix}};
    if (!token.empty()) body["NextToken"] = token;
    json answer = json::parse(
        call("ListRules", body.dump(), "list EventBridge rules named " + prefix + "*").body, nullptr, false);
    if (auto it = answer.find("Rules"); it != answer.end() && it->is_array()) {
      for (const auto& r : *it) out.push_back(read_rule(r));
    }
    token = string_at(answer, "NextToken");
    if (token.empty()) break;
  }
  return out;
}

std::optional<EventRule> EventBridge::rule(const std::string& name) {
  Request request{
      "POST", "/", {}, json_target_headers("1.1", "AWSEvents.DescribeRule"), json{{"Name", name}}.dump()};
  Response r = m_client.call("events", request);
  if (!r.ok() && r.error() && r.error()->code == "ResourceNotFoundException") return std::nullopt;
  if (!r.ok()) throw_call_error(r, "read EventBridge rule " + name);
  return read_rule(json::parse(r.body, nullptr, false));
}

std::string EventBridge::put_rule(const EventRule& rule, const std::map<std::string, std::string>& tags) {
  json body = {{"Name", rule.name},
               {"ScheduleExpression", rule.schedule_expression},
               {"State", rule.state},
               {"Description", rule.description}};
  if (!tags.empty()) {
    body["Tags"] = json::array();
    for (const auto& [k, v] : tags) body["Tags"].push_back({{"Key", k}, {"Value", v}});
  }
  return string_at(
      json::parse(call("PutRule", body.dump(), "put EventBridge rule " + rule.name).body, nullptr, false),
      "RuleArn");
}

std::map<std::string, std::string> EventBridge::tags(const std::string& arn) {
  json answer = json::parse(
      call("ListTagsForResource", json{{"ResourceARN", arn}}.dump(), "read the tags of " + arn).body, nullptr,
      false);
  std::map<std::string, std::string> out;
  if (auto it = answer.find("Tags"); it != answer.end() && it->is_array()) {
    for (const auto& t : *it) out[string_at(t, "Key")] = string_at(t, "Value");
  }
  return out;
}

std::vector<EventTarget> EventBridge::targets(const std::string& rule) {
  std::vector<EventTarget> out;
  std::string token;
  for (int page = 0; page < 1000; ++page) {
    json body = {{"Rule", rule}};
    if (!token.empty()) body["NextToken"] = token;
    json answer = json::parse(
        call("ListTargetsByRule", body.dump(), "list the targets of EventBridge rule " + rule).body, nullptr,
        false);
    if (auto it = answer.find("Targets"); it != answer.end() && it->is_array()) {
      for (const auto& t : *it) {
        EventTarget target{string_at(t, "Id"), string_at(t, "Arn"), string_at(t, "Input"),
                           string_at(t, "InputPath"), ""};
        if (auto tr = t.find("InputTransformer"); tr != t.end() && tr->is_object()) {
          json canonical = {{"InputTemplate", string_at(*tr, "InputTemplate")}};
          if (auto m = tr->find("InputPathsMap"); m != tr->end() && m->is_object() && !m->empty())
            canonical["InputPathsMap"] = *m;
          target.input_transformer = canonical.dump();
        }
        out.push_back(std::move(target));
      }
    }
    token = string_at(answer, "NextToken");
    if (token.empty()) break;
  }
  return out;
}

void EventBridge::put_target(const std::string& rule, const EventTarget& target) {
  json t = {{"Id", target.id}, {"Arn", target.arn}};
  if (!target.input.empty()) t["Input"] = target.input;
  if (!target.input_path.empty()) t["InputPath"] = target.input_path;
  if (!target.input_transformer.empty()) t["InputTransformer"] = json::parse(target.input_transformer);
  json answer = json::parse(call("PutTargets", json{{"Rule", rule}, {"Targets", json::array({t})}}.dump(),
                                 "put the target of EventBridge rule " + rule)
                                .body,
                            nullptr, false);
  if (auto it = answer.find("FailedEntryCount");
      it != answer.end() && it->is_number() && it->get<int>() > 0) {
    throw UserError(
        "cannot put the target of EventBridge rule " + rule + ": " + answer["FailedEntries"].dump(),
        kExitFailure);
  }
}

void EventBridge::remove_targets(const std::string& rule, const std::vector<std::string>& ids) {
  if (ids.empty()) return;
  call("RemoveTargets", json{{"Rule", rule}, {"Ids", ids}}.dump(),
       "remove the targets of EventBridge rule " + rule);
}

void EventBridge::delete_rule(const std::string& name) {
  Request request{
      "POST", "/", {}, json_target_headers("1.1", "AWSEvents.DeleteRule"), json{{"Name", name}}.dump()};
  Response r = m_client.call("events", request);
  if (r.ok() || (r.error() && r.error()->code == "ResourceNotFoundException")) return;
  throw_call_error(r, "delete EventBridge rule " + name);
}

}  // namespace stratus::aws
