#include "cli/providers/aws/log_groups.hpp"

#include <nlohmann/json.hpp>

#include "cli/providers/aws/call.hpp"

namespace stratus::aws {

namespace {

using nlohmann::json;

json tag_object(const std::map<std::string, std::string>& tags) {
  json out = json::object();
  for (const auto& [k, v] : tags) out[k] = v;
  return out;
}

}  // namespace

Response LogGroups::call(const std::string& action, const std::string& body, const std::string& doing) {
  return call_checked(m_client, "logs",
                      {"POST", "/", {}, json_target_headers("1.1", "Logs_20140328." + action), body},
                      doing + " (" + action + ")");
}

std::optional<LogGroup> LogGroups::find(const std::string& name) {
  json answer = json::parse(
      call("DescribeLogGroups", json{{"logGroupNamePrefix", name}}.dump(), "find log group " + name).body,
      nullptr, false);
  if (!answer.is_object() || !answer.contains("logGroups") || !answer["logGroups"].is_array())
    return std::nullopt;
  for (const auto& g : answer["logGroups"]) {
    if (!g.is_object() || g.value("logGroupName", "") != name) continue;
    LogGroup group{name, std::nullopt};
    if (auto r = g.find("retentionInDays"); r != g.end() && r->is_number_integer())
      group.retention_days = r->get<int>();
    return group;
  }
  return std::nullopt;
}

void LogGroups::create(const std::string& name, const std::map<std::string, std::string>& tags) {
  call("CreateLogGroup", json{{"logGroupName", name}, {"tags", tag_object(tags)}}.dump(),
       "create log group " + name);
}

void LogGroups::put_retention(const std::string& name, int days) {
  call("PutRetentionPolicy", json{{"logGroupName", name}, {"retentionInDays", days}}.dump(),
       "set the retention of log group " + name + " to " + std::to_string(days) + " days");
}

void LogGroups::delete_retention(const std::string& name) {
  call("DeleteRetentionPolicy", json{{"logGroupName", name}}.dump(),
       "remove the retention of log group " + name);
}

std::map<std::string, std::string> LogGroups::tags(const std::string& name) {
  json answer = json::parse(
      call("ListTagsLogGroup", json{{"logGroupName", name}}.dump(), "read the tags of log group " + name)
          .body,
      nullptr, false);
  std::map<std::string, std::string> out;
  if (answer.is_object() && answer.contains("tags") && answer["tags"].is_object())
    for (const auto& [k, v] : answer["tags"].items())
      if (v.is_string()) out[k] = v.get<std::string>();
  return out;
}

void LogGroups::tag(const std::string& name, const std::map<std::string, std::string>& tags) {
  call("TagLogGroup", json{{"logGroupName", name}, {"tags", tag_object(tags)}}.dump(),
       "tag log group " + name);
}

void LogGroups::remove(const std::string& name) {
  Response r = m_client.call("logs", {"POST",
                                      "/",
                                      {},
                                      json_target_headers("1.1", "Logs_20140328.DeleteLogGroup"),
                                      json{{"logGroupName", name}}.dump()});
  if (r.ok() || (r.error() && r.error()->code == "ResourceNotFoundException")) return;
  throw_call_error(r, "delete log group " + name + " (DeleteLogGroup)");
}

}  // namespace stratus::aws
