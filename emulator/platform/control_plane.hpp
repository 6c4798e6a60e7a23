#pragma once
// The Lambda control plane of `stratus serve` (REST-JSON, spec section 2.2), for one authenticated
// caller at a time. Every function belongs to the caller's account: another account's names are
// simply not there (404), and ARNs carry the caller's account id.
//
//   POST   /2015-03-31/functions                         CreateFunction (Code.ZipFile)      201
//   GET    /2015-03-31/functions[?Marker=&MaxItems=]     ListFunctions (50 a page)          200
//   GET    /2015-03-31/functions/{name}                  GetFunction                        200
//   DELETE /2015-03-31/functions/{name}                  DeleteFunction                     204
//   GET    /2015-03-31/functions/{name}/configuration    GetFunctionConfiguration           200
//   PUT    /2015-03-31/functions/{name}/configuration    UpdateFunctionConfiguration        200
//   PUT    /2015-03-31/functions/{name}/code             UpdateFunctionCode (ZipFile)       200
//   POST   /2021-10-31/functions/{name}/url              CreateFunctionUrlConfig (NONE)     201
//   GET    /2021-10-31/functions/{name}/url              GetFunctionUrlConfig               200
//   DELETE /2021-10-31/functions/{name}/url              DeleteFunctionUrlConfig            204
// Versions, aliases and provisioned concurrency (versions_api.cpp):
//   POST   /2015-03-31/functions/{name}/versions         PublishVersion                     201
//   GET    /2015-03-31/functions/{name}/versions         ListVersionsByFunction             200
//   POST   /2015-03-31/functions/{name}/aliases          CreateAlias                        201
//   GET    /2015-03-31/functions/{name}/aliases          ListAliases                        200
//   GET    /2015-03-31/functions/{name}/aliases/{alias}  GetAlias                           200
//   PUT    /2015-03-31/functions/{name}/aliases/{alias}  UpdateAlias                        200
//   DELETE /2015-03-31/functions/{name}/aliases/{alias}  DeleteAlias                        204
//   PUT    /2019-09-30/functions/{name}/provisioned-concurrency?Qualifier=   Put...Config   202
//   GET    /2019-09-30/functions/{name}/provisioned-concurrency?Qualifier=   Get...Config   200
//   DELETE /2019-09-30/functions/{name}/provisioned-concurrency?Qualifier=   Delete...Config 204
//   GET    /2019-09-30/functions/{name}/provisioned-concurrency?List=ALL     List...Configs 200
// GetFunction, GetFunctionConfiguration and DeleteFunction take a qualifier (?Qualifier= or
// "name:qualifier"): $LATEST, a version number or (Get*) an alias.
// {name}: a name, "ACCOUNT:function:name" or a full ARN, each optionally ":qualifier".
//
// A published version is an engine function of its own, keyed "name@N" (FunctionConfig::key), its
// code a snapshot in DATA_DIR/functions/<account>/<name>/versions/N (hard links of the code folder,
// which UpdateFunctionCode replaces by a rename, never rewrites). A provisioned concurrency
// configuration of a version, or of an alias, sets that version's engine function's
// provisioned_concurrency (the sum of the configurations that reach it).
//
// Code lives in DATA_DIR/functions/<account>/<name>/code, unpacked with platform::unpack_zip (a
// fresh folder renamed into place: a crash leaves the old code or the new, never half of either).
// Errors as Lambda sends them (x-amzn-ErrorType + {"Type":"User","message":…}):
//   body not JSON                                    400 InvalidRequestContentException
//   a missing or bad parameter, a zip that may not be unpacked (zip-slip, bomb, too large, not a
//   zip), a runtime that cannot run here, AuthType other than NONE
//                                                    400 InvalidParameterValueException
//   CreateFunction of an existing name, a second URL 409 ResourceConflictException
//   no such function (in the caller's account), no URL 404 ResourceNotFoundException
//   a path that is no operation                      404 UnknownOperationException
//   an operation's path with another method          405 MethodNotAllowedException
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "emulator/engine/function_config.hpp"
#include "emulator/net/http_wire.hpp"
#include "emulator/platform/registry.hpp"

namespace stratus::engine {
class Engine;
}

namespace stratus::platform {

// Where a function's name in a path leads: the bare name, or why it leads nowhere.
struct FunctionTarget {
  std::string name;       // "" when the reference is malformed or names another account
  std::string qualifier;  // what followed the name ("" when nothing did)
  std::string arn;        // as the caller wrote it, completed with the caller's account: for 404 messages
};
FunctionTarget resolve_function(const std::string& reference, const std::string& account_id,
                                const std::string& region);

// Lambda's service error: `x-amzn-ErrorType: code` and {"Type":"User", message_key: message}.
net::wire::Response lambda_error(int status, const std::string& code, const std::string& message,
                                 const char* message_key = "message");

class ControlPlane {
 public:
  struct Callbacks {
    std::function<engine::Engine&(const std::string& account_id)> engine_for;
    // A function's URL was created or removed (also when its function was deleted).
    std::function<void(const std::string& account_id)> urls_changed;
  };
  ControlPlane(Registry& registry, std::filesystem::path data_dir, std::string region, Callbacks callbacks);

  // Puts every registered function into its account's engine (at start). Returns one warning per
  // function that could not be loaded (its code folder gone, its runtime missing here).
  std::vector<std::string> load(const std::vector<std::string>& accounts);

  // Answers one control-plane request of `account_id`. `host` is the request's Host header (the
  // FunctionUrl is built on it).
  net::wire::Response handle(const net::wire::Request& request, const std::string& account_id,
                             const std::string& host);

  // What the engine runs for a record.
  engine::FunctionConfig config_of(const FunctionRecord& record) const;
  // What the engine runs for a published version, `provisioned` instances kept warm.
  engine::FunctionConfig config_of(const VersionRecord& version, int provisioned) const;
  // The engine key of the function that runs `function` at `qualifier` ($LATEST, a version
  // number, an alias) in `account_id`; nullopt when there is no such function, version or alias.
  std::optional<std::string> engine_key(const std::string& account_id, const std::string& function,
                                        const std::string& qualifier);
  std::filesystem::path function_dir(const std::string& account_id, const std::string& name) const;

 private:
  struct Call;
  friend struct VersionsCall;
  Registry& m_registry;
  std::filesystem::path m_data_dir;
  std::string m_region;
  Callbacks m_callbacks;
  std::mutex m_mutate;  // one change at a time: check, unpack, engine, registry
};

}  // namespace stratus::platform
