#pragma once
// Credentials, region and endpoints, found the way the AWS CLI finds them, so a machine set up for
// `aws` works for `stratus deploy` unchanged.
//
// Credentials, first match wins:
//   1. an explicit profile (the --aws-profile flag): that profile only; AWS_ACCESS_KEY_ID is then
//      ignored, as the AWS CLI ignores it under --profile;
//   2. AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN);
//   3. the profile named by AWS_PROFILE, else AWS_DEFAULT_PROFILE, else the manifest's
//      provider.profile, else "default": its keys from the shared credentials file
//      (AWS_SHARED_CREDENTIALS_FILE, default ~/.aws/credentials, sections `[name]`), then from the
//      config file (AWS_CONFIG_FILE, default ~/.aws/config, sections `[profile name]`, `[default]`).
//   Role assumption, SSO, credential_process and instance metadata are not supported: such a
//   profile is reported as having no keys, with the fix.
// Region, first match wins: the --region flag, AWS_REGION, AWS_DEFAULT_REGION, the manifest's
// provider.region, the profile's `region` in the config file, then us-east-1 (the Serverless
// Framework's default).
// Endpoints, first match wins: an explicit URL (--endpoint, provider.endpoint),
// AWS_ENDPOINT_URL_<SERVICE> (the service id upper-cased, spaces as underscores:
// AWS_ENDPOINT_URL_LAMBDA, AWS_ENDPOINT_URL_APIGATEWAYV2, AWS_ENDPOINT_URL_EVENTBRIDGE, ...),
// AWS_ENDPOINT_URL, then AWS's own https://<host>; the two variables are skipped when
// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true.
//
// Secrets never appear in a message: errors name files, profiles and variables only.
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "emulator/auth/sigv4.hpp"

namespace stratus::aws {

// Reads one environment variable (a seam for tests); the default reads the process environment.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
EnvLookup process_environment();

struct CredentialOptions {
  std::string profile_flag;      // --aws-profile; "" when not given
  std::string region_flag;       // --region
  std::string manifest_profile;  // provider.profile
  std::string manifest_region;   // provider.region
  EnvLookup env = process_environment();
  std::string home;  // "" = $HOME
};

struct ResolvedCredentials {
  auth::Credentials credentials;
  std::string region;
  std::string profile;             // the profile the keys came from; "" for environment keys
  std::string credentials_source;  // "environment", "/home/u/.aws/credentials [dev]", ...
  std::string region_source;       // "--region", "AWS_REGION", "provider.region", ...
};

// Throws UserError (exit code 2) naming where it looked and the fix when there are no credentials,
// when the chosen profile does not exist, or when a file cannot be read.
ResolvedCredentials resolve_credentials(const CredentialOptions& options);

// The region alone, by the same rules (the profile's region included), for commands that need
// no credentials.
std::string resolve_region(const CredentialOptions& options);

struct Endpoint {
  std::string url;              // "https://lambda.eu-west-1.amazonaws.com" or "http://127.0.0.1:5000"
  std::string signing_region;   // iam signs for us-east-1 whatever the region
  std::string signing_service;  // the SigV4 scope's service: "lambda", "apigateway", "events", ...
  std::string source;           // "default", "AWS_ENDPOINT_URL_LAMBDA", "AWS_ENDPOINT_URL", "--endpoint"
};

// `service` is one of: lambda, apigatewayv2, events, iam, sts, logs, s3, sqs, cloudformation.
// Throws std::invalid_argument for another (a programming error, not a user's).
Endpoint resolve_endpoint(std::string_view service, std::string_view region, std::string_view override_url,
                          const EnvLookup& env = process_environment());

// The variable AWS SDKs read for one service's endpoint: "AWS_ENDPOINT_URL_" + the service id
// upper-cased with spaces as underscores ("CloudWatch Logs" -> AWS_ENDPOINT_URL_CLOUDWATCH_LOGS).
std::string endpoint_variable(std::string_view service_id);

}  // namespace stratus::aws
