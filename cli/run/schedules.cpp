#include "cli/run/schedules.hpp"

#include <cctype>
#include <nlohmann/json.hpp>

#include "cli/manifest/emit.hpp"
#include "cli/manifest/model.hpp"

namespace stratus::run {

namespace {

using triggers::schedule::TargetInput;

TargetInput target_input(const manifest::ScheduleEvent& e, const std::string& where,
                         std::vector<std::string>& warnings) {
  TargetInput in;
  if (e.input) {
    in.kind = TargetInput::Kind::constant;
    if (e.input->is_string()) {
      // EventBridge's Input is JSON text; a string that is not JSON would be refused at deploy.
      in.constant = e.input->as_string();
      if (!nlohmann::json::accept(in.constant)) {
        warnings.push_back(where +
                           ".input is not JSON text (EventBridge requires it); sent as a JSON string");
        in.constant = nlohmann::json(in.constant).dump();
      }
    } else {
      nlohmann::ordered_json value = nlohmann::ordered_json::parse(manifest::to_json(*e.input, -1));
      if (value.is_object() && value.contains("body") && value["body"].is_string()) {
        auto body = nlohmann::ordered_json::parse(value["body"].get<std::string>(), nullptr, false);
        if (!body.is_discarded()) value["body"] = body;
      }
      in.constant = value.dump();
    }
  } else if (!e.input_path.empty()) {
    in.kind = TargetInput::Kind::path;
    in.path = e.input_path;
  } else if (e.input_transformer && e.input_transformer->is_map()) {
    in.kind = TargetInput::Kind::transformer;
    if (const auto* t = e.input_transformer->find("inputTemplate")) in.input_template = t->to_text();
    if (const auto* map = e.input_transformer->find("inputPathsMap"); map && map->is_map())
      for (const auto& entry : map->entries()) in.paths_map.emplace_back(entry.key, entry.value.to_text());
  }
  return in;
}

}  // namespace

std::string schedule_logical_id(const std::string& function_key, int n) {
  std::string id;
  for (char c : function_key) {
    if (c == '-')
      id += "Dash";
    else if (c == '_')
      id += "Underscore";
    else
      id += c;
  }
  if (!id.empty()) id[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(id[0])));
  return id + "EventsRuleSchedule" + std::to_string(n);
}

ScheduleRules schedule_rules(const manifest::Service& service) {
  ScheduleRules out;
  for (const auto& fn : service.functions) {
    int n = 0;
    for (std::size_t i = 0; i < fn.events.size(); ++i) {
      const auto* e = std::get_if<manifest::ScheduleEvent>(&fn.events[i].detail);
      if (!e) continue;
      const std::string where = "functions." + fn.key + ".events[" + std::to_string(i) + "].schedule";
      const TargetInput input = target_input(*e, where, out.warnings);
      for (std::size_t k = 0; k < e->expressions.size(); ++k) {
        ++n;
        triggers::schedule::Rule rule;
        if (!e->name.empty())
          rule.name = k == 0 ? e->name : e->name + "-" + std::to_string(k + 1);
        else
          rule.name = service.name + "-" + service.provider.stage + "-" + schedule_logical_id(fn.key, n);
        rule.function = fn.name;
        rule.expression = e->expressions[k];
        rule.enabled = e->enabled;
        rule.input = input;
        out.rules.push_back(std::move(rule));
      }
    }
  }
  return out;
}

}  // namespace stratus::run
