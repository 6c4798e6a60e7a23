#pragma once
// Shared by the trigger planners (triggers_*.cpp); not part of the deploy seam.
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "cli/deploy/plan.hpp"
#include "cli/manifest/model.hpp"
#include "cli/providers/aws/lambda_triggers.hpp"

namespace stratus::deploy::triggers_detail {

// The function a trigger invokes. Throws std::logic_error when the Target lacks it.
const FunctionTarget& function_target(const Target& target, const std::string& key);

// `name` with every character outside [A-Za-z0-9_-] replaced by '-'.
std::string sanitize(std::string_view name);
// `name` when it fits in `limit` characters; else its head and "-" + 8 hex digits of its SHA-256.
std::string fit(const std::string& name, std::size_t limit);
// "aws", "aws-cn" or "aws-us-gov" for the region.
std::string partition(const std::string& region);

// StatementId prefixes of the permissions the triggers add.
inline constexpr std::string_view kScheduleSid = "stratus-schedule-";
inline constexpr std::string_view kHttpApiSid = "stratus-httpapi";
inline constexpr std::string_view kS3Sid = "stratus-s3-";

// Plans Lambda permissions, reading each function's policy once.
class Permissions {
 public:
  explicit Permissions(const Target& target) : m_target(target) {}

  // Adds the actions that make `sid` allow `principal` from `source_arn` (and `source_account`
  // when not ""): nothing when a statement of that sid already does, remove + add when it differs.
  // `late_source_arn`, when set, gives the ARN at apply time (an API created by an earlier action);
  // the statement is then replaced unless `source_arn` names what it will be.
  void ensure(Plan& plan, const FunctionTarget& function, const std::string& sid,
              const std::string& principal, const std::string& source_arn, const std::string& source_account,
              std::function<std::string()> late_source_arn = {});
  // Adds removals of every statement whose sid starts with `prefix` and is not in `keep`.
  void remove_stale(Plan& plan, const FunctionTarget& function, std::string_view prefix,
                    const std::vector<std::string>& keep = {});

 private:
  const std::vector<aws::PolicyStatement>& policy(const FunctionTarget& function);
  const Target& m_target;
  std::map<std::string, std::vector<aws::PolicyStatement>> m_policies;
};

Plan plan_schedules(const Target& target, const manifest::Service& service, Permissions& permissions);
Plan plan_remove_schedules(const Target& target, const manifest::Service& service);
void describe_schedules(const Target& target, const manifest::Service& service, std::vector<Endpoint>& out);

Plan plan_sqs(const Target& target, const manifest::Service& service);
Plan plan_remove_sqs(const Target& target, const manifest::Service& service);
void describe_sqs(const Target& target, const manifest::Service& service, std::vector<Endpoint>& out);

Plan plan_http(const Target& target, const manifest::Service& service, Permissions& permissions);
Plan plan_remove_http(const Target& target, const manifest::Service& service);
void describe_http(const Target& target, const manifest::Service& service, std::vector<Endpoint>& out);

Plan plan_s3(const Target& target, const manifest::Service& service, Permissions& permissions);
Plan plan_remove_s3(const Target& target, const manifest::Service& service);
void describe_s3(const Target& target, const manifest::Service& service, std::vector<Endpoint>& out);

}  // namespace stratus::deploy::triggers_detail
