#include "cli/deploy/deployer.hpp"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iterator>

#include "cli/context.hpp"
#include "cli/deploy/log_groups.hpp"
#include "cli/deploy/triggers.hpp"
#include "cli/errors.hpp"
#include "cli/manifest/diagnostics.hpp"
#include "cli/manifest/model.hpp"
#include "cli/package/packager.hpp"

namespace stratus::deploy {

Target make_target(const manifest::Service& service, const std::string& region, const std::string& account,
                   aws::Client* client, bool platform) {
  Target t;
  t.client = client;
  t.region = region;
  t.account_id = account;
  t.service = service.name;
  t.stage = service.provider.stage;
  t.platform = platform;
  for (const auto& e : service.provider.tags.entries())
    t.tags[e.key] = e.value.is_string() ? e.value.as_string() : e.value.to_text();
  t.tags[kServiceTag] = service.name;
  t.tags[kStageTag] = t.stage;
  for (const auto& f : service.functions) {
    FunctionTarget ft{f.key, f.name, "arn:aws:lambda:" + region + ":" + account + ":function:" + f.name, ""};
    if (f.provisioned_concurrency.value_or(0) > 0) {
      ft.qualifier = kProvisionedAlias;
      ft.arn += std::string(":") + kProvisionedAlias;
    }
    t.functions.push_back(std::move(ft));
  }
  return t;
}

Session open_session(const manifest::Service& service, const GlobalOptions& options,
                     const RemoteFlags& flags) {
  Session s;
  s.remote = connect_remote(service, options, flags);
  const std::string account = caller_account(*s.remote.client);
  s.target = make_target(service, s.remote.region, account, s.remote.client.get(), s.remote.is_platform());
  return s;
}

Artifacts package_artifacts(const manifest::Service& service, ui::ProgressSink* progress,
                            std::vector<std::string>& warnings) {
  package::PackageResult result = package::package_service(service, service.dir / ".stratus", progress);
  warnings.insert(warnings.end(), result.warnings.begin(), result.warnings.end());
  Artifacts out;
  for (const auto& a : result.artifacts) {
    if (a.remote) continue;  // desired_functions names the function that has no local zip
    FunctionCode code{a.path, a.size, hex_to_base64(a.sha256)};
    for (const auto& key : a.functions) out[key] = code;
  }
  return out;
}

Plan plan_deploy(const Target& target, const manifest::Service& service, const Artifacts& artifacts,
                 std::vector<std::string>& warnings) {
  // Triggers are planned against what exists now (a function not created yet has no permissions);
  // their actions run after the functions', which they need.
  Plan plan = plan_functions(target, service, artifacts, warnings);
  for (Plan more : {plan_log_groups(target, service), plan_triggers(target, service, warnings)})
    plan.insert(plan.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
  return plan;
}

Plan plan_remove(const Target& target, const manifest::Service& service) {
  // Triggers first: their permissions and mappings name the functions.
  Plan plan = plan_remove_triggers(target, service);
  for (Plan more : {plan_remove_functions(target, service), plan_remove_log_groups(target, service)})
    plan.insert(plan.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
  return plan;
}

void apply(const Plan& plan, const std::function<void(std::size_t, std::size_t, const std::string&)>& on_step,
           const std::function<void(std::size_t, const std::string&, long long)>& on_done) {
  for (std::size_t i = 0; i < plan.size(); ++i) {
    if (on_step) on_step(i, plan.size(), plan[i].what);
    const auto t0 = std::chrono::steady_clock::now();
    plan[i].apply();
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    if (on_done) on_done(i, plan[i].what, ms);
  }
}

std::vector<FunctionReport> describe_functions(const Target& target, const manifest::Service& service,
                                               const Artifacts& artifacts,
                                               const std::function<void(std::size_t, std::size_t)>& on_read) {
  aws::LambdaApi lambda(*target.client);
  std::vector<FunctionReport> out;
  if (on_read) on_read(0, service.functions.size());
  for (const auto& f : service.functions) {
    FunctionReport r;
    r.key = f.key;
    r.name = f.name;
    if (auto info = lambda.get_function(f.name)) {
      r.deployed = true;
      r.arn = info->function.arn;
      r.runtime = info->function.settings.runtime;
      r.memory_size = info->function.settings.memory_size;
      r.timeout = info->function.settings.timeout;
      r.last_modified = info->function.last_modified;
      r.code_sha256 = info->function.code_sha256;
      r.reserved_concurrency = info->reserved_concurrency;
      if (auto code = artifacts.find(f.key); code != artifacts.end())
        r.code_matches = code->second.sha256_base64 == r.code_sha256;
      if (auto url = lambda.get_url(f.name)) r.url = url->url;
      if (f.provisioned_concurrency.value_or(0) > 0) {
        if (auto alias = lambda.get_alias(f.name, kProvisionedAlias)) {
          r.provisioned_version = alias->function_version;
          r.provisioned = lambda.get_provisioned(f.name, kProvisionedAlias);
        }
      }
    }
    out.push_back(std::move(r));
    if (on_read) on_read(out.size(), service.functions.size());
  }
  return out;
}

void require_function(const manifest::Service& service, const std::string& key) {
  if (service.find_function(key)) return;
  std::vector<std::string> keys;
  std::string list;
  for (const auto& fn : service.functions) {
    keys.push_back(fn.key);
    list += (list.empty() ? "" : ", ") + fn.key;
  }
  throw UserError("function '" + key + "' is not in " + service.config_file.filename().string() +
                  manifest::did_you_mean_suffix(key, keys) + " (functions: " + list + ")");
}

std::vector<std::string> deploy_one_function(const Target& target, const manifest::Service& service,
                                             const Artifacts& artifacts, const std::string& key,
                                             bool update_config) {
  require_function(service, key);
  const manifest::Function* f = service.find_function(key);
  if (!f->image.empty())
    throw UserError("functions." + key + " is a container image function, which stratus does not deploy yet");
  aws::LambdaApi lambda(*target.client);
  std::optional<aws::LambdaFunctionInfo> info = lambda.get_function(f->name);
  if (!info)
    throw UserError("function " + f->name + " (functions." + key +
                        ") is not deployed yet; run `stratus deploy` first to create it",
                    kExitFailure);
  // desired_functions checks the zip (size, presence) and resolves the role as a deploy would.
  std::optional<ManagedRole> role = managed_role(target, service);
  DesiredFunction desired;
  for (auto& d : desired_functions(target, service, artifacts, role ? role->arn : ""))
    if (d.key == key) desired = std::move(d);
  std::vector<std::string> done;
  if (info->function.code_sha256 == desired.code.sha256_base64) {
    done.push_back("code of " + f->name + " unchanged");
  } else {
    std::ifstream in(desired.code.zip, std::ios::binary);
    const std::string zip((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    lambda.update_function_code(f->name, zip);
    lambda.wait_updated(f->name);
    done.push_back("updated code of " + f->name);
  }
  if (update_config) {
    if (settings_differences(desired.settings, info->function.settings).empty()) {
      done.push_back("configuration of " + f->name + " unchanged");
    } else {
      lambda.update_function_configuration(f->name, desired.settings);
      lambda.wait_updated(f->name);
      done.push_back("updated configuration of " + f->name);
    }
  }
  // What triggers invoke is the alias: it moves to a version of what was just updated.
  const bool changed =
      std::any_of(done.begin(), done.end(), [](const std::string& s) { return s.starts_with("updated"); });
  if (desired.provisioned_concurrency && changed)
    done.push_back("alias " + std::string(kProvisionedAlias) + " of " + f->name + " now on version " +
                   publish_provisioned_version(*target.client, f->name, desired.code.sha256_base64));
  return done;
}

}  // namespace stratus::deploy
