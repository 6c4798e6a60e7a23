// schedule events -> EventBridge rules on the default bus, each with one target (the function)
// and a Lambda permission for events.amazonaws.com.
#include <nlohmann/json.hpp>

#include "cli/deploy/triggers_internal.hpp"
#include "cli/providers/aws/events.hpp"

namespace stratus::deploy::triggers_detail {

namespace {

constexpr const char* kTargetId = "stratus-function";

struct DesiredRule {
  const FunctionTarget* function = nullptr;
  aws::EventRule rule;
  aws::EventTarget target;
};

std::string rule_prefix(const Target& target) {
  return fit(sanitize(target.service + "-" + target.stage + "-"), 48);
}

std::string input_transformer_json(const manifest::Value& value) {
  nlohmann::json given = nlohmann::json::parse(value.to_text(), nullptr, false);
  if (!given.is_object()) return "";
  nlohmann::json out = {{"InputTemplate", given.value("inputTemplate", "")}};
  if (auto m = given.find("inputPathsMap"); m != given.end() && m->is_object() && !m->empty()) {
    out["InputPathsMap"] = *m;
  }
  return out.dump();
}

std::vector<DesiredRule> desired_rules(const Target& target, const manifest::Service& service) {
  std::vector<DesiredRule> out;
  const std::string arn_base =
      "arn:" + partition(target.region) + ":events:" + target.region + ":" + target.account_id + ":rule/";
  for (const auto& f : service.functions) {
    int index = 0;
    for (const auto& e : f.events) {
      const auto* s = std::get_if<manifest::ScheduleEvent>(&e.detail);
      if (s == nullptr) continue;
      for (std::size_t i = 0; i < s->expressions.size(); ++i) {
        ++index;
        DesiredRule d;
        d.function = &function_target(target, f.key);
        if (!s->name.empty()) {
          d.rule.name = fit(sanitize(i == 0 ? s->name : s->name + "-" + std::to_string(i + 1)), 64);
        } else {
          d.rule.name = fit(sanitize(target.service + "-" + target.stage + "-" + f.key + "-schedule-" +
                                     std::to_string(index)),
                            64);
        }
        d.rule.arn = arn_base + d.rule.name;
        d.rule.schedule_expression = s->expressions[i];
        d.rule.state = s->enabled ? "ENABLED" : "DISABLED";
        d.rule.description = s->description;
        d.target.id = kTargetId;
        d.target.arn = d.function->arn;
        if (s->input) d.target.input = s->input->to_text();
        d.target.input_path = s->input_path;
        if (s->input_transformer) d.target.input_transformer = input_transformer_json(*s->input_transformer);
        out.push_back(std::move(d));
      }
    }
  }
  return out;
}

// Rules this service+stage created: named with its prefix or as the manifest names them, and tagged ours.
std::vector<aws::EventRule> our_rules(const Target& target, const std::vector<DesiredRule>& desired) {
  aws::EventBridge events(*target.client);
  std::vector<aws::EventRule> candidates = events.rules(rule_prefix(target));
  for (const auto& d : desired) {
    bool listed = false;
    for (const auto& c : candidates) listed |= c.name == d.rule.name;
    if (listed) continue;
    if (auto r = events.rule(d.rule.name)) candidates.push_back(*r);
  }
  std::vector<aws::EventRule> out;
  for (auto& c : candidates) {
    if (tagged_ours(target, events.tags(c.arn))) out.push_back(std::move(c));
  }
  return out;
}

Action delete_rule_action(const Target& target, const std::string& name) {
  aws::Client* client = target.client;
  return {"delete schedule rule " + name, [client, name] {
            aws::EventBridge events(*client);
            std::vector<std::string> ids;
            for (const auto& t : events.targets(name)) ids.push_back(t.id);
            events.remove_targets(name, ids);
            events.delete_rule(name);
          }};
}

}  // namespace

Plan plan_schedules(const Target& target, const manifest::Service& service, Permissions& permissions) {
  Plan plan;
  std::vector<DesiredRule> desired = desired_rules(target, service);
  aws::EventBridge events(*target.client);
  std::vector<aws::EventRule> ours = our_rules(target, desired);
  aws::Client* client = target.client;
  std::map<std::string, std::vector<std::string>> sids;  // function name -> the sids it keeps
  for (const auto& d : desired) {
    std::optional<aws::EventRule> existing;
    for (const auto& r : ours) {
      if (r.name == d.rule.name) existing = r;
    }
    if (!existing) existing = events.rule(d.rule.name);  // a rule of that name we did not tag: take it over
    const bool same_rule = existing && existing->schedule_expression == d.rule.schedule_expression &&
                           existing->state == d.rule.state && existing->description == d.rule.description;
    if (!same_rule) {
      plan.push_back(
          {(existing ? "update" : "create") + std::string(" schedule rule ") + d.rule.name + " (" +
               d.rule.schedule_expression + ") for function " + d.function->name,
           [client, rule = d.rule, tags = target.tags] { aws::EventBridge(*client).put_rule(rule, tags); }});
    }
    bool same_target = false;
    if (existing) {
      for (const auto& t : events.targets(d.rule.name)) {
        same_target |= t.id == d.target.id && t.arn == d.target.arn && t.input == d.target.input &&
                       t.input_path == d.target.input_path &&
                       t.input_transformer == d.target.input_transformer;
      }
    }
    if (!same_target) {
      plan.push_back(
          {"point schedule rule " + d.rule.name + " at function " + d.function->name,
           [client, name = d.rule.name, t = d.target] { aws::EventBridge(*client).put_target(name, t); }});
    }
    std::string sid = fit(std::string(kScheduleSid) + d.rule.name, 100);
    permissions.ensure(plan, *d.function, sid, "events.amazonaws.com", d.rule.arn, "");
    sids[d.function->name].push_back(sid);
  }
  for (const auto& r : ours) {
    bool wanted = false;
    for (const auto& d : desired) wanted |= d.rule.name == r.name;
    if (!wanted) plan.push_back(delete_rule_action(target, r.name));
  }
  for (const auto& f : target.functions) permissions.remove_stale(plan, f, kScheduleSid, sids[f.name]);
  return plan;
}

Plan plan_remove_schedules(const Target& target, const manifest::Service& service) {
  Plan plan;
  for (const auto& r : our_rules(target, desired_rules(target, service)))
    plan.push_back(delete_rule_action(target, r.name));
  return plan;
}

void describe_schedules(const Target& target, const manifest::Service& service, std::vector<Endpoint>& out) {
  aws::EventBridge events(*target.client);
  for (const auto& d : desired_rules(target, service)) {
    auto r = events.rule(d.rule.name);
    if (!r) continue;
    out.push_back({"schedule", d.function->key,
                   r->schedule_expression + (r->state == "DISABLED" ? " (disabled)" : ""), ""});
  }
}

}  // namespace stratus::deploy::triggers_detail
