#include "emulator/platform/control_plane.hpp"

#include <algorithm>
#include <chrono>
#include <regex>
#include <stdexcept>
#include <system_error>

#include "emulator/common/base64.hpp"
#include "emulator/common/ids.hpp"
#include "emulator/common/sha256.hpp"
#include "emulator/common/utc_time.hpp"
#include "emulator/engine/engine.hpp"
#include "emulator/platform/control_plane_internal.hpp"
#include "emulator/platform/unzip.hpp"
#include "emulator/triggers/invoke_api/list_page.hpp"

namespace stratus::platform {

namespace {

using net::wire::Request;
using net::wire::Response;

constexpr std::string_view kFunctions = "/2015-03-31/functions";
constexpr std::string_view kUrls = "/2021-10-31/functions";
constexpr std::string_view kProvisioned = "/2019-09-30/functions";

// The values a create or update may set, checked one by one; the first bad one is the error.
// Absent members leave the record as it is.
std::optional<Response> apply_settings(const Json& body, FunctionRecord& r) {
  auto string_member = [&](const char* key, std::string& out) -> std::optional<Response> {
    if (!body.contains(key)) return std::nullopt;
    if (!body[key].is_string()) return invalid_parameter(std::string(key) + " must be a string");
    out = body[key].get<std::string>();
    return std::nullopt;
  };
  auto int_member = [&](const char* key, const char* member, int low, int high,
                        int& out) -> std::optional<Response> {
    if (!body.contains(key)) return std::nullopt;
    if (!body[key].is_number_integer()) return invalid_parameter(std::string(key) + " must be an integer");
    const long long v = body[key].get<long long>();
    if (v < low)
      return invalid_parameter(
          validation(std::to_string(v), member,
                     "Member must have value greater than or equal to " + std::to_string(low)));
    if (v > high)
      return invalid_parameter(validation(
          std::to_string(v), member, "Member must have value less than or equal to " + std::to_string(high)));
    out = static_cast<int>(v);
    return std::nullopt;
  };
  if (auto e = string_member("Runtime", r.runtime)) return e;
  if (auto e = string_member("Handler", r.handler)) return e;
  if (auto e = string_member("Role", r.role)) return e;
  if (auto e = string_member("Description", r.description)) return e;
  // Classic on-demand Lambda's limits (spec 2.2): 128-10,240 MB, 1-900 s.
  if (auto e = int_member("MemorySize", "memorySize", 128, 10240, r.memory_mb)) return e;
  if (auto e = int_member("Timeout", "timeout", 1, 900, r.timeout_s)) return e;
  if (body.contains("EphemeralStorage")) {
    const Json& storage = body["EphemeralStorage"];
    if (!storage.is_object() || !storage.contains("Size"))
      return invalid_parameter("EphemeralStorage must be an object with a Size");
    const Json& size = storage["Size"];
    if (!size.is_number_integer() || size.get<long long>() < 512 || size.get<long long>() > 10240)
      return invalid_parameter(
          validation(size.dump(), "ephemeralStorage.size", "Member must have value between 512 and 10240"));
    r.ephemeral_mb = size.get<int>();
  }
  if (body.contains("Environment")) {
    const Json& env = body["Environment"];
    if (!env.is_object()) return invalid_parameter("Environment must be an object");
    std::vector<std::pair<std::string, std::string>> vars;  // replaces the whole set, as Lambda does
    if (env.contains("Variables")) {
      if (!env["Variables"].is_object()) return invalid_parameter("Environment.Variables must be an object");
      static const std::regex key_pattern("[a-zA-Z]([a-zA-Z0-9_])+");
      for (const auto& [key, value] : env["Variables"].items()) {
        if (!std::regex_match(key, key_pattern))
          return invalid_parameter(validation(key, "environment.variables",
                                              "Member must satisfy regular expression pattern: "
                                              "[a-zA-Z]([a-zA-Z0-9_])+"));
        if (!value.is_string())
          return invalid_parameter("Environment.Variables." + key + " must be a string");
        vars.emplace_back(key, value.get<std::string>());
      }
    }
    std::sort(vars.begin(), vars.end());
    r.environment = std::move(vars);
  }
  if (body.contains("Architectures")) {
    const Json& arch = body["Architectures"];
    if (!arch.is_array() || arch.size() != 1 || !arch[0].is_string() ||
        (arch[0] != "x86_64" && arch[0] != "arm64"))
      return invalid_parameter(validation(
          arch.dump(), "architectures", "Member must have length 1 and each member must be x86_64 or arm64"));
    r.architecture = arch[0].get<std::string>();
  }
  return std::nullopt;
}

// The zip of a CreateFunction (Code.ZipFile) or UpdateFunctionCode (ZipFile), decoded.
std::optional<Response> zip_member(const Json& holder, const std::string& where, std::string& zip) {
  for (const char* other : {"S3Bucket", "S3Key", "ImageUri"})
    if (holder.contains(other))
      return invalid_parameter(where + other + " is not supported by stratus serve; send " + where +
                               "ZipFile (the zip, base64-encoded)");
  if (!holder.contains("ZipFile") || !holder["ZipFile"].is_string())
    return invalid_parameter(where + "ZipFile is required (the zip, base64-encoded)");
  auto decoded = base64_decode(holder["ZipFile"].get<std::string>());
  if (!decoded) return invalid_parameter(where + "ZipFile is not valid base64");
  zip = std::move(*decoded);
  return std::nullopt;
}

std::string code_sha256(std::string_view zip) {
  Sha256 h;
  h.update(zip);
  const Sha256Digest d = h.finish();
  return base64_encode(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}

Response unzip_failure(const UnzipError& error) {
  const std::string message =
      error.http_status() == 400
          ? "Could not unzip uploaded file. Please check your file, then try to upload "
            "again. (" +
                error.message + ")"
          : error.message;
  return lambda_error(error.http_status(), error.aws_error_code(), message);
}

std::string url_id() {
  return random_hex(32);
}

}  // namespace

Response json_response(int status, const Json& body) {
  Response res;
  res.status = status;
  res.body = body.dump();
  return res;
}

Response invalid_parameter(const std::string& message) {
  return lambda_error(400, "InvalidParameterValueException", message);
}

std::string last_modified_now() {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  const CivilTime c = civil_from_unix(ms / 1000);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04lld-%02d-%02dT%02d:%02d:%02d.%03d+0000", static_cast<long long>(c.year),
                c.month, c.day, c.hour, c.minute, c.second, static_cast<int>(ms % 1000));
  return buf;
}

std::string validation(const std::string& value, const std::string& member, const std::string& constraint) {
  return "1 validation error detected: Value '" + value + "' at '" + member +
         "' failed to satisfy constraint: " + constraint;
}

Json function_configuration(const FunctionRecord& r, const std::string& function_arn,
                            const std::string& version) {
  Json c = {
      {"FunctionName", r.name},       {"FunctionArn", function_arn},
      {"Runtime", r.runtime},         {"Role", r.role},
      {"Handler", r.handler},         {"CodeSize", r.code_size},
      {"Description", r.description}, {"Timeout", r.timeout_s},
      {"MemorySize", r.memory_mb},    {"LastModified", r.last_modified},
      {"CodeSha256", r.code_sha256},  {"Version", version},
  };
  if (!r.environment.empty()) {
    Json vars = Json::object();
    for (const auto& [key, value] : r.environment) vars[key] = value;
    c["Environment"] = {{"Variables", vars}};
  }
  c["TracingConfig"] = {{"Mode", "PassThrough"}};
  c["RevisionId"] = r.revision_id;
  c["State"] = "Active";
  c["LastUpdateStatus"] = "Successful";
  c["PackageType"] = "Zip";
  c["Architectures"] = Json::array({r.architecture});
  c["EphemeralStorage"] = {{"Size", r.ephemeral_mb}};
  c["LoggingConfig"] = {{"LogFormat", "Text"}, {"LogGroup", "/aws/lambda/" + r.name}};
  return c;
}

Response lambda_error(int status, const std::string& code, const std::string& message,
                      const char* message_key) {
  Response res = json_response(status, Json{{"Type", "User"}, {message_key, message}});
  res.headers.emplace_back("x-amzn-ErrorType", code);
  return res;
}

FunctionTarget resolve_function(const std::string& reference, const std::string& account_id,
                                const std::string& region) {
  static const std::regex name_pattern("[a-zA-Z0-9_-]{1,64}");
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    const std::size_t colon = reference.find(':', start);
    parts.push_back(reference.substr(start, colon - start));
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  std::string account = account_id;
  std::string name;
  std::optional<std::string> qualifier;
  if (parts.size() >= 7 && parts[0] == "arn" && parts[2] == "lambda" && parts[5] == "function") {
    account = parts[4];
    name = parts[6];
    if (parts.size() == 8) qualifier = parts[7];
    if (parts.size() > 8) name.clear();
  } else if (parts.size() >= 3 && parts[1] == "function") {
    account = parts[0];
    name = parts[2];
    if (parts.size() == 4) qualifier = parts[3];
    if (parts.size() > 4) name.clear();
  } else if (parts.size() <= 2) {
    name = parts[0];
    if (parts.size() == 2) qualifier = parts[1];
  }
  FunctionTarget target;
  target.arn =
      "arn:aws:lambda:" + region + ":" + account_id + ":function:" + (name.empty() ? reference : name);
  if (qualifier) target.arn += ":" + *qualifier;
  static const std::regex qualifier_pattern("[a-zA-Z0-9$_-]{1,128}");
  if (account != account_id || (qualifier && !std::regex_match(*qualifier, qualifier_pattern)) ||
      !std::regex_match(name, name_pattern))
    return target;
  target.name = name;
  if (qualifier) target.qualifier = *qualifier;
  return target;
}

// One request: the caller, the parsed body, and the operations.
struct ControlPlane::Call {
  ControlPlane& cp;
  const Request& req;
  const std::string& account;
  const std::string& host;

  std::string arn(const std::string& name) const {
    return "arn:aws:lambda:" + cp.m_region + ":" + account + ":function:" + name;
  }

  Response route() {
    std::string_view path = req.path;
    const bool urls = path.starts_with(kUrls);
    const bool provisioned = path.starts_with(kProvisioned);
    const std::string_view prefix = urls ? kUrls : provisioned ? kProvisioned : kFunctions;
    if (!path.starts_with(prefix)) return unknown_operation();
    std::string_view rest = path.substr(prefix.size());
    if (!urls && (rest.empty() || rest == "/")) {
      if (req.method == "GET") return list_functions();
      if (req.method == "POST") return create_function();
      return not_allowed("GET, POST");
    }
    if (rest.empty() || rest[0] != '/') return unknown_operation();
    rest.remove_prefix(1);
    const std::size_t slash = rest.find('/');
    const std::string reference = net::wire::percent_decode(rest.substr(0, slash), false);
    const std::string_view op = slash == std::string_view::npos ? "" : rest.substr(slash + 1);
    if (reference.empty()) return unknown_operation();
    VersionsCall versions{cp, req, account};
    if (provisioned) return versions.provisioned_route(reference, op);
    if (op == "versions" || op == "aliases" || op.starts_with("aliases/"))
      return versions.functions_route(reference, op);
    if (urls) {
      if (op != "url") return unknown_operation();
      if (req.method == "POST") return create_url(reference);
      if (req.method == "GET") return get_url(reference);
      if (req.method == "DELETE") return delete_url(reference);
      return not_allowed("GET, POST, DELETE");
    }
    if (op.empty()) {
      if (req.method == "GET") return get_function(reference, true);
      if (req.method == "DELETE") return delete_function(reference);
      return not_allowed("GET, DELETE");
    }
    if (op == "configuration") {
      if (req.method == "GET") return get_function(reference, false);
      if (req.method == "PUT") return update_configuration(reference);
      return not_allowed("GET, PUT");
    }
    if (op == "code") {
      if (req.method == "PUT") return update_code(reference);
      return not_allowed("PUT");
    }
    return unknown_operation();
  }

  Response unknown_operation() const {
    return lambda_error(404, "UnknownOperationException",
                        "No Lambda operation matches " + req.method + " " + req.path);
  }
  Response not_allowed(const char* allow) const {
    Response res = lambda_error(405, "MethodNotAllowedException",
                                "The method " + req.method + " is not allowed for " + req.path);
    res.headers.emplace_back("Allow", allow);
    return res;
  }
  Response not_found(const std::string& function_arn) const {
    return lambda_error(404, "ResourceNotFoundException", "Function not found: " + function_arn, "Message");
  }

  // The caller's function the path names, or the 404 to answer. Only $LATEST may be named.
  std::optional<FunctionRecord> find(const std::string& reference, Response& error) const {
    const FunctionTarget target = resolve_function(reference, account, cp.m_region);
    if (!target.name.empty() && (target.qualifier.empty() || target.qualifier == "$LATEST"))
      if (auto record = cp.m_registry.find(account, target.name)) return record;
    error = not_found(target.arn);
    return std::nullopt;
  }

  // The function and the qualifier of the path (or of ?Qualifier=, which must agree with it), or
  // the error to answer. The qualifier is "" for none.
  std::optional<FunctionRecord> find_qualified(const std::string& reference, std::string& qualifier,
                                               Response& error) const {
    const FunctionTarget target = resolve_function(reference, account, cp.m_region);
    qualifier = target.qualifier;
    if (auto query = req.query_param("Qualifier")) {
      if (!qualifier.empty() && qualifier != *query) {
        error = invalid_parameter(
            "The derived qualifier from the function name does not match the specified qualifier.");
        return std::nullopt;
      }
      qualifier = *query;
    }
    if (!target.name.empty())
      if (auto record = cp.m_registry.find(account, target.name)) return record;
    error = not_found(target.arn);
    return std::nullopt;
  }

  Json configuration(const FunctionRecord& r) const {
    return function_configuration(r, arn(r.name), "$LATEST");
  }

  // Puts `record` into the engine; the 400 to answer when its runtime cannot run here.
  std::optional<Response> deploy(const FunctionRecord& record) const {
    try {
      cp.m_callbacks.engine_for(account).put_function(cp.config_of(record));
    } catch (const std::runtime_error& e) {
      return invalid_parameter("The runtime parameter of " + record.runtime +
                               " cannot run on this platform: " + e.what());
    }
    return std::nullopt;
  }

  Response create_function() {
    Response error;
    auto doc = json_body(req, error);
    if (!doc) return error;
    FunctionRecord r;
    r.account_id = account;
    if (!doc->contains("FunctionName") || !(*doc)["FunctionName"].is_string())
      return invalid_parameter("FunctionName is required");
    const FunctionTarget target =
        resolve_function((*doc)["FunctionName"].get<std::string>(), account, cp.m_region);
    if (target.name.empty())
      return invalid_parameter(
          validation((*doc)["FunctionName"].get<std::string>(), "functionName",
                     "Member must satisfy regular expression pattern: [a-zA-Z0-9-_]{1,64} "
                     "(a name, or an ARN of the caller's account)"));
    r.name = target.name;
    if (doc->contains("PackageType") && (*doc)["PackageType"] != "Zip")
      return invalid_parameter("PackageType Image is not supported by stratus serve; send a zip");
    if (auto e = apply_settings(*doc, r)) return *e;
    for (const auto& [member, value] :
         {std::pair{"Runtime", &r.runtime}, {"Handler", &r.handler}, {"Role", &r.role}})
      if (value->empty()) return invalid_parameter(std::string(member) + " is required");
    if (!doc->contains("Code") || !(*doc)["Code"].is_object()) return invalid_parameter("Code is required");
    std::string zip;
    if (auto e = zip_member((*doc)["Code"], "Code.", zip)) return *e;

    std::lock_guard lock(cp.m_mutate);
    if (cp.m_registry.find(account, r.name))
      return lambda_error(409, "ResourceConflictException", "Function already exist: " + r.name);
    const std::filesystem::path dir = cp.function_dir(account, r.name);
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);  // what a crash between unpacking and registering left
    std::filesystem::create_directories(dir, ec);
    if (ec)
      return lambda_error(500, "ServiceException", "cannot create " + dir.string() + ": " + ec.message());
    UnzipResult unpacked = unpack_zip(zip, dir / "code");
    if (!unpacked.ok()) {
      std::filesystem::remove_all(dir, ec);
      return unzip_failure(*unpacked.error);
    }
    r.code_sha256 = code_sha256(zip);
    r.code_size = static_cast<std::int64_t>(zip.size());
    r.last_modified = last_modified_now();
    r.revision_id = new_request_id();
    if (auto e = deploy(r)) {
      std::filesystem::remove_all(dir, ec);
      return *e;
    }
    try {
      cp.m_registry.insert(r);
    } catch (const std::exception& e) {
      cp.m_callbacks.engine_for(account).remove_function(r.name);
      std::filesystem::remove_all(dir, ec);
      return lambda_error(500, "ServiceException", e.what());
    }
    return json_response(201, configuration(r));
  }

  Response list_functions() {
    std::vector<FunctionRecord> all = cp.m_registry.list(account);
    std::vector<std::string> names;
    for (const auto& r : all) names.push_back(r.name);
    const triggers::ListPage page =
        triggers::list_page(names, req.query_param("MaxItems"), req.query_param("Marker"));
    if (!page.error.empty()) return invalid_parameter(page.error);
    Json functions = Json::array();
    for (std::size_t i = page.begin; i < page.end; ++i) functions.push_back(configuration(all[i]));
    Json out = {{"Functions", std::move(functions)}};
    if (!page.next_marker.empty()) out["NextMarker"] = page.next_marker;
    return json_response(200, out);
  }

  Response get_function(const std::string& reference, bool whole) {
    Response error;
    std::string qualifier;
    auto r = find_qualified(reference, qualifier, error);
    if (!r) return error;
    if (!qualifier.empty() && qualifier != "$LATEST")
      return VersionsCall{cp, req, account}.get_qualified(*r, qualifier, whole);
    if (!whole) return json_response(200, configuration(*r));
    return json_response(200, Json{{"Configuration", configuration(*r)},
                                   {"Code", {{"RepositoryType", "S3"}}},
                                   {"Tags", Json::object()}});
  }

  Response delete_function(const std::string& reference) {
    std::lock_guard lock(cp.m_mutate);
    Response error;
    std::string qualifier;
    auto r = find_qualified(reference, qualifier, error);
    if (!r) return error;
    if (qualifier == "$LATEST")
      return invalid_parameter("$LATEST version cannot be deleted without deleting the function.");
    VersionsCall versions{cp, req, account};
    if (!qualifier.empty()) return versions.delete_version(*r, qualifier);
    versions.remove_versions_from_engine(*r);
    cp.m_callbacks.engine_for(account).remove_function(r->name);
    cp.m_registry.remove(account, r->name);
    // Out of the way in one rename, then deleted: a crash midway leaves only trash.
    const std::filesystem::path dir = cp.function_dir(account, r->name);
    const std::filesystem::path trash = cp.m_data_dir / "trash" / random_hex(16);
    std::error_code ec;
    std::filesystem::create_directories(trash.parent_path(), ec);
    std::filesystem::rename(dir, trash, ec);
    std::filesystem::remove_all(ec ? dir : trash, ec);
    if (r->url) cp.m_callbacks.urls_changed(account);
    Response res;
    res.status = 204;
    return res;
  }

  Response update_configuration(const std::string& reference) {
    Response error;
    auto doc = json_body(req, error);
    if (!doc) return error;
    std::lock_guard lock(cp.m_mutate);
    auto r = find(reference, error);
    if (!r) return error;
    if (auto e = apply_settings(*doc, *r)) return *e;
    for (const auto& [member, value] :
         {std::pair{"Runtime", &r->runtime}, {"Handler", &r->handler}, {"Role", &r->role}})
      if (value->empty()) return invalid_parameter(std::string(member) + " may not be empty");
    r->last_modified = last_modified_now();
    r->revision_id = new_request_id();
    if (auto e = deploy(*r)) return *e;
    cp.m_registry.update(*r);
    return json_response(200, configuration(*r));
  }

  Response update_code(const std::string& reference) {
    Response error;
    auto doc = json_body(req, error);
    if (!doc) return error;
    std::string zip;
    if (auto e = zip_member(*doc, "", zip)) return *e;
    std::lock_guard lock(cp.m_mutate);
    auto r = find(reference, error);
    if (!r) return error;
    if (auto e = apply_settings(
            Json{{"Architectures", doc->value("Architectures", Json::array({r->architecture}))}}, *r))
      return *e;
    UnzipResult unpacked = unpack_zip(zip, cp.function_dir(account, r->name) / "code");
    if (!unpacked.ok()) return unzip_failure(*unpacked.error);
    r->code_sha256 = code_sha256(zip);
    r->code_size = static_cast<std::int64_t>(zip.size());
    r->last_modified = last_modified_now();
    r->revision_id = new_request_id();
    if (auto e = deploy(*r)) return *e;
    cp.m_registry.update(*r);
    return json_response(200, configuration(*r));
  }

  Json url_configuration(const FunctionRecord& r, bool with_modified) const {
    Json c = {{"FunctionUrl", "http://" + host + "/_url/" + r.url->url_id + "/"},
              {"FunctionArn", arn(r.name)},
              {"AuthType", r.url->auth_type},
              {"CreationTime", r.url->creation_time}};
    if (with_modified) c["LastModifiedTime"] = r.url->last_modified_time;
    c["InvokeMode"] = r.url->invoke_mode;
    return c;
  }

  Response create_url(const std::string& reference) {
    Response error;
    auto doc = json_body(req, error);
    if (!doc) return error;
    const Json auth = doc->value("AuthType", Json());
    if (!auth.is_string()) return invalid_parameter("AuthType is required (NONE)");
    if (auth != "NONE")
      return invalid_parameter("AuthType " + auth.get<std::string>() +
                               " is not supported by stratus serve; use NONE");
    const std::string mode = doc->value("InvokeMode", std::string("BUFFERED"));
    if (mode != "BUFFERED")
      return invalid_parameter("InvokeMode " + mode + " is not supported by stratus serve; use BUFFERED");
    std::lock_guard lock(cp.m_mutate);
    auto r = find(reference, error);
    if (!r) return error;
    if (r->url)
      return lambda_error(409, "ResourceConflictException",
                          "Failed to create function url config for [functionArn = " + arn(r->name) +
                              "]. Error message:  FunctionUrlConfig exists for this Lambda function");
    const std::string now = format_iso_ms(std::chrono::duration_cast<std::chrono::milliseconds>(
                                              std::chrono::system_clock::now().time_since_epoch())
                                              .count());
    r->url = UrlConfig{url_id(), "NONE", mode, now, now};
    cp.m_registry.update(*r);
    cp.m_callbacks.urls_changed(account);
    return json_response(201, url_configuration(*r, false));
  }

  Response get_url(const std::string& reference) {
    Response error;
    auto r = find(reference, error);
    if (!r) return error;
    if (!r->url)
      return lambda_error(404, "ResourceNotFoundException", "The resource you requested does not exist.",
                          "Message");
    return json_response(200, url_configuration(*r, true));
  }

  Response delete_url(const std::string& reference) {
    std::lock_guard lock(cp.m_mutate);
    Response error;
    auto r = find(reference, error);
    if (!r) return error;
    if (!r->url)
      return lambda_error(404, "ResourceNotFoundException", "The resource you requested does not exist.",
                          "Message");
    r->url.reset();
    cp.m_registry.update(*r);
    cp.m_callbacks.urls_changed(account);
    Response res;
    res.status = 204;
    return res;
  }
};

ControlPlane::ControlPlane(Registry& registry, std::filesystem::path data_dir, std::string region,
                           Callbacks callbacks)
    : m_registry(registry),
      m_data_dir(std::move(data_dir)),
      m_region(std::move(region)),
      m_callbacks(std::move(callbacks)) {}

std::filesystem::path ControlPlane::function_dir(const std::string& account_id,
                                                 const std::string& name) const {
  return m_data_dir / "functions" / account_id / name;
}

engine::FunctionConfig ControlPlane::config_of(const FunctionRecord& r) const {
  engine::FunctionConfig c;
  c.name = r.name;
  c.short_name = r.name;
  c.runtime = r.runtime;
  c.handler = r.handler;
  c.code_dir = function_dir(r.account_id, r.name) / "code";
  c.description = r.description;
  c.memory_mb = r.memory_mb;
  c.timeout_s = r.timeout_s;
  c.ephemeral_mb = r.ephemeral_mb;
  c.architecture = r.architecture;
  c.environment = r.environment;
  c.region = m_region;
  c.account_id = r.account_id;
  return c;
}

std::vector<std::string> ControlPlane::load(const std::vector<std::string>& accounts) {
  std::vector<std::string> warnings;
  for (const FunctionRecord& r : m_registry.all()) {
    const std::string who = "function " + r.name + " of account " + r.account_id;
    if (std::find(accounts.begin(), accounts.end(), r.account_id) == accounts.end()) {
      warnings.push_back(who + " is not served: no key of that account is in the keys file");
      continue;
    }
    if (!std::filesystem::is_directory(function_dir(r.account_id, r.name) / "code")) {
      warnings.push_back(who + " is not served: its code folder " +
                         (function_dir(r.account_id, r.name) / "code").string() + " is missing");
      continue;
    }
    try {
      m_callbacks.engine_for(r.account_id).put_function(config_of(r));
    } catch (const std::runtime_error& e) {
      warnings.push_back(who + " is not served: " + e.what());
      continue;
    }
    for (const VersionRecord& v : m_registry.versions(r.account_id, r.name)) {
      try {
        m_callbacks.engine_for(r.account_id)
            .put_function(config_of(v, provisioned_for(m_registry, r.account_id, r.name, v.number)));
      } catch (const std::runtime_error& e) {
        warnings.push_back("version " + std::to_string(v.number) + " of " + who +
                           " is not served: " + e.what());
      }
    }
  }
  return warnings;
}

net::wire::Response ControlPlane::handle(const net::wire::Request& request, const std::string& account_id,
                                         const std::string& host) {
  Call call{*this, request, account_id, host};
  return call.route();
}

}  // namespace stratus::platform
