#pragma once
// What control_plane.cpp and versions_api.cpp share: Lambda's JSON shapes and the operations on
// versions, aliases and provisioned concurrency. Internal to emulator/platform (it brings in
// nlohmann/json, which only these two files use).
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "emulator/platform/control_plane.hpp"

namespace stratus::platform {

using Json = nlohmann::ordered_json;

net::wire::Response json_response(int status, const Json& body);
net::wire::Response invalid_parameter(const std::string& message);
// The validation message Lambda's front end writes for one bad member.
std::string validation(const std::string& value, const std::string& member, const std::string& constraint);
// "2016-11-21T19:49:20.006+0000", as Lambda writes LastModified.
std::string last_modified_now();
// FunctionConfiguration of `r` as `function_arn` and `version` ("$LATEST" or a number).
Json function_configuration(const FunctionRecord& r, const std::string& function_arn,
                            const std::string& version);

// A version number ("1" to "999999999").
bool is_number(const std::string& text);
// The engine key of `function` at `version` ("$LATEST" or a number): "name" or "name@N".
std::string engine_key_of(const std::string& function, const std::string& version);
// The version a qualifier stands for: "$LATEST" (also for ""), "N" of an existing version, the
// version of an existing alias; nullopt when there is none.
std::optional<std::string> resolve_version(Registry& registry, const std::string& account,
                                           const std::string& function, const std::string& qualifier);
net::wire::Response no_content();
// A request's body as a JSON object ({} when empty), or nullopt with the 400 to answer in `error`.
std::optional<Json> json_body(const net::wire::Request& req, net::wire::Response& error);

// The provisioned instances version `number` of a function gets: the sum of the provisioned
// concurrency configurations of that version and of the aliases that point at it.
int provisioned_for(Registry& registry, const std::string& account_id, const std::string& function,
                    int number);

// One request on versions, aliases or provisioned concurrency (versions_api.cpp), or a qualified
// GetFunction / GetFunctionConfiguration / DeleteFunction.
struct VersionsCall {
  ControlPlane& cp;
  const net::wire::Request& req;
  const std::string& account;

  // /2015-03-31/functions/{reference}/{op}: op is "versions", "aliases" or "aliases/{name}".
  net::wire::Response functions_route(const std::string& reference, std::string_view op);
  // /2019-09-30/functions/{reference}/provisioned-concurrency
  net::wire::Response provisioned_route(const std::string& reference, std::string_view op);
  // GetFunction / GetFunctionConfiguration of a version or alias (`qualifier` not $LATEST).
  net::wire::Response get_qualified(const FunctionRecord& function, const std::string& qualifier, bool whole);
  // DeleteFunction with a qualifier that is not $LATEST: that version only.
  net::wire::Response delete_version(const FunctionRecord& function, const std::string& qualifier);
  // DeleteFunction: the engine functions of every version, before the registry forgets them.
  void remove_versions_from_engine(const FunctionRecord& function);

 private:
  struct ProvisionedTarget {
    FunctionRecord function;
    std::string qualifier;  // as ?Qualifier= gives it
    std::string version;    // the published version it reaches
  };
  // The function and the published version or alias ?Qualifier= names, or the error to answer.
  std::optional<ProvisionedTarget> provisioned_target(const std::string& reference,
                                                      net::wire::Response& error);
  std::string arn(const std::string& name) const;
  std::optional<FunctionRecord> find(const std::string& reference, net::wire::Response& error) const;
  // The version a qualifier stands for: "$LATEST", "N" (an existing version), or nullopt.
  std::optional<std::string> version_of(const std::string& function, const std::string& qualifier);
  // Puts version `number` into the engine with the provisioned instances its configurations ask for.
  std::optional<net::wire::Response> sync_version(const std::string& function, const std::string& number);
  net::wire::Response publish_version(const std::string& reference);
  net::wire::Response list_versions(const std::string& reference);
  net::wire::Response create_alias(const std::string& reference);
  net::wire::Response list_aliases(const std::string& reference);
  net::wire::Response get_alias(const std::string& reference, const std::string& name);
  net::wire::Response update_alias(const std::string& reference, const std::string& name);
  net::wire::Response delete_alias(const std::string& reference, const std::string& name);
  net::wire::Response put_provisioned(const std::string& reference);
  net::wire::Response get_provisioned(const std::string& reference);
  net::wire::Response delete_provisioned(const std::string& reference);
  net::wire::Response list_provisioned(const std::string& reference);
  Json alias_json(const AliasRecord& alias) const;
  Json provisioned_json(const ProvisionedConfig& config, bool with_arn);
};

}  // namespace stratus::platform
