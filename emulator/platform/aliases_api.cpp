// Lambda's aliases on `stratus serve` (control_plane.hpp).
#include <algorithm>
#include <regex>

#include "emulator/common/ids.hpp"
#include "emulator/engine/engine.hpp"
#include "emulator/platform/control_plane_internal.hpp"
#include "emulator/triggers/invoke_api/list_page.hpp"

namespace stratus::platform {

namespace {

using net::wire::Response;

const char* const kUnpublished =
    "Provisioned Concurrency Configs cannot be applied to unpublished function versions.";

// CreateAlias' Name: 1-128 of [a-zA-Z0-9-_], not all digits (that would read as a version).
bool valid_alias_name(const std::string& name) {
  static const std::regex pattern("[a-zA-Z0-9_-]{1,128}");
  return std::regex_match(name, pattern) &&
         !std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<Response> refuse_routing(const Json& doc) {
  if (doc.contains("RoutingConfig") && !doc["RoutingConfig"].is_null() &&
      !(doc["RoutingConfig"].is_object() &&
        doc["RoutingConfig"].value("AdditionalVersionWeights", Json::object()).empty()))
    return invalid_parameter(
        "RoutingConfig (weighted aliases) is not supported by stratus serve: an alias points at one version");
  return std::nullopt;
}

std::optional<Response> string_members(const Json& doc, std::initializer_list<const char*> keys) {
  for (const char* key : keys)
    if (doc.contains(key) && !doc[key].is_string())
      return invalid_parameter(std::string(key) + " must be a string");
  return std::nullopt;
}

}  // namespace

Json VersionsCall::alias_json(const AliasRecord& a) const {
  return Json{{"AliasArn", arn(a.function) + ":" + a.name},
              {"Name", a.name},
              {"FunctionVersion", a.function_version},
              {"Description", a.description},
              {"RevisionId", a.revision_id}};
}

Response VersionsCall::create_alias(const std::string& reference) {
  Response error;
  auto doc = json_body(req, error);
  if (!doc) return error;
  if (auto e = string_members(*doc, {"Name", "FunctionVersion", "Description"})) return *e;
  if (auto e = refuse_routing(*doc)) return *e;
  const std::string name = doc->value("Name", "");
  const std::string version = doc->value("FunctionVersion", "");
  if (!valid_alias_name(name))
    return invalid_parameter(validation(name, "name",
                                        "Member must satisfy regular expression pattern: "
                                        "(?!^[0-9]+$)([a-zA-Z0-9-_]+)"));
  if (version != "$LATEST" && !is_number(version))
    return invalid_parameter(validation(
        version, "functionVersion", "Member must satisfy regular expression pattern: (\\$LATEST|[0-9]+)"));
  std::lock_guard lock(cp.m_mutate);
  auto r = find(reference, error);
  if (!r) return error;
  if (version != "$LATEST" && !cp.m_registry.find_version(account, r->name, std::stoi(version)))
    return lambda_error(404, "ResourceNotFoundException",
                        "Function not found: " + arn(r->name) + ":" + version, "Message");
  AliasRecord alias{account, r->name, name, version, doc->value("Description", ""), new_request_id()};
  if (!cp.m_registry.insert_alias(alias))
    return lambda_error(409, "ResourceConflictException",
                        "Alias already exists: " + arn(r->name) + ":" + name);
  return json_response(201, alias_json(alias));
}

Response VersionsCall::list_aliases(const std::string& reference) {
  Response error;
  auto r = find(reference, error);
  if (!r) return error;
  std::vector<AliasRecord> all = cp.m_registry.aliases(account, r->name);
  if (auto only = req.query_param("FunctionVersion"))
    std::erase_if(all, [&](const AliasRecord& a) { return a.function_version != *only; });
  std::vector<std::string> names;
  for (const auto& a : all) names.push_back(a.name);
  const triggers::ListPage page =
      triggers::list_page(names, req.query_param("MaxItems"), req.query_param("Marker"));
  if (!page.error.empty()) return invalid_parameter(page.error);
  Json aliases = Json::array();
  for (std::size_t i = page.begin; i < page.end; ++i) aliases.push_back(alias_json(all[i]));
  Json out = {{"Aliases", std::move(aliases)}};
  if (!page.next_marker.empty()) out["NextMarker"] = page.next_marker;
  return json_response(200, out);
}

Response VersionsCall::get_alias(const std::string& reference, const std::string& name) {
  Response error;
  auto r = find(reference, error);
  if (!r) return error;
  auto alias = cp.m_registry.find_alias(account, r->name, name);
  if (!alias)
    return lambda_error(404, "ResourceNotFoundException", "Alias not found: " + arn(r->name) + ":" + name,
                        "Message");
  return json_response(200, alias_json(*alias));
}

Response VersionsCall::update_alias(const std::string& reference, const std::string& name) {
  Response error;
  auto doc = json_body(req, error);
  if (!doc) return error;
  if (auto e = string_members(*doc, {"FunctionVersion", "Description", "RevisionId"})) return *e;
  if (auto e = refuse_routing(*doc)) return *e;
  std::lock_guard lock(cp.m_mutate);
  auto r = find(reference, error);
  if (!r) return error;
  auto alias = cp.m_registry.find_alias(account, r->name, name);
  if (!alias)
    return lambda_error(404, "ResourceNotFoundException", "Alias not found: " + arn(r->name) + ":" + name,
                        "Message");
  if (doc->contains("RevisionId") && (*doc)["RevisionId"] != alias->revision_id)
    return lambda_error(412, "PreconditionFailedException",
                        "The RevisionId provided does not match the latest RevisionId for the Lambda "
                        "function or alias. Call the GetFunction or the GetAlias API operation to retrieve "
                        "the latest RevisionId for your resource.");
  const std::string old_version = alias->function_version;
  const std::string version = doc->value("FunctionVersion", old_version);
  if (version != "$LATEST" && !is_number(version))
    return invalid_parameter(validation(
        version, "functionVersion", "Member must satisfy regular expression pattern: (\\$LATEST|[0-9]+)"));
  if (version != "$LATEST" && !cp.m_registry.find_version(account, r->name, std::stoi(version)))
    return lambda_error(404, "ResourceNotFoundException",
                        "Function not found: " + arn(r->name) + ":" + version, "Message");
  const auto configs = cp.m_registry.provisioned(account, r->name);
  const bool provisioned = std::any_of(configs.begin(), configs.end(),
                                       [&](const ProvisionedConfig& c) { return c.qualifier == name; });
  if (provisioned && version == "$LATEST") return invalid_parameter(kUnpublished);
  alias->function_version = version;
  alias->description = doc->value("Description", alias->description);
  alias->revision_id = new_request_id();
  cp.m_registry.update_alias(*alias);
  if (provisioned && version != old_version) {  // the warm instances move with the alias
    if (auto e = sync_version(r->name, old_version)) return *e;
    if (auto e = sync_version(r->name, version)) return *e;
  }
  return json_response(200, alias_json(*alias));
}

Response VersionsCall::delete_alias(const std::string& reference, const std::string& name) {
  std::lock_guard lock(cp.m_mutate);
  Response error;
  auto r = find(reference, error);
  if (!r) return error;
  auto alias = cp.m_registry.find_alias(account, r->name, name);
  if (!alias) return no_content();  // as Lambda: deleting what is not there succeeds
  const bool provisioned = cp.m_registry.remove_provisioned(account, r->name, name);
  cp.m_registry.remove_alias(account, r->name, name);
  if (provisioned)
    if (auto e = sync_version(r->name, alias->function_version)) return *e;
  return no_content();
}

}  // namespace stratus::platform
