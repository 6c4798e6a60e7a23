#pragma once
// Plans the IAM execution role and the Lambda functions of a service (see plan.hpp for the seam).
//
// The role: `provider.iam.role` / `functions.*.role` given as an ARN is used as it is; otherwise
// one role per service, named as the Serverless Framework names it (`<service>-<stage>-<region>-
// lambdaRole`, or provider.iam.role.name), trusted by lambda.amazonaws.com, with one inline policy
// (CloudWatch Logs basics plus provider.iam.role.statements), tagged as ours. A `stratus serve`
// platform has no IAM: functions get a well-formed placeholder role in the platform's account.
//
// A function: its desired settings come from the manifest, its code from the packaged zip. What is
// deployed is read with GetFunction and compared by value (code by CodeSha256), and only what
// differs is planned: create, code, configuration, tags, reserved
// concurrency, URL, and the asynchronous-invocation settings (maximumRetryAttempts, maximumEventAge,
// destinations: an ARN or a function of the service by key; the managed role may send to them).
//
// `provisionedConcurrency: N` is deployed as the Serverless Framework does: a version published
// from the deployed code, alias `provisioned` pointing at it, N provisioned on the alias, and the
// function's triggers invoking the alias (FunctionTarget::qualifier). A version is published only
// when the alias's version differs from what is deployed; the deploy does not wait for READY.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cli/deploy/plan.hpp"
#include "cli/providers/aws/lambda.hpp"

namespace stratus::manifest {
struct Service;
struct Function;
}  // namespace stratus::manifest

namespace stratus::deploy {

// A function's packaged zip.
struct FunctionCode {
  std::filesystem::path zip;
  std::uint64_t size = 0;
  std::string sha256_base64;  // what Lambda reports as CodeSha256
};
using Artifacts = std::map<std::string, FunctionCode>;  // by function key

// Lambda's limit for a zip uploaded in the request (ZipFile), in bytes.
inline constexpr std::uint64_t kDirectUploadLimit = 50ull * 1024 * 1024;

// The role the service's functions run with when none is given as an ARN.
struct ManagedRole {
  std::string name;
  std::string arn;
  std::string policy_name;  // the inline policy: "<service>-<stage>-lambda"
  std::string policy;       // its document, JSON text
};

// What a function should look like once deployed.
struct DesiredFunction {
  std::string key;
  std::string name;
  std::string arn;
  aws::LambdaSettings settings;
  std::map<std::string, std::string> tags;  // Target tags + the function's tags
  std::optional<int> reserved_concurrency;
  std::optional<int> provisioned_concurrency;   // > 0: a version behind alias kProvisionedAlias
  std::optional<aws::EventInvokeConfig> async;  // maximumRetryAttempts, maximumEventAge, destinations
  std::optional<std::string> url_auth;          // "NONE" / "AWS_IAM" when the function has `url`
  FunctionCode code;
};

// "<service>-<stage>-<region>-lambdaRole", or provider.iam.role.name. Throws UserError (exit 2)
// when the name is longer than IAM's 64 characters, naming the setting that shortens it.
std::string managed_role_name(const manifest::Service& service, const std::string& stage,
                              const std::string& region);

// The managed role for `target`, or nullopt when every function has a role ARN (or on a platform).
// Throws UserError (exit 2) when a role is given but is not an ARN, or a statement holds an
// intrinsic that cannot be resolved without CloudFormation.
std::optional<ManagedRole> managed_role(const Target& target, const manifest::Service& service);

// The inline policy document: logs for every function's log group, then the user's statements.
std::string role_policy_document(const Target& target, const manifest::Service& service);

// The desired state of every zip function, in manifest order (image functions are skipped: see
// unsupported_warning). Throws UserError (exit 2) for an environment value that is an intrinsic,
// a missing artifact, or a zip over kDirectUploadLimit.
std::vector<DesiredFunction> desired_functions(const Target& target, const manifest::Service& service,
                                               const Artifacts& artifacts,
                                               const std::string& managed_role_arn);

// The names of the settings that differ ("memory 128 -> 256", "environment"), empty when equal.
std::vector<std::string> settings_differences(const aws::LambdaSettings& desired,
                                              const aws::LambdaSettings& deployed);

// One warning naming every setting the deployer does not apply yet (provisionedConcurrency,
// layers, image functions, ...), "" when there is none.
std::string unsupported_warning(const Target& target, const manifest::Service& service);

// Reads what exists and plans the role and the functions. `warnings` gets unsupported_warning.
// Throws UserError (exit 1) when a function of that name exists but another service owns it.
Plan plan_functions(const Target& target, const manifest::Service& service, const Artifacts& artifacts,
                    std::vector<std::string>& warnings);

// Deletes the functions whose tags say this service and stage (on a platform: the manifest's
// function names), then the managed role when its tags say ours.
Plan plan_remove_functions(const Target& target, const manifest::Service& service);

// Publishes a version of `name` from its $LATEST (whose code must be `code_sha256`) and points alias
// kProvisionedAlias at it, creating the alias when there is none. Returns the version.
std::string publish_provisioned_version(aws::Client& client, const std::string& name,
                                        const std::string& code_sha256);

// Base64 of the bytes a lowercase hex string spells ("" for bad hex).
std::string hex_to_base64(const std::string& hex);

}  // namespace stratus::deploy
