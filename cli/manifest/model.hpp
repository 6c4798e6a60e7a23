#pragma once
// The typed service model: what the packager, the emulator front end and the deployer consume.
// Built from a resolved and validated manifest by build_service(); nothing here holds `${...}`.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "cli/manifest/value.hpp"

namespace stratus::manifest {

// package: at service or function level. include/exclude (the pre-v3 keys) are folded into
// `patterns` at build time: excludes become "!pattern", in the v3 order (excludes, then includes).
struct PackageConfig {
  std::vector<std::string> patterns;
  std::string artifact;              // a prebuilt zip; when set, patterns are ignored
  std::optional<bool> individually;  // service level: one zip per function
  bool exclude_dev_dependencies = true;
};

// `http` (API Gateway REST, payload 1.0).
struct HttpEvent {
  std::string method;                        // upper case; "ANY" for any
  std::string path;                          // with a leading '/', e.g. "/users/{id}", "/{proxy+}"
  std::string integration = "lambda-proxy";  // lambda-proxy | lambda | http | http-proxy | mock
  bool cors = false;
  bool is_private = false;
  bool async = false;
};

// `httpApi` (API Gateway HTTP API).
struct HttpApiEvent {
  std::string method;   // upper case; "*" for any method; both "*" when the route is "*" ($default)
  std::string path;     // "/users/{id}"; "*" for the catch-all route
  std::string payload;  // "2.0" (default) or "1.0", resolved from the event, then provider.httpApi.payload
};

struct ScheduleEvent {
  std::vector<std::string> expressions;  // rate(...) / cron(...), already checked
  bool enabled = true;
  std::string name;
  std::string description;
  std::optional<Value> input;  // a string or object, passed as the event
  std::string input_path;
  std::optional<Value> input_transformer;
};

struct SqsEvent {
  Value arn;               // a string ARN or a CloudFormation intrinsic ({Fn::GetAtt: [Queue, Arn]})
  std::string queue_name;  // derived from a string ARN, or the referenced resource's logical id
  int batch_size = 10;
  int maximum_batching_window = 0;
  bool enabled = true;
  bool report_batch_item_failures = false;
  std::optional<Value> filter_patterns;
};

struct S3Event {
  std::string bucket;
  std::string event = "s3:ObjectCreated:*";
  std::string prefix;
  std::string suffix;
  bool existing = false;
};

// Event types that are parsed and kept for deploy but not yet run locally
// (sns, eventBridge, stream, websocket, alb, cloudwatchEvent, ...).
struct OtherEvent {};

struct Event {
  std::string type;  // the key as written: "http", "httpApi", "schedule", "sqs", "s3", "sns", ...
  Value raw;         // the event's value as written (after variables)
  Mark mark;
  std::variant<OtherEvent, HttpEvent, HttpApiEvent, ScheduleEvent, SqsEvent, S3Event> detail;
};

struct Function {
  std::string key;   // the key under `functions:`
  std::string name;  // the deployed name, default "<service>-<stage>-<key>"
  std::string handler;
  std::string image;
  std::string runtime;
  std::string architecture;          // x86_64 | arm64
  int memory_size = 1024;            // MB
  int timeout = 6;                   // seconds
  int ephemeral_storage_size = 512;  // MB
  std::string description;
  std::string role;  // an ARN or a logical name, as written; empty when not given
  Value environment =
      Value::map();  // provider.environment merged with the function's; values may be intrinsics
  Value tags = Value::map();
  std::optional<int> reserved_concurrency;
  std::optional<int> provisioned_concurrency;
  std::optional<Value> url;  // `url: true` or its object form
  std::optional<int> maximum_retry_attempts;
  std::optional<int> maximum_event_age;
  std::optional<int> log_retention_in_days;  // wins over provider.logRetentionInDays
  std::optional<Value> destinations;
  std::optional<Value> on_error;
  Value layers = Value::sequence();
  PackageConfig package;
  std::vector<Event> events;
  Mark mark;
};

struct Provider {
  std::string name = "aws";  // aws | stratus (a `stratus serve` platform)
  std::string endpoint;      // provider.endpoint: the platform's URL for provider stratus
  std::string runtime;
  std::string stage = "dev";
  std::string region = "us-east-1";
  std::string profile;
  std::string architecture = "x86_64";
  int memory_size = 1024;
  int timeout = 6;
  std::optional<int> log_retention_in_days;
  std::string deployment_bucket;  // provider.deploymentBucket (string) or .name
  Value environment = Value::map();
  Value tags = Value::map();
  Value iam = Value::map();
  Value http_api = Value::map();
  Value api_gateway = Value::map();
};

struct Service {
  std::string name;
  std::string framework_version;
  std::string config_validation_mode = "warn";  // warn | error | off
  bool use_dotenv = false;
  Provider provider;
  PackageConfig package;
  std::vector<Function> functions;  // in manifest order
  Value layers = Value::map();
  Value custom = Value::map();
  Value plugins = Value::sequence();
  Value resources = Value::map();

  std::filesystem::path dir;          // the service folder (the manifest's folder)
  std::filesystem::path config_file;  // the manifest's path

  const Function* find_function(std::string_view key) const;
};

}  // namespace stratus::manifest
