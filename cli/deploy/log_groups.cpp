#include "cli/deploy/log_groups.hpp"

#include <optional>

#include "cli/manifest/model.hpp"
#include "cli/providers/aws/log_groups.hpp"

namespace stratus::deploy {

namespace {

std::string group_of(const FunctionTarget& f) {
  return "/aws/lambda/" + f.name;
}

std::optional<int> wanted_retention(const manifest::Service& service, const std::string& key) {
  const manifest::Function* f = service.find_function(key);
  if (f && f->log_retention_in_days) return f->log_retention_in_days;
  return service.provider.log_retention_in_days;
}

}  // namespace

Plan plan_log_groups(const Target& target, const manifest::Service& service) {
  Plan plan;
  if (target.platform) return plan;
  aws::Client* client = target.client;
  aws::LogGroups logs(*client);
  for (const auto& f : target.functions) {
    const std::string name = group_of(f);
    const std::optional<int> days = wanted_retention(service, f.key);
    std::optional<aws::LogGroup> group = logs.find(name);
    if (days && !group) {
      plan.push_back({"create log group " + name + " (" + std::to_string(*days) + " days)",
                      [client, name, days = *days, tags = target.tags] {
                        aws::LogGroups api(*client);
                        api.create(name, tags);
                        api.put_retention(name, days);
                      }});
    } else if (days && group->retention_days != days) {
      // A group Lambda created on its own is taken over: tagged, so `remove` deletes it too.
      plan.push_back({"set retention of log group " + name + " to " + std::to_string(*days) + " days",
                      [client, name, days = *days, tags = target.tags] {
                        aws::LogGroups api(*client);
                        api.tag(name, tags);
                        api.put_retention(name, days);
                      }});
    } else if (!days && group && group->retention_days && tagged_ours(target, logs.tags(name))) {
      plan.push_back({"remove the retention of log group " + name,
                      [client, name] { aws::LogGroups(*client).delete_retention(name); }});
    }
  }
  return plan;
}

Plan plan_remove_log_groups(const Target& target, const manifest::Service&) {
  Plan plan;
  if (target.platform) return plan;
  aws::Client* client = target.client;
  aws::LogGroups logs(*client);
  for (const auto& f : target.functions) {
    const std::string name = group_of(f);
    if (logs.find(name) && tagged_ours(target, logs.tags(name)))
      plan.push_back({"delete log group " + name, [client, name] { aws::LogGroups(*client).remove(name); }});
  }
  return plan;
}

}  // namespace stratus::deploy
