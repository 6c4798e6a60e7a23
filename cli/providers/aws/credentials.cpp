#include "cli/providers/aws/credentials.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <tuple>
#include <vector>

#include "cli/errors.hpp"

namespace stratus::aws {

namespace {

using Section = std::map<std::string, std::string>;

// One shared file (credentials or config) as the AWS CLI reads it: `[section]` headers,
// `key = value` (or `key: value`) lines with lower-cased keys, `#`/`;` comment lines, and indented
// lines as the sub-values of the key above them (skipped: no setting here uses them).
struct SharedFile {
  std::string path;
  bool exists = false;
  std::map<std::string, Section> sections;
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

SharedFile read_shared_file(const std::string& path) {
  SharedFile file;
  file.path = path;
  std::ifstream in(path);
  if (!in) return file;
  file.exists = true;
  std::string line;
  Section* current = nullptr;
  while (std::getline(in, line)) {
    std::string_view text = trim(line);
    if (text.empty() || text.front() == '#' || text.front() == ';') continue;
    if (line.front() == ' ' || line.front() == '\t') continue;  // a nested sub-value
    if (text.front() == '[') {
      std::size_t close = text.find(']');
      if (close == std::string_view::npos) {
        current = nullptr;
        continue;
      }
      current = &file.sections[std::string(trim(text.substr(1, close - 1)))];
      continue;
    }
    if (current == nullptr) continue;
    std::size_t sep = text.find_first_of("=:");
    if (sep == std::string_view::npos) continue;
    (*current)[lower(trim(text.substr(0, sep)))] = std::string(trim(text.substr(sep + 1)));
  }
  return file;
}

// The config file names profiles `[profile x]` (and `[default]`); the credentials file `[x]`.
const Section* config_profile(const SharedFile& config, const std::string& profile) {
  for (const auto& [name, section] : config.sections) {
    if (profile == "default" && name == "default") return &section;
    if (name.starts_with("profile") && name.size() > 7 && (name[7] == ' ' || name[7] == '\t') &&
        std::string(trim(std::string_view(name).substr(8))) == profile) {
      return &section;
    }
  }
  return nullptr;
}

const Section* credentials_profile(const SharedFile& credentials, const std::string& profile) {
  auto it = credentials.sections.find(profile);
  return it == credentials.sections.end() ? nullptr : &it->second;
}

std::string value_of(const Section* section, const std::string& key) {
  if (section == nullptr) return {};
  auto it = section->find(key);
  return it == section->end() ? std::string() : it->second;
}

std::string env_value(const EnvLookup& env, const std::string& name) {
  auto v = env(name);
  return v ? *v : std::string();
}

struct Files {
  SharedFile credentials;
  SharedFile config;
};

std::string expand_home(const std::string& path, const std::string& home) {
  if (path == "~" || path.starts_with("~/")) return home + path.substr(1);
  return path;
}

Files read_files(const CredentialOptions& options) {
  std::string home = options.home.empty() ? env_value(options.env, "HOME") : options.home;
  std::string credentials_path = env_value(options.env, "AWS_SHARED_CREDENTIALS_FILE");
  if (credentials_path.empty()) credentials_path = home + "/.aws/credentials";
  std::string config_path = env_value(options.env, "AWS_CONFIG_FILE");
  if (config_path.empty()) config_path = home + "/.aws/config";
  return {read_shared_file(expand_home(credentials_path, home)),
          read_shared_file(expand_home(config_path, home))};
}

std::string describe(const SharedFile& file) {
  return file.path + (file.exists ? "" : " (no such file)");
}

// The profile in effect and what chose it.
std::pair<std::string, std::string> choose_profile(const CredentialOptions& options) {
  if (!options.profile_flag.empty()) return {options.profile_flag, "--aws-profile"};
  for (const char* name : {"AWS_PROFILE", "AWS_DEFAULT_PROFILE"}) {
    std::string value = env_value(options.env, name);
    if (!value.empty()) return {value, name};
  }
  if (!options.manifest_profile.empty()) return {options.manifest_profile, "provider.profile"};
  return {"default", ""};
}

std::string profile_names(const Files& files) {
  std::vector<std::string> names;
  for (const auto& [name, unused] : files.credentials.sections) names.push_back(name);
  for (const auto& [name, unused] : files.config.sections) {
    if (name == "default") names.push_back(name);
    if (name.starts_with("profile ")) names.emplace_back(trim(std::string_view(name).substr(8)));
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "none" : out;
}

const char* const kFixAny =
    "run `aws configure`, set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or name a profile with "
    "--aws-profile";

// The region and what set it.
std::pair<std::string, std::string> region_of(const CredentialOptions& options, const Files& files,
                                              const std::string& profile) {
  if (!options.region_flag.empty()) return {options.region_flag, "--region"};
  for (const char* name : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
    std::string value = env_value(options.env, name);
    if (!value.empty()) return {value, name};
  }
  if (!options.manifest_region.empty()) return {options.manifest_region, "provider.region"};
  std::string configured = value_of(config_profile(files.config, profile), "region");
  if (!configured.empty()) return {configured, files.config.path + " [" + profile + "]"};
  return {"us-east-1", "default"};
}

}  // namespace

EnvLookup process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

std::string resolve_region(const CredentialOptions& options) {
  Files files = read_files(options);
  return region_of(options, files, choose_profile(options).first).first;
}

ResolvedCredentials resolve_credentials(const CredentialOptions& options) {
  ResolvedCredentials out;
  Files files = read_files(options);
  auto [profile, profile_from] = choose_profile(options);
  const Section* from_credentials = credentials_profile(files.credentials, profile);
  const Section* from_config = config_profile(files.config, profile);

  // Region first: it never fails.
  std::tie(out.region, out.region_source) = region_of(options, files, profile);

  std::string env_key = env_value(options.env, "AWS_ACCESS_KEY_ID");
  std::string env_secret = env_value(options.env, "AWS_SECRET_ACCESS_KEY");
  if (options.profile_flag.empty() && (!env_key.empty() || !env_secret.empty())) {
    if (env_key.empty() || env_secret.empty()) {
      throw UserError(std::string(env_key.empty() ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID") +
                      " is set but " + (env_key.empty() ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY") +
                      " is not: set both, or unset it to use a profile from " + files.credentials.path);
    }
    out.credentials = {env_key, env_secret, env_value(options.env, "AWS_SESSION_TOKEN")};
    out.credentials_source = "environment";
    return out;
  }

  const std::string chosen_by = profile_from.empty() ? "" : " (from " + profile_from + ")";
  if (from_credentials == nullptr && from_config == nullptr) {
    if (profile_from.empty()) {
      throw UserError(
          "no AWS credentials found: AWS_ACCESS_KEY_ID is not set and there is no [default] profile in " +
          describe(files.credentials) + " or " + describe(files.config) + "; fix: " + kFixAny);
    }
    throw UserError("AWS profile '" + profile + "'" + chosen_by + " not found in " +
                    describe(files.credentials) + " or " + describe(files.config) +
                    " (profiles there: " + profile_names(files) +
                    "); fix: add it with `aws configure --profile " + profile + "`, or name another profile");
  }

  for (const Section* section : {from_credentials, from_config}) {
    std::string key = value_of(section, "aws_access_key_id");
    std::string secret = value_of(section, "aws_secret_access_key");
    if (key.empty() && secret.empty()) continue;
    const SharedFile& file = section == from_credentials ? files.credentials : files.config;
    if (key.empty() || secret.empty()) {
      throw UserError("AWS profile '" + profile + "' in " + file.path + " has " +
                      (key.empty() ? "aws_secret_access_key but no aws_access_key_id"
                                   : "aws_access_key_id but no aws_secret_access_key") +
                      "; fix: add the missing line, or run `aws configure --profile " + profile + "`");
    }
    out.credentials = {key, secret, value_of(section, "aws_session_token")};
    out.profile = profile;
    out.credentials_source = file.path + " [" + profile + "]";
    return out;
  }

  for (const char* unsupported : {"role_arn", "sso_session", "sso_start_url", "credential_process"}) {
    if (!value_of(from_config, unsupported).empty() || !value_of(from_credentials, unsupported).empty()) {
      throw UserError("AWS profile '" + profile + "'" + chosen_by + " uses " + unsupported +
                      ", which stratus does not support yet; fix: export temporary keys with `aws configure "
                      "export-credentials --profile " +
                      profile + " --format env` and run again");
    }
  }
  throw UserError("AWS profile '" + profile + "'" + chosen_by + " has no aws_access_key_id in " +
                  describe(files.credentials) + " or " + describe(files.config) + "; fix: " + kFixAny);
}

// ---- endpoints ------------------------------------------------------------------------------

namespace {

struct ServiceInfo {
  std::string_view name;        // our name for it (and botocore's client name)
  std::string_view service_id;  // the SDKs' serviceId, which names the endpoint variable
  std::string_view host;        // the endpoint prefix
  std::string_view signing_name;
  bool global;  // one endpoint for every region, signed for us-east-1
};

constexpr ServiceInfo kServices[] = {
    {"lambda", "Lambda", "lambda", "lambda", false},
    {"apigatewayv2", "ApiGatewayV2", "apigateway", "apigateway", false},
    {"events", "EventBridge", "events", "events", false},
    {"iam", "IAM", "iam", "iam", true},
    {"sts", "STS", "sts", "sts", false},
    {"logs", "CloudWatch Logs", "logs", "logs", false},
    {"s3", "S3", "s3", "s3", false},
    {"sqs", "SQS", "sqs", "sqs", false},
    {"cloudformation", "CloudFormation", "cloudformation", "cloudformation", false},
};

}  // namespace

std::string endpoint_variable(std::string_view service_id) {
  std::string out = "AWS_ENDPOINT_URL_";
  for (char c : service_id) {
    if (c == ' ') {
      out += '_';
    } else if (c >= 'a' && c <= 'z') {
      out += static_cast<char>(c - 'a' + 'A');
    } else {
      out += c;
    }
  }
  return out;
}

Endpoint resolve_endpoint(std::string_view service, std::string_view region, std::string_view override_url,
                          const EnvLookup& env) {
  const ServiceInfo* info = nullptr;
  for (const auto& s : kServices) {
    if (s.name == service) info = &s;
  }
  if (info == nullptr) throw std::invalid_argument("unknown AWS service '" + std::string(service) + "'");

  Endpoint e;
  e.signing_service = std::string(info->signing_name);
  e.signing_region = info->global ? "us-east-1" : std::string(region);
  if (!override_url.empty()) {
    e.url = std::string(override_url);
    e.source = "--endpoint";
  } else if (lower(env_value(env, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")) != "true") {
    std::string variable = endpoint_variable(info->service_id);
    if (std::string v = env_value(env, variable); !v.empty()) {
      e.url = v, e.source = variable;
    } else if (std::string g = env_value(env, "AWS_ENDPOINT_URL"); !g.empty()) {
      e.url = g, e.source = "AWS_ENDPOINT_URL";
    }
  }
  if (e.url.empty()) {
    const bool china = std::string_view(region).starts_with("cn-");
    std::string suffix = china ? ".amazonaws.com.cn" : ".amazonaws.com";
    e.url = "https://" + std::string(info->host) + (info->global && !china ? "" : "." + std::string(region)) +
            suffix;
    e.source = "default";
  }
  while (e.url.size() > 1 && e.url.back() == '/') e.url.pop_back();
  return e;
}

}  // namespace stratus::aws
