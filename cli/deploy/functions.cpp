// The pure half of the function planner: desired state from the manifest, the role and its policy,
// the comparison of settings and the warning. function_plan.cpp reads AWS and builds the Plan.
#include "cli/deploy/functions.hpp"

#include <algorithm>

#include "cli/errors.hpp"
#include "cli/manifest/emit.hpp"
#include "cli/manifest/model.hpp"
#include "cli/ui/progress.hpp"
#include "emulator/common/base64.hpp"

namespace stratus::deploy {

namespace {

bool is_arn(const std::string& s) {
  return s.starts_with("arn:");
}

std::string where(const manifest::Mark& mark) {
  if (!mark.known()) return "";
  return std::filesystem::path(mark.file).filename().string() + ":" + std::to_string(mark.line) + ": ";
}

// An intrinsic ({Ref: X}, {Fn::GetAtt: [...]}) anywhere in `v`: the key that names it, or "".
std::string intrinsic_in(const manifest::Value& v) {
  if (v.is_map()) {
    for (const auto& e : v.entries()) {
      if (e.key == "Ref" || e.key.starts_with("Fn::")) return e.key;
      if (std::string k = intrinsic_in(e.value); !k.empty()) return k;
    }
  } else if (v.is_sequence()) {
    for (const auto& item : v.items())
      if (std::string k = intrinsic_in(item); !k.empty()) return k;
  }
  return "";
}

[[noreturn]] void unresolvable(const std::string& place, const std::string& intrinsic,
                               const manifest::Mark& mark) {
  throw UserError(
      where(mark) + place + " uses the CloudFormation intrinsic " + intrinsic +
      ", which stratus cannot resolve (it deploys without CloudFormation); write the value itself, "
      "or take it from ${env:...}, ${param:...} or ${ssm:...}");
}

const manifest::Value* provider_role(const manifest::Service& service) {
  return service.provider.iam.find("role");
}

// The role ARN a function was given, or "" when it runs with the managed role.
std::string given_role(const manifest::Service& service, const manifest::Function& f) {
  if (!f.role.empty()) {
    if (!is_arn(f.role))
      throw UserError(where(f.mark) + "functions." + f.key + ".role '" + f.role +
                      "' is not an ARN; stratus deploys without CloudFormation, so a role is given as "
                      "arn:aws:iam::<account>:role/<name> (or left out for the service's own role)");
    return f.role;
  }
  const manifest::Value* role = provider_role(service);
  if (role && role->is_string()) {
    if (!is_arn(role->as_string()))
      throw UserError(
          "provider.iam.role '" + role->as_string() +
          "' is not an ARN; give arn:aws:iam::<account>:role/<name>, or an object with statements "
          "for the service's own role");
    return role->as_string();
  }
  return "";
}

// A destination as the deploy sends it: an ARN, or the ARN of a function of this service
// named by its key. Throws UserError (exit 2) for an intrinsic or a name that is neither.
std::string destination_arn(const Target& target, const manifest::Service& service, const manifest::Value& v,
                            const std::string& place, const manifest::Mark& mark) {
  const manifest::Value* value = v.is_map() && v.find("arn") ? v.find("arn") : &v;
  if (std::string k = intrinsic_in(*value); !k.empty()) unresolvable(place, k, mark);
  if (value->is_string() && is_arn(value->as_string())) return value->as_string();
  if (value->is_string())
    for (const auto& f : target.functions)
      if (f.key == value->as_string() && service.find_function(f.key))
        return "arn:aws:lambda:" + target.region + ":" + target.account_id + ":function:" + f.name;
  throw UserError(
      where(mark) + place + " '" + (value->is_string() ? value->as_string() : value->to_text()) +
      "' is neither an ARN nor a function of this service; give the destination's ARN "
      "(arn:aws:sqs:..., arn:aws:sns:..., arn:aws:lambda:..., arn:aws:events:...) or a function key");
}

// What the function's role must be allowed to do to reach a destination, by the ARN's service.
const char* destination_action(const std::string& arn) {
  if (arn.starts_with("arn:aws:sqs:")) return "sqs:SendMessage";
  if (arn.starts_with("arn:aws:sns:")) return "sns:Publish";
  if (arn.starts_with("arn:aws:events:")) return "events:PutEvents";
  return "lambda:InvokeFunction";
}

// The asynchronous-invocation settings of `f`: nullopt when it sets none of them.
std::optional<aws::EventInvokeConfig> desired_async(const Target& target, const manifest::Service& service,
                                                    const manifest::Function& f) {
  if (!f.maximum_retry_attempts && !f.maximum_event_age && !f.destinations) return std::nullopt;
  aws::EventInvokeConfig c;
  c.maximum_retry_attempts = f.maximum_retry_attempts;
  c.maximum_event_age = f.maximum_event_age;
  if (f.destinations && f.destinations->is_map()) {
    const std::string at = "functions." + f.key + ".destinations.";
    if (const manifest::Value* v = f.destinations->find("onSuccess"))
      c.on_success = destination_arn(target, service, *v, at + "onSuccess", f.mark);
    if (const manifest::Value* v = f.destinations->find("onFailure"))
      c.on_failure = destination_arn(target, service, *v, at + "onFailure", f.mark);
  }
  return c;
}

}  // namespace

std::string hex_to_base64(const std::string& hex) {
  if (hex.size() % 2) return "";
  std::string bytes;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return "";
    bytes.push_back(static_cast<char>(hi * 16 + lo));
  }
  return base64_encode(bytes);
}

std::string managed_role_name(const manifest::Service& service, const std::string& stage,
                              const std::string& region) {
  const manifest::Value* role = provider_role(service);
  const manifest::Value* name = role && role->is_map() ? role->find("name") : nullptr;
  std::string out = name && name->is_string() ? name->as_string()
                                              : service.name + "-" + stage + "-" + region + "-lambdaRole";
  if (out.size() > 64)
    throw UserError("the IAM role name '" + out + "' is " + std::to_string(out.size()) +
                    " characters, over IAM's 64; set provider.iam.role.name to a shorter one");
  return out;
}

std::string role_policy_document(const Target& target, const manifest::Service& service) {
  const std::string logs =
      "arn:aws:logs:" + target.region + ":" + target.account_id + ":log-group:/aws/lambda/";
  std::string groups, streams;
  for (const auto& f : target.functions) {
    groups += std::string(groups.empty() ? "" : ",") + manifest::json_quote(logs + f.name + ":*");
    streams += std::string(streams.empty() ? "" : ",") + manifest::json_quote(logs + f.name + ":*:*");
  }
  std::string doc = R"({"Version":"2012-10-17","Statement":[)";
  if (!groups.empty())
    doc += R"({"Effect":"Allow","Action":["logs:CreateLogStream","logs:CreateLogGroup","logs:TagResource"],)"
           R"("Resource":[)" +
           groups + R"(]},{"Effect":"Allow","Action":["logs:PutLogEvents"],"Resource":[)" + streams + "]}";
  // Where the managed role's functions send asynchronous results, as the Serverless Framework allows.
  for (const auto& f : service.functions) {
    if (!given_role(service, f).empty()) continue;
    std::vector<std::string> arns;
    if (auto async = desired_async(target, service, f)) {
      if (!async->on_success.empty()) arns.push_back(async->on_success);
      if (!async->on_failure.empty()) arns.push_back(async->on_failure);
    }
    for (const auto& arn : arns)
      doc += std::string(doc.back() == '[' ? "" : ",") + R"({"Effect":"Allow","Action":[")" +
             destination_action(arn) + R"("],"Resource":[)" + manifest::json_quote(arn) + "]}";
  }
  const manifest::Value* role = provider_role(service);
  const manifest::Value* statements = role && role->is_map() ? role->find("statements") : nullptr;
  if (statements && statements->is_sequence()) {
    for (std::size_t i = 0; i < statements->items().size(); ++i) {
      const manifest::Value& s = statements->items()[i];
      if (std::string k = intrinsic_in(s); !k.empty())
        unresolvable("provider.iam.role.statements[" + std::to_string(i) + "]", k, {});
      doc += (doc.back() == '[' ? "" : ",") + manifest::to_json(s, -1);
    }
  }
  return doc + "]}";
}

std::optional<ManagedRole> managed_role(const Target& target, const manifest::Service& service) {
  bool needed = false;
  for (const auto& f : service.functions)
    if (given_role(service, f).empty()) needed = true;
  if (!needed || target.platform) return std::nullopt;
  ManagedRole role;
  role.name = managed_role_name(service, target.stage, target.region);
  role.arn = "arn:aws:iam::" + target.account_id + ":role/" + role.name;
  role.policy_name = service.name + "-" + target.stage + "-lambda";
  role.policy = role_policy_document(target, service);
  return role;
}

std::vector<DesiredFunction> desired_functions(const Target& target, const manifest::Service& service,
                                               const Artifacts& artifacts,
                                               const std::string& managed_role_arn) {
  std::vector<DesiredFunction> out;
  for (const auto& f : service.functions) {
    if (!f.image.empty()) continue;
    DesiredFunction d;
    d.key = f.key;
    d.name = f.name;
    d.arn = "arn:aws:lambda:" + target.region + ":" + target.account_id + ":function:" + f.name;
    aws::LambdaSettings& s = d.settings;
    s.runtime = f.runtime;
    s.handler = f.handler;
    s.role = given_role(service, f);
    if (s.role.empty())
      s.role =
          target.platform ? "arn:aws:iam::" + target.account_id + ":role/stratus-platform" : managed_role_arn;
    s.description = f.description;
    s.memory_size = f.memory_size;
    s.timeout = f.timeout;
    s.architecture = f.architecture.empty() ? "x86_64" : f.architecture;
    s.ephemeral_storage = f.ephemeral_storage_size;
    for (const auto& e : f.environment.entries()) {
      const std::string place = "functions." + f.key + ".environment." + e.key;
      if (e.value.is_map() || e.value.is_sequence()) {
        std::string k = intrinsic_in(e.value);
        if (!k.empty()) unresolvable(place, k, e.key_mark.known() ? e.key_mark : f.mark);
        throw UserError(where(e.key_mark) + place + " is " + manifest::kind_name(e.value.kind()) +
                        "; Lambda's environment values are strings");
      }
      s.environment[e.key] = e.value.is_null()     ? ""
                             : e.value.is_string() ? e.value.as_string()
                                                   : e.value.to_text();
    }
    d.tags = target.tags;
    for (const auto& e : f.tags.entries())
      d.tags[e.key] = e.value.is_string() ? e.value.as_string() : e.value.to_text();
    d.async = desired_async(target, service, f);
    d.reserved_concurrency = f.reserved_concurrency;
    if (f.provisioned_concurrency.value_or(0) > 0) d.provisioned_concurrency = f.provisioned_concurrency;
    if (f.url) {
      const manifest::Value* auth = f.url->is_map() ? f.url->find("authorizer") : nullptr;
      if (!f.url->is_bool() || f.url->as_bool())
        d.url_auth = auth && auth->is_string() && auth->as_string() == "aws_iam" ? "AWS_IAM" : "NONE";
    }
    auto code = artifacts.find(f.key);
    if (code == artifacts.end())
      throw UserError(where(f.mark) + "functions." + f.key +
                      " has no packaged zip to deploy (a package.artifact on S3 is not supported yet); "
                      "package it from the service folder instead");
    d.code = code->second;
    if (d.code.size > kDirectUploadLimit)
      throw UserError(
          where(f.mark) + "functions." + f.key + ": its zip " + d.code.zip.filename().string() + " is " +
          ui::format_size(d.code.size) +
          ", over Lambda's 50 MB limit for a zip uploaded directly; make it smaller (package.patterns "
          "to leave files out, layers for large dependencies)");
    out.push_back(std::move(d));
  }
  return out;
}

std::vector<std::string> settings_differences(const aws::LambdaSettings& desired,
                                              const aws::LambdaSettings& deployed) {
  std::vector<std::string> out;
  auto text = [&](const char* name, const std::string& want, const std::string& have) {
    if (want != have) out.push_back(std::string(name) + " '" + have + "' -> '" + want + "'");
  };
  auto number = [&](const char* name, int want, int have) {
    if (want != have)
      out.push_back(std::string(name) + " " + std::to_string(have) + " -> " + std::to_string(want));
  };
  text("runtime", desired.runtime, deployed.runtime);
  text("handler", desired.handler, deployed.handler);
  text("role", desired.role, deployed.role);
  text("description", desired.description, deployed.description);
  number("memory", desired.memory_size, deployed.memory_size);
  number("timeout", desired.timeout, deployed.timeout);
  text("architecture", desired.architecture, deployed.architecture);
  number("ephemeral storage", desired.ephemeral_storage, deployed.ephemeral_storage);
  if (desired.environment != deployed.environment) out.push_back("environment");
  return out;
}

std::string unsupported_warning(const Target& target, const manifest::Service& service) {
  std::vector<std::string> items;
  auto add = [&](const std::string& s) {
    if (std::find(items.begin(), items.end(), s) == items.end()) items.push_back(s);
  };
  for (const auto& f : service.functions) {
    const std::string at = "functions." + f.key + ".";
    if (!f.image.empty()) add(at + "image (container image functions)");
    if (!f.layers.items().empty()) add(at + "layers");
    if (f.on_error) add(at + "onError");
    if (f.url && f.url->is_map() && f.url->find("cors")) add(at + "url.cors");
    if (target.platform) {
      if (f.reserved_concurrency) add(at + "reservedConcurrency (the platform has no concurrency API)");
      if (f.log_retention_in_days) add(at + "logRetentionInDays (the platform keeps logs a week)");
      std::string async_settings;  // those the function sets
      for (const auto& [name, set] : {std::pair{"maximumRetryAttempts", f.maximum_retry_attempts.has_value()},
                                      {"maximumEventAge", f.maximum_event_age.has_value()},
                                      {"destinations", f.destinations.has_value()}})
        if (set) async_settings += (async_settings.empty() ? "" : ", ") + std::string(name);
      if (!async_settings.empty())
        add(at + async_settings + " (the platform has no asynchronous invocation settings API)");
      if (!f.tags.entries().empty()) add(at + "tags (the platform keeps no tags)");
    }
  }
  if (!service.layers.entries().empty()) add("layers");
  if (target.platform && service.provider.log_retention_in_days)
    add("provider.logRetentionInDays (the platform keeps logs a week)");
  if (const manifest::Value* role = provider_role(service); role && role->is_map()) {
    for (const char* key : {"managedPolicies", "permissionsBoundary", "path", "tags"})
      if (role->find(key)) add(std::string("provider.iam.role.") + key);
  }
  if (!service.resources.entries().empty()) add("resources (CloudFormation)");
  if (target.platform && !service.provider.tags.entries().empty())
    add("provider.tags (the platform keeps no tags)");
  if (items.empty()) return "";
  std::string out = "not deployed yet, left out: ";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + items[i];
  return out;
}

}  // namespace stratus::deploy
