// Lambda's provisioned concurrency configurations on `stratus serve` (control_plane.hpp): stored in
// the registry, run by the engine as provisioned instances of the version they reach.
#include <algorithm>

#include "emulator/engine/engine.hpp"
#include "emulator/platform/control_plane_internal.hpp"
#include "emulator/triggers/invoke_api/list_page.hpp"

namespace stratus::platform {

namespace {

using net::wire::Response;

const char* const kUnpublished =
    "Provisioned Concurrency Configs cannot be applied to unpublished function versions.";

}  // namespace

Json VersionsCall::provisioned_json(const ProvisionedConfig& c, bool with_arn) {
  Json out = Json::object();
  if (with_arn) out["FunctionArn"] = arn(c.function) + ":" + c.qualifier;
  const auto version = version_of(c.function, c.qualifier);
  engine::ProvisionedStatus status;
  if (version)
    status = cp.m_callbacks.engine_for(account).provisioned_status(engine_key_of(c.function, *version));
  out["RequestedProvisionedConcurrentExecutions"] = c.requested;
  // One version's instances serve every configuration that reaches it (the version's and its
  // aliases'): each reports its own share of them.
  out["AvailableProvisionedConcurrentExecutions"] = std::min(c.requested, status.available);
  out["AllocatedProvisionedConcurrentExecutions"] = std::min(c.requested, status.allocated);
  if (!status.error.empty()) {
    out["Status"] = "FAILED";
    out["StatusReason"] = "FUNCTION_ERROR_INIT_FAILURE: " + status.error;
  } else if (status.requested > 0 && status.allocated >= status.requested) {
    out["Status"] = "READY";
  } else {
    out["Status"] = "IN_PROGRESS";
  }
  out["LastModified"] = c.last_modified;
  return out;
}

Response VersionsCall::provisioned_route(const std::string& reference, std::string_view op) {
  if (op != "provisioned-concurrency")
    return lambda_error(404, "UnknownOperationException",
                        "No Lambda operation matches " + req.method + " " + req.path);
  if (req.method == "GET" && req.query_param("List")) return list_provisioned(reference);
  if (req.method == "GET") return get_provisioned(reference);
  if (req.method == "PUT") return put_provisioned(reference);
  if (req.method == "DELETE") return delete_provisioned(reference);
  Response res = lambda_error(405, "MethodNotAllowedException",
                              "The method " + req.method + " is not allowed for " + req.path);
  res.headers.emplace_back("Allow", "GET, PUT, DELETE");
  return res;
}

std::optional<VersionsCall::ProvisionedTarget> VersionsCall::provisioned_target(const std::string& reference,
                                                                                Response& error) {
  auto r = find(reference, error);
  if (!r) return std::nullopt;
  const std::string qualifier = req.query_param("Qualifier").value_or("");
  if (qualifier.empty()) {
    error = invalid_parameter(
        "1 validation error detected: Value null at 'qualifier' failed to satisfy constraint: Member must "
        "not be null");
    return std::nullopt;
  }
  const auto version =
      qualifier == "$LATEST" ? std::optional<std::string>("$LATEST") : version_of(r->name, qualifier);
  if (!version) {
    error = lambda_error(404, "ResourceNotFoundException",
                         "Function not found: " + arn(r->name) + ":" + qualifier, "Message");
    return std::nullopt;
  }
  if (*version == "$LATEST") {
    error = invalid_parameter(kUnpublished);
    return std::nullopt;
  }
  return ProvisionedTarget{std::move(*r), qualifier, *version};
}

Response VersionsCall::put_provisioned(const std::string& reference) {
  Response doc_error;
  auto doc = json_body(req, doc_error);
  if (!doc) return doc_error;
  const Json count = doc->value("ProvisionedConcurrentExecutions", Json());
  if (!count.is_number_integer())
    return invalid_parameter(
        "1 validation error detected: Value null at 'provisionedConcurrentExecutions' "
        "failed to satisfy constraint: Member must not be null");
  if (count.get<long long>() < 1 || count.get<long long>() > 1000)
    return invalid_parameter(validation(count.dump(), "provisionedConcurrentExecutions",
                                        "Member must have value between 1 and 1000"));
  std::lock_guard lock(cp.m_mutate);
  auto target = provisioned_target(reference, doc_error);
  if (!target) return doc_error;
  ProvisionedConfig config{account, target->function.name, target->qualifier, count.get<int>(),
                           last_modified_now()};
  cp.m_registry.put_provisioned(config);
  if (auto e = sync_version(target->function.name, target->version)) return *e;
  return json_response(202, provisioned_json(config, false));
}

Response VersionsCall::get_provisioned(const std::string& reference) {
  Response error;
  auto target = provisioned_target(reference, error);
  if (!target) return error;
  for (const ProvisionedConfig& c : cp.m_registry.provisioned(account, target->function.name))
    if (c.qualifier == target->qualifier) return json_response(200, provisioned_json(c, false));
  return lambda_error(404, "ProvisionedConcurrencyConfigNotFoundException",
                      "No Provisioned Concurrency Config found for this function");
}

Response VersionsCall::delete_provisioned(const std::string& reference) {
  std::lock_guard lock(cp.m_mutate);
  Response error;
  auto target = provisioned_target(reference, error);
  if (!target) return error;
  if (cp.m_registry.remove_provisioned(account, target->function.name, target->qualifier))
    if (auto e = sync_version(target->function.name, target->version)) return *e;
  return no_content();
}

Response VersionsCall::list_provisioned(const std::string& reference) {
  Response error;
  auto r = find(reference, error);
  if (!r) return error;
  const std::vector<ProvisionedConfig> all = cp.m_registry.provisioned(account, r->name);
  std::vector<std::string> names;
  for (const auto& c : all) names.push_back(c.qualifier);
  const triggers::ListPage page =
      triggers::list_page(names, req.query_param("MaxItems"), req.query_param("Marker"));
  if (!page.error.empty()) return invalid_parameter(page.error);
  Json configs = Json::array();
  for (std::size_t i = page.begin; i < page.end; ++i) configs.push_back(provisioned_json(all[i], true));
  Json out = {{"ProvisionedConcurrencyConfigs", std::move(configs)}};
  if (!page.next_marker.empty()) out["NextMarker"] = page.next_marker;
  return json_response(200, out);
}

}  // namespace stratus::platform
