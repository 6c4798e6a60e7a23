// Lambda's versions, aliases and provisioned concurrency on `stratus serve` (control_plane.hpp).
#include <algorithm>
#include <system_error>

#include "emulator/common/ids.hpp"
#include "emulator/engine/engine.hpp"
#include "emulator/platform/control_plane_internal.hpp"
#include "emulator/triggers/invoke_api/list_page.hpp"

namespace stratus::platform {

using net::wire::Response;

bool is_number(const std::string& text) {
  return !text.empty() && text.size() <= 9 &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string engine_key_of(const std::string& function, const std::string& version) {
  return version == "$LATEST" ? function : function + "@" + version;
}

std::optional<std::string> resolve_version(Registry& registry, const std::string& account,
                                           const std::string& function, const std::string& qualifier) {
  if (qualifier.empty() || qualifier == "$LATEST") return std::string("$LATEST");
  if (is_number(qualifier)) {
    if (registry.find_version(account, function, std::stoi(qualifier))) return qualifier;
    return std::nullopt;
  }
  if (auto alias = registry.find_alias(account, function, qualifier)) return alias->function_version;
  return std::nullopt;
}

std::optional<Json> json_body(const net::wire::Request& req, Response& error) {
  if (req.body.empty()) return Json::object();
  Json doc = Json::parse(req.body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    error = lambda_error(400, "InvalidRequestContentException", "Could not parse request body into json");
    return std::nullopt;
  }
  return doc;
}

Response no_content() {
  Response res;
  res.status = 204;
  return res;
}

namespace {

// What PublishVersion compares with the newest version: the code and the configuration.
bool same_content(const FunctionRecord& a, const FunctionRecord& b) {
  return a.code_sha256 == b.code_sha256 && a.runtime == b.runtime && a.handler == b.handler &&
         a.role == b.role && a.memory_mb == b.memory_mb && a.timeout_s == b.timeout_s &&
         a.ephemeral_mb == b.ephemeral_mb && a.architecture == b.architecture &&
         a.environment == b.environment;
}

}  // namespace

int provisioned_for(Registry& registry, const std::string& account_id, const std::string& function,
                    int number) {
  int total = 0;
  for (const ProvisionedConfig& c : registry.provisioned(account_id, function)) {
    auto version = resolve_version(registry, account_id, function, c.qualifier);
    if (version && *version == std::to_string(number)) total += c.requested;
  }
  return total;
}

engine::FunctionConfig ControlPlane::config_of(const VersionRecord& version, int provisioned) const {
  engine::FunctionConfig c = config_of(version.function);
  c.key = engine_key_of(version.function.name, std::to_string(version.number));
  c.short_name = c.key;  // never found under the bare name: that is $LATEST
  c.version = std::to_string(version.number);
  c.code_dir = function_dir(version.function.account_id, version.function.name) / "versions" / c.version;
  c.provisioned_concurrency = provisioned;
  return c;
}

std::optional<std::string> ControlPlane::engine_key(const std::string& account_id,
                                                    const std::string& function,
                                                    const std::string& qualifier) {
  if (!m_registry.find(account_id, function)) return std::nullopt;
  auto version = resolve_version(m_registry, account_id, function, qualifier);
  if (!version) return std::nullopt;
  return engine_key_of(function, *version);
}

std::string VersionsCall::arn(const std::string& name) const {
  return "arn:aws:lambda:" + cp.m_region + ":" + account + ":function:" + name;
}

std::optional<FunctionRecord> VersionsCall::find(const std::string& reference, Response& error) const {
  const FunctionTarget target = resolve_function(reference, account, cp.m_region);
  if (!target.name.empty() && (target.qualifier.empty() || target.qualifier == "$LATEST"))
    if (auto record = cp.m_registry.find(account, target.name)) return record;
  error = lambda_error(404, "ResourceNotFoundException", "Function not found: " + target.arn, "Message");
  return std::nullopt;
}

std::optional<std::string> VersionsCall::version_of(const std::string& function,
                                                    const std::string& qualifier) {
  return resolve_version(cp.m_registry, account, function, qualifier);
}

std::optional<Response> VersionsCall::sync_version(const std::string& function, const std::string& number) {
  if (!is_number(number)) return std::nullopt;  // $LATEST never has provisioned instances
  auto version = cp.m_registry.find_version(account, function, std::stoi(number));
  if (!version) return std::nullopt;
  const int wanted = provisioned_for(cp.m_registry, account, function, version->number);
  engine::Engine& engine = cp.m_callbacks.engine_for(account);
  const std::string key = engine_key_of(function, number);
  if (auto running = engine.find_function(key); running && running->provisioned_concurrency == wanted)
    return std::nullopt;
  try {
    engine.put_function(cp.config_of(*version, wanted));
  } catch (const std::runtime_error& e) {
    return lambda_error(500, "ServiceException", "version " + number + " cannot run: " + e.what());
  }
  return std::nullopt;
}

Response VersionsCall::functions_route(const std::string& reference, std::string_view op) {
  auto not_allowed = [&](const char* allow) {
    Response res = lambda_error(405, "MethodNotAllowedException",
                                "The method " + req.method + " is not allowed for " + req.path);
    res.headers.emplace_back("Allow", allow);
    return res;
  };
  if (op == "versions") {
    if (req.method == "POST") return publish_version(reference);
    if (req.method == "GET") return list_versions(reference);
    return not_allowed("GET, POST");
  }
  if (op == "aliases") {
    if (req.method == "POST") return create_alias(reference);
    if (req.method == "GET") return list_aliases(reference);
    return not_allowed("GET, POST");
  }
  const std::string name = net::wire::percent_decode(op.substr(std::string_view("aliases/").size()), false);
  if (name.empty() || name.find('/') != std::string::npos)
    return lambda_error(404, "UnknownOperationException",
                        "No Lambda operation matches " + req.method + " " + req.path);
  if (req.method == "GET") return get_alias(reference, name);
  if (req.method == "PUT") return update_alias(reference, name);
  if (req.method == "DELETE") return delete_alias(reference, name);
  return not_allowed("GET, PUT, DELETE");
}

Response VersionsCall::get_qualified(const FunctionRecord& function, const std::string& qualifier,
                                     bool whole) {
  auto version = version_of(function.name, qualifier);
  if (!version)
    return lambda_error(404, "ResourceNotFoundException",
                        "Function not found: " + arn(function.name) + ":" + qualifier, "Message");
  Json config;
  if (*version == "$LATEST") {
    config = function_configuration(function, arn(function.name) + ":" + qualifier, "$LATEST");
  } else {
    auto v = cp.m_registry.find_version(account, function.name, std::stoi(*version));
    if (!v)
      return lambda_error(404, "ResourceNotFoundException",
                          "Function not found: " + arn(function.name) + ":" + qualifier, "Message");
    config = function_configuration(v->function, arn(function.name) + ":" + qualifier, *version);
  }
  if (!whole) return json_response(200, config);
  return json_response(200, Json{{"Configuration", std::move(config)},
                                 {"Code", {{"RepositoryType", "S3"}}},
                                 {"Tags", Json::object()}});
}

Response VersionsCall::publish_version(const std::string& reference) {
  Response error;
  auto doc = json_body(req, error);
  if (!doc) return error;
  for (const char* key : {"CodeSha256", "Description", "RevisionId"})
    if (doc->contains(key) && !(*doc)[key].is_string())
      return invalid_parameter(std::string(key) + " must be a string");
  std::lock_guard lock(cp.m_mutate);
  auto r = find(reference, error);
  if (!r) return error;
  if (doc->contains("CodeSha256") && (*doc)["CodeSha256"] != r->code_sha256)
    return invalid_parameter("CodeSHA256 (" + (*doc)["CodeSha256"].get<std::string>() +
                             ") is different from current CodeSHA256 in $LATEST (" + r->code_sha256 +
                             "). Please try again with the CodeSHA256 in $LATEST.");
  if (doc->contains("RevisionId") && (*doc)["RevisionId"] != r->revision_id)
    return lambda_error(412, "PreconditionFailedException",
                        "The RevisionId provided does not match the latest RevisionId for the Lambda "
                        "function or alias. Call the GetFunction or the GetAlias API operation to retrieve "
                        "the latest RevisionId for your resource.");
  const std::vector<VersionRecord> existing = cp.m_registry.versions(account, r->name);
  if (!existing.empty() && same_content(existing.back().function, *r)) {
    const VersionRecord& newest = existing.back();
    return json_response(
        201, function_configuration(newest.function, arn(r->name) + ":" + std::to_string(newest.number),
                                    std::to_string(newest.number)));
  }
  FunctionRecord snapshot = *r;
  snapshot.url.reset();
  snapshot.description = doc->value("Description", r->description);
  snapshot.last_modified = last_modified_now();
  snapshot.revision_id = new_request_id();
  const int number = cp.m_registry.publish_version(snapshot);
  // The code: hard links of $LATEST's files (UpdateFunctionCode renames a new folder into place,
  // so these keep the old contents), made under a temporary name and renamed: all or nothing.
  const std::filesystem::path versions = cp.function_dir(account, r->name) / "versions";
  const std::filesystem::path staging = versions / (".new-" + std::to_string(number));
  const std::filesystem::path target = versions / std::to_string(number);
  std::error_code ec;
  std::filesystem::remove_all(staging, ec);
  std::filesystem::remove_all(target, ec);
  std::filesystem::create_directories(versions, ec);
  std::filesystem::copy(
      cp.function_dir(account, r->name) / "code", staging,
      std::filesystem::copy_options::recursive | std::filesystem::copy_options::create_hard_links, ec);
  if (ec) {
    std::filesystem::remove_all(staging, ec);
    ec.clear();
    std::filesystem::copy(cp.function_dir(account, r->name) / "code", staging,
                          std::filesystem::copy_options::recursive, ec);
  }
  if (!ec) std::filesystem::rename(staging, target, ec);
  if (ec) {
    cp.m_registry.remove_version(account, r->name, number);
    return lambda_error(500, "ServiceException",
                        "cannot keep the code of version " + std::to_string(number) + ": " + ec.message());
  }
  if (auto e = sync_version(r->name, std::to_string(number))) {
    cp.m_registry.remove_version(account, r->name, number);
    std::filesystem::remove_all(target, ec);
    return *e;
  }
  return json_response(201, function_configuration(snapshot, arn(r->name) + ":" + std::to_string(number),
                                                   std::to_string(number)));
}

Response VersionsCall::list_versions(const std::string& reference) {
  Response error;
  auto r = find(reference, error);
  if (!r) return error;
  std::vector<Json> all{function_configuration(*r, arn(r->name) + ":$LATEST", "$LATEST")};
  std::vector<std::string> names{"$LATEST"};
  for (const VersionRecord& v : cp.m_registry.versions(account, r->name)) {
    const std::string number = std::to_string(v.number);
    all.push_back(function_configuration(v.function, arn(r->name) + ":" + number, number));
    names.push_back(number);
  }
  const triggers::ListPage page =
      triggers::list_page(names, req.query_param("MaxItems"), req.query_param("Marker"));
  if (!page.error.empty()) return invalid_parameter(page.error);
  Json versions = Json::array();
  for (std::size_t i = page.begin; i < page.end; ++i) versions.push_back(std::move(all[i]));
  Json out = {{"Versions", std::move(versions)}};
  if (!page.next_marker.empty()) out["NextMarker"] = page.next_marker;
  return json_response(200, out);
}

Response VersionsCall::delete_version(const FunctionRecord& function, const std::string& qualifier) {
  if (!is_number(qualifier))
    return invalid_parameter("Deletion of aliases is not supported by DeleteFunction: " + qualifier +
                             " is not a version number; use DeleteAlias");
  const int number = std::stoi(qualifier);
  if (!cp.m_registry.find_version(account, function.name, number))
    return lambda_error(404, "ResourceNotFoundException",
                        "Function not found: " + arn(function.name) + ":" + qualifier, "Message");
  std::vector<std::string> referring;
  for (const AliasRecord& a : cp.m_registry.aliases(account, function.name))
    if (a.function_version == qualifier) referring.push_back(a.name);
  if (!referring.empty()) {
    std::string list;
    for (const auto& name : referring) list += (list.empty() ? "" : ", ") + name;
    return lambda_error(
        409, "ResourceConflictException",
        "Unable to delete version because the following aliases reference it: [" + list + "]");
  }
  cp.m_registry.remove_provisioned(account, function.name, qualifier);
  cp.m_registry.remove_version(account, function.name, number);
  cp.m_callbacks.engine_for(account).remove_function(engine_key_of(function.name, qualifier));
  std::error_code ec;
  const std::filesystem::path trash = cp.m_data_dir / "trash" / random_hex(16);
  std::filesystem::create_directories(trash.parent_path(), ec);
  const std::filesystem::path dir = cp.function_dir(account, function.name) / "versions" / qualifier;
  std::filesystem::rename(dir, trash, ec);
  std::filesystem::remove_all(ec ? dir : trash, ec);
  return no_content();
}

void VersionsCall::remove_versions_from_engine(const FunctionRecord& function) {
  for (const VersionRecord& v : cp.m_registry.versions(account, function.name))
    cp.m_callbacks.engine_for(account).remove_function(
        engine_key_of(function.name, std::to_string(v.number)));
}

}  // namespace stratus::platform
