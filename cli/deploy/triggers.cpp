// The trigger planners' entry points and what they share: names, tags, Lambda permissions.
#include "cli/deploy/triggers.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "cli/deploy/triggers_internal.hpp"
#include "emulator/common/sha256.hpp"

namespace stratus::deploy {

namespace detail = triggers_detail;

namespace triggers_detail {

const FunctionTarget& function_target(const Target& target, const std::string& key) {
  for (const auto& f : target.functions) {
    if (f.key == key) return f;
  }
  throw std::logic_error("deploy target has no function '" + key + "'");
}

std::string sanitize(std::string_view name) {
  std::string out(name);
  for (char& c : out) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) c = '-';
  }
  return out;
}

std::string fit(const std::string& name, std::size_t limit) {
  if (name.size() <= limit) return name;
  return name.substr(0, limit - 9) + "-" + sha256_hex(name).substr(0, 8);
}

std::string partition(const std::string& region) {
  if (region.starts_with("cn-")) return "aws-cn";
  if (region.starts_with("us-gov-")) return "aws-us-gov";
  return "aws";
}

const std::vector<aws::PolicyStatement>& Permissions::policy(const FunctionTarget& function) {
  const std::string reference = function.reference();
  auto it = m_policies.find(reference);
  if (it == m_policies.end())
    it = m_policies.emplace(reference, aws::LambdaTriggers(*m_target.client).policy(reference)).first;
  return it->second;
}

void Permissions::ensure(Plan& plan, const FunctionTarget& function, const std::string& sid,
                         const std::string& principal, const std::string& source_arn,
                         const std::string& source_account, std::function<std::string()> late_source_arn) {
  bool present = false;
  for (const auto& s : policy(function)) {
    if (s.sid != sid) continue;
    present = true;
    if (s.principal == principal && s.source_arn == source_arn && s.source_account == source_account &&
        !source_arn.empty()) {
      return;
    }
  }
  aws::Client* client = m_target.client;
  aws::PermissionRequest request;
  request.function = function.reference();
  request.sid = sid;
  request.principal = principal;
  request.source_arn = source_arn;
  request.source_account = source_account;
  plan.push_back({(present ? "replace" : "add") + std::string(" permission ") + sid + " (" + principal +
                      ") on function " + function.reference(),
                  [client, request, present, late_source_arn]() mutable {
                    aws::LambdaTriggers lambda(*client);
                    if (present) lambda.remove_permission(request.function, request.sid);
                    if (late_source_arn) request.source_arn = late_source_arn();
                    lambda.add_permission(request);
                  }});
}

void Permissions::remove_stale(Plan& plan, const FunctionTarget& function, std::string_view prefix,
                               const std::vector<std::string>& keep) {
  for (const auto& s : policy(function)) {
    if (!s.sid.starts_with(prefix)) continue;
    if (std::find(keep.begin(), keep.end(), s.sid) != keep.end()) continue;
    aws::Client* client = m_target.client;
    std::string name = function.reference(), sid = s.sid;
    plan.push_back({"remove permission " + sid + " from function " + name,
                    [client, name, sid] { aws::LambdaTriggers(*client).remove_permission(name, sid); }});
  }
}

}  // namespace triggers_detail

namespace {

void append(Plan& into, Plan&& from) {
  for (auto& a : from) into.push_back(std::move(a));
}

}  // namespace

Plan plan_triggers(const Target& target, const manifest::Service& service,
                   std::vector<std::string>& warnings) {
  std::set<std::string> skipped;
  bool any_http = false;
  std::vector<std::string> deployable;
  for (const auto& f : service.functions) {
    for (const auto& e : f.events) {
      const bool supported = !std::holds_alternative<manifest::OtherEvent>(e.detail);
      if (target.platform || !supported) {
        skipped.insert(e.type);
      } else if (e.type == "http") {
        any_http = true;
      }
    }
  }
  if (!skipped.empty()) {
    std::string line = target.platform
                           ? "events not deployed (a stratus serve platform speaks Lambda's API only):"
                           : "events not deployed (not supported yet):";
    for (const auto& type : skipped) line += " " + type;
    warnings.push_back(line);
  }
  if (target.platform) return {};
  if (any_http) {
    warnings.push_back(
        "http events are deployed as HTTP API routes (payload 1.0); a REST API is a later step");
  }
  detail::Permissions permissions(target);
  Plan plan;
  append(plan, detail::plan_schedules(target, service, permissions));
  append(plan, detail::plan_sqs(target, service));
  append(plan, detail::plan_http(target, service, permissions));
  append(plan, detail::plan_s3(target, service, permissions));
  return plan;
}

Plan plan_remove_triggers(const Target& target, const manifest::Service& service) {
  if (target.platform) return {};
  Plan plan;
  append(plan, detail::plan_remove_s3(target, service));
  append(plan, detail::plan_remove_http(target, service));
  append(plan, detail::plan_remove_sqs(target, service));
  append(plan, detail::plan_remove_schedules(target, service));
  detail::Permissions permissions(target);
  for (const auto& f : target.functions) {
    for (std::string_view prefix : {detail::kScheduleSid, detail::kHttpApiSid, detail::kS3Sid}) {
      permissions.remove_stale(plan, f, prefix);
    }
  }
  return plan;
}

std::vector<Endpoint> describe_triggers(const Target& target, const manifest::Service& service,
                                        const std::function<void(std::size_t, std::size_t)>& on_read) {
  std::vector<Endpoint> out;
  if (target.platform) return out;
  using Reader = void (*)(const Target&, const manifest::Service&, std::vector<Endpoint>&);
  static constexpr Reader kReaders[] = {detail::describe_http, detail::describe_schedules,
                                        detail::describe_sqs, detail::describe_s3};
  if (on_read) on_read(0, std::size(kReaders));
  for (std::size_t i = 0; i < std::size(kReaders); ++i) {
    kReaders[i](target, service, out);
    if (on_read) on_read(i + 1, std::size(kReaders));
  }
  return out;
}

}  // namespace stratus::deploy
