#include "emulator/triggers/schedule/scheduled_event.hpp"

#include <cctype>

#include "emulator/common/utc_time.hpp"

namespace stratus::triggers::schedule {

namespace {

using Json = nlohmann::ordered_json;

bool name_char(char c) {
  return c != '.' && c != '[' && c != ']' && c != '*' && c != '$' && c > ' ';
}

// Walks `path` over `doc`; with doc == nullptr only checks the syntax. Returns the node, or nullptr.
const Json* walk(const Json* doc, std::string_view path, bool& valid) {
  valid = false;
  if (path.empty() || path[0] != '$') return nullptr;
  std::size_t i = 1;
  const Json* node = doc;
  while (i < path.size()) {
    if (path[i] == '.') {
      std::size_t end = ++i;
      while (end < path.size() && name_char(path[end])) ++end;
      if (end == i) return nullptr;
      const std::string key(path.substr(i, end - i));
      if (node) node = node->is_object() && node->contains(key) ? &(*node)[key] : nullptr;
      i = end;
    } else if (path[i] == '[') {
      std::size_t end = ++i;
      while (end < path.size() && std::isdigit(static_cast<unsigned char>(path[end]))) ++end;
      if (end == i || end >= path.size() || path[end] != ']' || end - i > 9) return nullptr;
      const std::size_t index = std::stoul(std::string(path.substr(i, end - i)));
      if (node) node = node->is_array() && index < node->size() ? &(*node)[index] : nullptr;
      i = end + 1;
    } else {
      return nullptr;
    }
  }
  valid = true;
  return node;
}

// A string's JSON escape without the quotes: what goes between the quotes of a template string.
std::string escaped(const std::string& text) {
  const std::string quoted = Json(text).dump();
  return quoted.substr(1, quoted.size() - 2);
}

bool variable_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
}

std::string transform(const TargetInput& input, const Json& event, const std::string& rule_name) {
  // The variables: InputPathsMap's, then EventBridge's predefined ones. `raw` ones go in as they are,
  // wherever they stand (EventBridge does not escape the event copies).
  struct Variable {
    std::optional<Json> value;
    bool raw = false;
  };
  std::vector<std::pair<std::string, Variable>> vars;
  for (const auto& [name, path] : input.paths_map) vars.push_back({name, {select(event, path), false}});
  const std::string arn = event.contains("resources") && !event["resources"].empty()
                              ? event["resources"][0].get<std::string>()
                              : std::string();
  Json without_detail = event;
  without_detail.erase("detail");
  vars.push_back({"aws.events.rule-arn", {Json(arn), false}});
  vars.push_back({"aws.events.rule-name", {Json(rule_name), false}});
  vars.push_back({"aws.events.event.ingestion-time", {event.value("time", Json()), false}});
  vars.push_back({"aws.events.event", {without_detail, true}});
  vars.push_back({"aws.events.event.json", {event, true}});

  const std::string& t = input.input_template;
  const std::size_t first = t.find_first_not_of(" \t\r\n");
  const bool json_template =
      first != std::string::npos && (t[first] == '{' || t[first] == '[' || t[first] == '"');
  std::string out;
  bool in_string = false;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    if (in_string && c == '\\' && i + 1 < t.size()) {
      out += c;
      out += t[++i];
      continue;
    }
    if (c == '"') in_string = !in_string;
    if (c != '<') {
      out += c;
      continue;
    }
    std::size_t end = i + 1;
    while (end < t.size() && variable_char(t[end])) ++end;
    const Variable* var = nullptr;
    if (end < t.size() && t[end] == '>')
      for (const auto& [name, v] : vars)
        if (name == t.substr(i + 1, end - i - 1)) {
          var = &v;
          break;
        }
    if (!var) {
      out += c;
      continue;
    }
    i = end;
    if (var->raw) {
      out += var->value->dump();
    } else if (!var->value) {
      out += in_string ? "" : "null";
    } else if (in_string) {
      out += escaped(var->value->is_string() ? var->value->get<std::string>() : var->value->dump());
    } else if (!json_template && var->value->is_string()) {
      out += var->value->get<std::string>();
    } else {
      out += var->value->dump();
    }
  }
  return out;
}

}  // namespace

std::string rule_arn(const std::string& region, const std::string& account, const std::string& rule) {
  return "arn:aws:events:" + region + ":" + account + ":rule/" + rule;
}

nlohmann::ordered_json scheduled_event(const std::string& id, std::int64_t time_unix_s,
                                       const std::string& region, const std::string& account,
                                       const std::string& rule_arn) {
  Json event;
  event["version"] = "0";
  event["id"] = id;
  event["detail-type"] = "Scheduled Event";
  event["source"] = "aws.events";
  event["account"] = account;
  event["time"] = format_iso8601(time_unix_s);
  event["region"] = region;
  event["resources"] = Json::array({rule_arn});
  event["detail"] = Json::object();
  return event;
}

bool valid_json_path(std::string_view path) {
  bool valid = false;
  walk(nullptr, path, valid);
  return valid;
}

std::optional<nlohmann::ordered_json> select(const nlohmann::ordered_json& doc, std::string_view path) {
  bool valid = false;
  const Json* node = walk(&doc, path, valid);
  if (!valid || !node) return std::nullopt;
  return *node;
}

std::string target_payload(const TargetInput& input, const nlohmann::ordered_json& event,
                           const std::string& rule_name) {
  switch (input.kind) {
    case TargetInput::Kind::constant: return input.constant;
    case TargetInput::Kind::path: {
      const auto part = select(event, input.path);
      return part ? part->dump() : "null";
    }
    case TargetInput::Kind::transformer: return transform(input, event, rule_name);
    case TargetInput::Kind::event: break;
  }
  return event.dump();
}

}  // namespace stratus::triggers::schedule
