#include "cli/run/function_configs.hpp"

#include <map>

#include "cli/errors.hpp"
#include "cli/manifest/model.hpp"

namespace stratus::run {

namespace {

// An environment value as the process sees it: scalars as their text; intrinsics (Ref, Fn::...)
// and other structures have no local value.
std::optional<std::string> env_text(const manifest::Value& v) {
  if (v.is_string()) return v.as_string();
  if (v.is_null()) return std::string();
  if (v.is_scalar()) return v.to_text();
  return std::nullopt;
}

}  // namespace

FunctionConfigs function_configs(const manifest::Service& service, const std::string& account_id,
                                 const ResolveIntrinsic& resolve) {
  FunctionConfigs out;
  std::map<std::string, std::vector<std::string>> unresolved;  // variable -> the functions it is set for
  for (const auto& fn : service.functions) {
    if (!fn.image.empty())
      throw UserError("function '" + fn.key + "' is a container image (" + fn.image +
                      "); stratus runs zip functions locally (python3.x, nodejs*.x, provided*)");
    engine::FunctionConfig c;
    c.name = fn.name;
    c.short_name = fn.key;
    c.runtime = fn.runtime.empty() ? service.provider.runtime : fn.runtime;
    c.handler = fn.handler;
    c.code_dir = service.dir;
    c.description = fn.description;
    c.memory_mb = fn.memory_size;
    c.timeout_s = fn.timeout;
    c.ephemeral_mb = fn.ephemeral_storage_size;
    c.architecture = fn.architecture;
    c.reserved_concurrency = fn.reserved_concurrency;
    c.provisioned_concurrency = fn.provisioned_concurrency.value_or(0);
    c.maximum_retry_attempts = fn.maximum_retry_attempts.value_or(2);
    c.maximum_event_age_s = fn.maximum_event_age.value_or(21600);
    c.region = service.provider.region;
    c.account_id = account_id;
    for (const auto& entry : fn.environment.entries()) {
      std::optional<std::string> text = env_text(entry.value);
      if (!text && resolve) text = resolve(entry.value);
      if (text) {
        c.environment.emplace_back(entry.key, *text);
      } else {
        unresolved[entry.key].push_back(fn.key);
      }
    }
    out.functions.push_back(std::move(c));
  }
  // One warning per variable (a provider-level one is in every function).
  for (const auto& [name, functions] : unresolved) {
    std::string who;
    if (functions.size() == service.functions.size() && functions.size() > 1) {
      who = "every function";
    } else {
      for (const auto& f : functions) who += (who.empty() ? "" : ", ") + ("'" + f + "'");
      who = (functions.size() == 1 ? "function " : "functions ") + who;
    }
    out.warnings.push_back(
        "environment variable " + name + " (" + who +
        ") is a CloudFormation expression that only AWS can resolve; it is not set locally "
        "(use --env " +
        name + "=VALUE)");
  }
  return out;
}

}  // namespace stratus::run
