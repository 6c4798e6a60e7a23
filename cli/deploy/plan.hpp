#pragma once
// The seam every deploy step shares. A deploy is planned before anything changes: the planners read
// what exists, list the calls that would change it, and `apply` runs them in order. An unchanged
// service plans nothing, so a repeated deploy makes no mutating call.
//
// Who plans what: cli/deploy/functions.* (IAM role, Lambda functions, URLs, concurrency, tags) and
// cli/deploy/triggers.* (API Gateway v2, EventBridge schedules, SQS mappings, S3 notifications and
// the Lambda permissions they need). Function actions run before trigger actions; removal runs in
// the reverse order.
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace stratus::aws {
class Client;
}

namespace stratus::deploy {

// One change: what it does in words, and the call(s) that do it.
struct Action {
  std::string what;             // "create function svc-dev-hello", "add route GET /users", ...
  std::function<void()> apply;  // makes the mutating call(s); throws UserError (exit 1) on failure
};
using Plan = std::vector<Action>;

// Every resource a deploy creates carries these tags (plus provider.tags); `remove` finds what the
// service created by them, and touches nothing else.
inline constexpr const char* kServiceTag = "stratus:service";
inline constexpr const char* kStageTag = "stratus:stage";

// The alias a function with provisionedConcurrency is invoked through (the Serverless Framework's).
inline constexpr const char* kProvisionedAlias = "provisioned";

// A function as the triggers see it. Its ARN is known before it exists.
struct FunctionTarget {
  std::string key;        // the key under `functions:`
  std::string name;       // the deployed name ("svc-dev-hello")
  std::string arn;        // what triggers invoke: "arn:aws:lambda:<region>:<account>:function:<name>",
                          // with ":<qualifier>" when there is one
  std::string qualifier;  // kProvisionedAlias for a function with provisionedConcurrency, else ""

  // The FunctionName for Lambda's calls on what the triggers invoke: "name" or "name:qualifier".
  std::string reference() const { return qualifier.empty() ? name : name + ":" + qualifier; }
};

// Where a deploy goes and what it is called there.
struct Target {
  aws::Client* client = nullptr;
  std::string region;
  std::string account_id;  // STS GetCallerIdentity (AWS, moto), or the platform's account
  std::string service;
  std::string stage;
  std::map<std::string, std::string> tags;  // provider.tags + kServiceTag + kStageTag
  std::vector<FunctionTarget> functions;    // in manifest order
  bool platform = false;                    // a `stratus serve` platform: Lambda's API only
};

// Whether `tags` say the resource was deployed by `target`'s service and stage.
inline bool tagged_ours(const Target& target, const std::map<std::string, std::string>& tags) {
  auto service = tags.find(kServiceTag);
  auto stage = tags.find(kStageTag);
  return service != tags.end() && stage != tags.end() && service->second == target.service &&
         stage->second == target.stage;
}

// One line of `stratus info`'s endpoints: "httpApi", "GET /users", "https://…/users".
struct Endpoint {
  std::string kind;          // "httpApi", "http", "url", "schedule", "sqs", "s3"
  std::string function_key;  // the function it invokes
  std::string description;   // "GET /users", "rate(5 minutes)", "queue jobs", "bucket uploads"
  std::string url;           // for HTTP endpoints; "" otherwise
};

}  // namespace stratus::deploy
