// The reading half of the function planner: what exists (GetRole, GetRolePolicy, GetFunction,
// GetFunctionUrlConfig), compared with what functions.cpp wants, becomes a Plan. Planning makes no
// mutating call; each Action makes its own when applied.
#include <fstream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/deploy/functions.hpp"
#include "cli/errors.hpp"
#include "cli/manifest/model.hpp"
#include "cli/providers/aws/iam.hpp"
#include "cli/providers/aws/lambda_triggers.hpp"

namespace stratus::deploy {

namespace {

std::string read_zip(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) throw UserError("cannot read " + path.string());
  return bytes;
}

bool same_json(const std::string& a, const std::string& b) {
  auto x = nlohmann::json::parse(a, nullptr, false);
  auto y = nlohmann::json::parse(b, nullptr, false);
  return !x.is_discarded() && x == y;
}

void plan_role(const Target& target, const ManagedRole& role, Plan& plan) {
  aws::IamApi iam(*target.client);
  std::optional<aws::IamRole> existing = iam.get_role(role.name);
  if (!existing) {
    plan.push_back({"create role " + role.name, [client = target.client, role, tags = target.tags] {
                      aws::IamApi api(*client);
                      api.create_role(role.name, aws::lambda_trust_policy(), tags);
                      api.put_role_policy(role.name, role.policy_name, role.policy);
                    }});
    return;
  }
  if (!tagged_ours(target, existing->tags))
    throw UserError(
        "the IAM role " + role.name + " exists and is not tagged as this service's (" + kServiceTag + "=" +
            target.service + ", " + kStageTag + "=" + target.stage +
            "); give provider.iam.role.name another name, or provider.iam.role an ARN to use it as is",
        kExitFailure);
  std::map<std::string, std::string> missing;
  for (const auto& [k, v] : target.tags)
    if (auto it = existing->tags.find(k); it == existing->tags.end() || it->second != v) missing[k] = v;
  if (!missing.empty())
    plan.push_back({"tag role " + role.name, [client = target.client, name = role.name, missing] {
                      aws::IamApi(*client).tag_role(name, missing);
                    }});
  std::optional<std::string> policy = iam.get_role_policy(role.name, role.policy_name);
  if (!policy || !same_json(*policy, role.policy))
    plan.push_back(
        {"update policy " + role.policy_name + " of role " + role.name, [client = target.client, role] {
           aws::IamApi(*client).put_role_policy(role.name, role.policy_name, role.policy);
         }});
}

// CreateFunction, retried while IAM has not yet told Lambda about a role created a moment ago.
void create_function(aws::Client& client, const DesiredFunction& d) {
  aws::LambdaApi lambda(client);
  const std::string zip = read_zip(d.code.zip);
  for (int attempt = 0;; ++attempt) {
    try {
      lambda.create_function(d.name, d.settings, zip, d.tags);
      break;
    } catch (const UserError& e) {
      if (attempt >= 10 || std::string(e.what()).find("cannot be assumed") == std::string::npos) throw;
      std::this_thread::sleep_for(std::chrono::seconds(2));
    }
  }
  lambda.wait_active(d.name);
}

void plan_url(const Target& target, const DesiredFunction& d, bool exists, Plan& plan) {
  aws::Client* client = target.client;
  const bool platform = target.platform;
  std::optional<aws::FunctionUrl> url;
  if (exists) url = aws::LambdaApi(*client).get_url(d.name);
  if (d.url_auth && !url) {
    plan.push_back({"create URL of " + d.name, [client, platform, name = d.name, auth = *d.url_auth] {
                      aws::LambdaApi(*client).create_url(name, auth);
                      if (auth == "NONE" && !platform) aws::LambdaTriggers(*client).allow_public_url(name);
                    }});
  } else if (d.url_auth && url && url->auth_type != *d.url_auth && !platform) {
    plan.push_back({"update URL of " + d.name + " (auth " + *d.url_auth + ")",
                    [client, name = d.name, auth = *d.url_auth] {
                      aws::LambdaApi(*client).update_url(name, auth);
                      if (auth == "NONE") aws::LambdaTriggers(*client).allow_public_url(name);
                    }});
  } else if (!d.url_auth && url) {
    plan.push_back(
        {"delete URL of " + d.name, [client, name = d.name] { aws::LambdaApi(*client).delete_url(name); }});
  }
}

// The alias `provisioned` on a version equal to what is deployed, and its provisioned concurrency;
// or, when the manifest no longer asks for it, the alias removed. `changing`: this plan updates
// the function's code or configuration, so the alias's version is out of date whatever it is.
void plan_provisioned(const Target& target, const DesiredFunction& d, bool exists, bool changing,
                      Plan& plan) {
  aws::Client* client = target.client;
  aws::LambdaApi lambda(*client);
  const std::string alias = kProvisionedAlias;
  std::optional<aws::LambdaAlias> current = exists ? lambda.get_alias(d.name, alias) : std::nullopt;
  if (!d.provisioned_concurrency) {
    if (current)
      plan.push_back({"delete alias " + alias + " of " + d.name + " (no provisionedConcurrency)",
                      [client, name = d.name, alias] {
                        aws::LambdaApi api(*client);
                        if (api.get_provisioned(name, alias)) api.delete_provisioned(name, alias);
                        api.delete_alias(name, alias);
                      }});
    return;
  }
  bool stale = changing || !current;
  if (!stale) {
    aws::LambdaFunction version = lambda.get_function_configuration(d.name, current->function_version);
    stale = version.code_sha256 != d.code.sha256_base64 ||
            !settings_differences(d.settings, version.settings).empty();
  }
  if (stale)
    plan.push_back({"publish a version of " + d.name + " for alias " + alias,
                    [client, name = d.name, sha = d.code.sha256_base64] {
                      publish_provisioned_version(*client, name, sha);
                    }});
  std::optional<aws::ProvisionedConcurrency> pc =
      current ? lambda.get_provisioned(d.name, alias) : std::nullopt;
  const int wanted = *d.provisioned_concurrency;
  if (!pc || pc->requested != wanted)
    plan.push_back(
        {"set provisioned concurrency of " + d.name + ":" + alias + " to " + std::to_string(wanted),
         [client, name = d.name, alias, wanted] {
           aws::LambdaApi(*client).put_provisioned(name, alias, wanted);
         }});
}

// maximumRetryAttempts, maximumEventAge and destinations: put when they differ, removed when the
// manifest no longer sets any.
void plan_async(const Target& target, const DesiredFunction& d, bool exists, Plan& plan) {
  if (target.platform) return;  // named in the warning
  aws::Client* client = target.client;
  std::optional<aws::EventInvokeConfig> current =
      exists ? aws::LambdaApi(*client).get_event_invoke_config(d.name) : std::nullopt;
  if (d.async && current != d.async)
    plan.push_back(
        {"set asynchronous invocation settings of " + d.name, [client, name = d.name, c = *d.async] {
           aws::LambdaApi(*client).put_event_invoke_config(name, c);
         }});
  else if (!d.async && current)
    plan.push_back({"remove asynchronous invocation settings of " + d.name,
                    [client, name = d.name] { aws::LambdaApi(*client).delete_event_invoke_config(name); }});
}

void plan_function(const Target& target, const DesiredFunction& d, Plan& plan) {
  aws::Client* client = target.client;
  aws::LambdaApi lambda(*client);
  std::optional<aws::LambdaFunctionInfo> info = lambda.get_function(d.name);
  if (!info) {
    plan.push_back({"create function " + d.name, [client, d] { create_function(*client, d); }});
    if (d.reserved_concurrency && !target.platform)
      plan.push_back(
          {"set reserved concurrency of " + d.name + " to " + std::to_string(*d.reserved_concurrency),
           [client, name = d.name, n = *d.reserved_concurrency] {
             aws::LambdaApi(*client).put_concurrency(name, n);
           }});
    plan_provisioned(target, d, false, true, plan);
    plan_async(target, d, false, plan);
    plan_url(target, d, false, plan);
    return;
  }
  if (!target.platform && !tagged_ours(target, info->tags))
    throw UserError("function " + d.name + " exists and was not deployed by this service (its tags lack " +
                        kServiceTag + "=" + target.service + ", " + kStageTag + "=" + target.stage +
                        "); rename functions." + d.key + " (name:) or remove that function first",
                    kExitFailure);
  const bool code_changes = info->function.code_sha256 != d.code.sha256_base64;
  if (code_changes)
    plan.push_back({"update code of " + d.name, [client, d] {
                      aws::LambdaApi api(*client);
                      api.update_function_code(d.name, read_zip(d.code.zip));
                      api.wait_updated(d.name);
                    }});
  const std::vector<std::string> diff = settings_differences(d.settings, info->function.settings);
  if (!diff.empty()) {
    std::string what = "update configuration of " + d.name + " (";
    for (std::size_t i = 0; i < diff.size(); ++i) what += (i ? ", " : "") + diff[i];
    plan.push_back({what + ")", [client, d] {
                      aws::LambdaApi api(*client);
                      api.update_function_configuration(d.name, d.settings);
                      api.wait_updated(d.name);
                    }});
  }
  plan_provisioned(target, d, true, code_changes || !diff.empty(), plan);
  plan_async(target, d, true, plan);
  if (!target.platform) {
    std::map<std::string, std::string> add;
    std::vector<std::string> drop;
    for (const auto& [k, v] : d.tags)
      if (auto it = info->tags.find(k); it == info->tags.end() || it->second != v) add[k] = v;
    for (const auto& [k, v] : info->tags)
      if (!d.tags.count(k) && !k.starts_with("aws:")) drop.push_back(k);
    const std::string arn = info->function.arn.empty() ? d.arn : info->function.arn;
    if (!add.empty() || !drop.empty())
      plan.push_back({"update tags of " + d.name, [client, arn, add, drop] {
                        aws::LambdaApi api(*client);
                        if (!add.empty()) api.tag(arn, add);
                        if (!drop.empty()) api.untag(arn, drop);
                      }});
    if (d.reserved_concurrency != info->reserved_concurrency) {
      if (d.reserved_concurrency)
        plan.push_back(
            {"set reserved concurrency of " + d.name + " to " + std::to_string(*d.reserved_concurrency),
             [client, name = d.name, n = *d.reserved_concurrency] {
               aws::LambdaApi(*client).put_concurrency(name, n);
             }});
      else
        plan.push_back({"remove reserved concurrency of " + d.name,
                        [client, name = d.name] { aws::LambdaApi(*client).delete_concurrency(name); }});
    }
  }
  plan_url(target, d, true, plan);
}

}  // namespace

std::string publish_provisioned_version(aws::Client& client, const std::string& name,
                                        const std::string& code_sha256) {
  aws::LambdaApi api(client);
  const std::string version = api.publish_version(name, code_sha256).version;
  if (api.get_alias(name, kProvisionedAlias))
    api.update_alias(name, kProvisionedAlias, version);
  else
    api.create_alias(name, kProvisionedAlias, version);
  return version;
}

Plan plan_functions(const Target& target, const manifest::Service& service, const Artifacts& artifacts,
                    std::vector<std::string>& warnings) {
  if (std::string w = unsupported_warning(target, service); !w.empty()) warnings.push_back(w);
  Plan plan;
  std::optional<ManagedRole> role = managed_role(target, service);
  std::vector<DesiredFunction> desired = desired_functions(target, service, artifacts, role ? role->arn : "");
  if (role) plan_role(target, *role, plan);
  for (const auto& d : desired) plan_function(target, d, plan);
  return plan;
}

Plan plan_remove_functions(const Target& target, const manifest::Service& service) {
  Plan plan;
  aws::Client* client = target.client;
  aws::LambdaApi lambda(*client);
  std::vector<std::string> names;
  if (target.platform) {
    // The platform keeps no tags: the service's functions are the manifest's names.
    for (const auto& f : service.functions) names.push_back(f.name);
  } else {
    // Tags are only on GetFunction, so each candidate is read once: the manifest's names, and
    // every function whose name starts like this service's and stage's.
    const std::string prefix = service.name + "-" + target.stage + "-";
    for (const auto& f : service.functions) names.push_back(f.name);
    for (const auto& f : lambda.list_functions())
      if (f.name.starts_with(prefix) && std::find(names.begin(), names.end(), f.name) == names.end())
        names.push_back(f.name);
  }
  for (const auto& name : names) {
    std::optional<aws::LambdaFunctionInfo> info = lambda.get_function(name);
    if (!info || (!target.platform && !tagged_ours(target, info->tags))) continue;
    plan.push_back(
        {"delete function " + name, [client, name] { aws::LambdaApi(*client).delete_function(name); }});
  }
  if (!target.platform) {
    std::string role_name;
    try {
      role_name = managed_role_name(service, target.stage, target.region);
    } catch (const UserError&) {
      return plan;  // a name IAM would refuse was never created
    }
    aws::IamApi iam(*client);
    if (std::optional<aws::IamRole> role = iam.get_role(role_name); role && tagged_ours(target, role->tags))
      plan.push_back({"delete role " + role_name, [client, role_name] {
                        aws::IamApi api(*client);
                        for (const auto& policy : api.list_role_policies(role_name))
                          api.delete_role_policy(role_name, policy);
                        api.delete_role(role_name);
                      }});
  }
  return plan;
}

}  // namespace stratus::deploy
