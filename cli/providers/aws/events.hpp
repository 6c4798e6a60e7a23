#pragma once
// EventBridge rules on the default bus, as a deploy needs them (JSON 1.1, X-Amz-Target AWSEvents.*):
// PutRule, DescribeRule, ListRules, DeleteRule, PutTargets, ListTargetsByRule, RemoveTargets,
// ListTagsForResource.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cli/providers/aws/client.hpp"

namespace stratus::aws {

struct EventRule {
  std::string name;
  std::string arn;
  std::string schedule_expression;
  std::string state;  // ENABLED | DISABLED
  std::string description;
};

struct EventTarget {
  std::string id;
  std::string arn;
  std::string input;       // "" when not set
  std::string input_path;  // "" when not set
  // InputTransformer as canonical JSON ({"InputPathsMap":{...},"InputTemplate":"..."}), "" when not set.
  std::string input_transformer;
};

class EventBridge {
 public:
  explicit EventBridge(Client& client) : m_client(client) {}

  // Every rule whose name starts with `prefix` (all pages).
  std::vector<EventRule> rules(const std::string& prefix);
  // The rule of that name, or nullopt.
  std::optional<EventRule> rule(const std::string& name);
  // Creates or updates a rule; `tags` are set when it is created (PutRule ignores them on update).
  // Returns the rule's ARN.
  std::string put_rule(const EventRule& rule, const std::map<std::string, std::string>& tags);
  std::map<std::string, std::string> tags(const std::string& arn);
  std::vector<EventTarget> targets(const std::string& rule);
  void put_target(const std::string& rule, const EventTarget& target);
  void remove_targets(const std::string& rule, const std::vector<std::string>& ids);
  // A rule that does not exist is not an error.
  void delete_rule(const std::string& name);

 private:
  Response call(const std::string& operation, const std::string& body, const std::string& doing);
  Client& m_client;
};

}  // namespace stratus::aws
