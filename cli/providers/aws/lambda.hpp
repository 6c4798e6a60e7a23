#pragma once
// Typed calls to Lambda's control plane (rest-json, spec/aws-protocols.md 2.2) for the deployer:
// functions, their code and configuration, the state waiters, reserved concurrency, tags, function
// URLs and the permission a public URL needs. Every failure becomes a UserError (exit 1) that says
// what was being done and carries AwsError::describe().
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace stratus::aws {

class Client;

// The settings a deploy manages, as Lambda reports and accepts them.
struct LambdaSettings {
  std::string runtime;
  std::string handler;
  std::string role;
  std::string description;
  int memory_size = 128;
  int timeout = 3;
  std::string architecture = "x86_64";
  int ephemeral_storage = 512;
  std::map<std::string, std::string> environment;

  friend bool operator==(const LambdaSettings&, const LambdaSettings&) = default;
};

// FunctionConfiguration: the settings plus what Lambda says about the function.
struct LambdaFunction {
  std::string name;
  std::string arn;
  LambdaSettings settings;
  std::string code_sha256;  // base64 of the zip's SHA-256
  long long code_size = 0;
  std::string revision_id;
  std::string last_modified;
  std::string state;               // Pending, Active, Failed, ... ("" when not reported)
  std::string state_reason;        //
  std::string last_update_status;  // InProgress, Successful, Failed ("" when not reported)
  std::string last_update_reason;
  std::string package_type = "Zip";
  std::string version = "$LATEST";  // a published version's number
};

// GetFunction: the configuration, its tags and its reserved concurrency.
struct LambdaFunctionInfo {
  LambdaFunction function;
  std::map<std::string, std::string> tags;
  std::optional<int> reserved_concurrency;
};

// How asynchronous invocations end (Get/PutFunctionEventInvokeConfig, on $LATEST).
struct EventInvokeConfig {
  std::optional<int> maximum_retry_attempts;  // 0-2; unset: Lambda's default (2)
  std::optional<int> maximum_event_age;       // seconds, 60-21600; unset: 6 hours
  std::string on_success;                     // destination ARNs, "" for none
  std::string on_failure;

  friend bool operator==(const EventInvokeConfig&, const EventInvokeConfig&) = default;
};

struct LambdaAlias {
  std::string name;
  std::string function_version;
  std::string arn;
};

// A provisioned concurrency configuration (Get/PutProvisionedConcurrencyConfig).
struct ProvisionedConcurrency {
  int requested = 0;
  int allocated = 0;
  int available = 0;
  std::string status;  // IN_PROGRESS | READY | FAILED
  std::string status_reason;
};

struct FunctionUrl {
  std::string url;
  std::string auth_type;  // NONE | AWS_IAM
};

// Polling bounds for the waiters: the first delay is short (most updates finish within a second
// on moto and the platform), then it doubles up to `max_delay`, for at most `timeout` in all.
struct WaitPolicy {
  std::chrono::milliseconds first_delay{100};
  std::chrono::milliseconds max_delay{2000};
  std::chrono::milliseconds timeout{300'000};
  std::function<void(std::chrono::milliseconds)> sleep;  // empty: std::this_thread::sleep_for
};

class LambdaApi {
 public:
  explicit LambdaApi(Client& client, WaitPolicy wait = {}) : m_client(client), m_wait(std::move(wait)) {}

  // nullopt when the function does not exist.
  std::optional<LambdaFunctionInfo> get_function(const std::string& name);
  // `qualifier`: "" for $LATEST, a version number or an alias.
  LambdaFunction get_function_configuration(const std::string& name, const std::string& qualifier = "");
  // Every function in the region, following NextMarker.
  std::vector<LambdaFunction> list_functions();

  LambdaFunction create_function(const std::string& name, const LambdaSettings& settings,
                                 const std::string& zip, const std::map<std::string, std::string>& tags);
  LambdaFunction update_function_code(const std::string& name, const std::string& zip);
  LambdaFunction update_function_configuration(const std::string& name, const LambdaSettings& settings);
  void delete_function(const std::string& name);

  // Waits until State leaves Pending (create) / LastUpdateStatus leaves InProgress (update). Throws
  // UserError (exit 1) on Failed, naming the reason, and when the time runs out.
  LambdaFunction wait_active(const std::string& name);
  LambdaFunction wait_updated(const std::string& name);

  void put_concurrency(const std::string& name, int reserved);
  void delete_concurrency(const std::string& name);

  // PublishVersion, only when $LATEST's code is `code_sha256` (else 412 PreconditionFailed): the
  // new version (or the newest one, when nothing changed since it was published).
  LambdaFunction publish_version(const std::string& name, const std::string& code_sha256);
  std::optional<LambdaAlias> get_alias(const std::string& name, const std::string& alias);  // nullopt: none
  LambdaAlias create_alias(const std::string& name, const std::string& alias, const std::string& version);
  LambdaAlias update_alias(const std::string& name, const std::string& alias, const std::string& version);
  void delete_alias(const std::string& name, const std::string& alias);

  // Provisioned concurrency of a version or alias; nullopt when it has none.
  std::optional<ProvisionedConcurrency> get_provisioned(const std::string& name,
                                                        const std::string& qualifier);
  ProvisionedConcurrency put_provisioned(const std::string& name, const std::string& qualifier, int count);
  void delete_provisioned(const std::string& name, const std::string& qualifier);

  std::optional<EventInvokeConfig> get_event_invoke_config(const std::string& name);  // nullopt: none
  void put_event_invoke_config(const std::string& name, const EventInvokeConfig& config);
  void delete_event_invoke_config(const std::string& name);

  void tag(const std::string& arn, const std::map<std::string, std::string>& tags);
  void untag(const std::string& arn, const std::vector<std::string>& keys);

  std::optional<FunctionUrl> get_url(const std::string& name);  // nullopt: no URL
  FunctionUrl create_url(const std::string& name, const std::string& auth_type);
  FunctionUrl update_url(const std::string& name, const std::string& auth_type);
  void delete_url(const std::string& name);

 private:
  LambdaFunction wait_for(const std::string& name, bool creating);

  Client& m_client;
  WaitPolicy m_wait;
};

// Reads a FunctionConfiguration JSON object (for tests and the readers above).
LambdaFunction parse_function_configuration(const std::string& json);

// The body of CreateFunction / UpdateFunctionConfiguration for `settings` (JSON text).
std::string settings_json(const LambdaSettings& settings);

}  // namespace stratus::aws
