#pragma once
// `stratus deploy`, `deploy function`, `remove` and `info` without the command line, as recipes of
// named steps:
//   deploy:  package -> connect (remote.hpp) -> account (STS) -> plan -> apply -> report
//   remove:  connect -> account -> plan_remove -> apply
//   info:    package -> connect -> account -> describe_functions
//
// Where the planners join: plan_deploy() is the function plan (functions.hpp: role, functions)
// followed by the trigger plan (triggers.hpp: plan_triggers, appended after the functions), and
// plan_remove() runs the trigger removal first, then the functions, then the role.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cli/deploy/functions.hpp"
#include "cli/deploy/plan.hpp"
#include "cli/deploy/remote.hpp"

namespace stratus::ui {
class ProgressSink;
}

namespace stratus::deploy {

// A connected target: the client, and where a deploy goes.
struct Session {
  Remote remote;
  Target target;
};

// The Target of `service` in `account`: tags provider.tags + kServiceTag + kStageTag, the
// functions' names and ARNs in manifest order.
Target make_target(const manifest::Service& service, const std::string& region, const std::string& account,
                   aws::Client* client, bool platform);

// connect_remote, then the account (STS GetCallerIdentity), then make_target.
Session open_session(const manifest::Service& service, const GlobalOptions& options,
                     const RemoteFlags& flags);

// Packages the service (as `stratus package` does, into <service>/.stratus) and returns each zip
// function's code; package warnings are appended to `warnings`.
Artifacts package_artifacts(const manifest::Service& service, ui::ProgressSink* progress,
                            std::vector<std::string>& warnings);

// Every change a deploy makes, in order: the function plan, then the trigger plan.
Plan plan_deploy(const Target& target, const manifest::Service& service, const Artifacts& artifacts,
                 std::vector<std::string>& warnings);
// Every deletion a remove makes: triggers, then functions, then the role.
Plan plan_remove(const Target& target, const manifest::Service& service);

// Runs the actions in order. `on_step(index, total, what)` is called before each; `on_done(index,
// what, ms)` after. The first failure ends the run (its UserError propagates; the actions already
// applied stay applied, and a new deploy plans the rest).
void apply(const Plan& plan, const std::function<void(std::size_t, std::size_t, const std::string&)>& on_step,
           const std::function<void(std::size_t, const std::string&, long long)>& on_done);

// One function as `info` and `deploy --json` report it.
struct FunctionReport {
  std::string key;
  std::string name;
  std::string arn;  // "" when not deployed
  bool deployed = false;
  std::string runtime;
  int memory_size = 0;
  int timeout = 0;
  std::string last_modified;
  std::string code_sha256;
  std::optional<bool> code_matches;  // deployed code == local package (nullopt: no local zip)
  std::optional<int> reserved_concurrency;
  std::string url;
  // With provisionedConcurrency in the manifest: the version alias kProvisionedAlias points at
  // ("" when there is no alias) and its configuration (nullopt when none is set).
  std::string provisioned_version;
  std::optional<aws::ProvisionedConcurrency> provisioned;
};

// Reads each of the manifest's functions (GetFunction, GetFunctionUrlConfig; GetAlias and
// GetProvisionedConcurrencyConfig for those with provisionedConcurrency). `on_read(done, total)`
// (optional) is called before the first read and after each function's, for a progress display.
std::vector<FunctionReport> describe_functions(
    const Target& target, const manifest::Service& service, const Artifacts& artifacts,
    const std::function<void(std::size_t, std::size_t)>& on_read = {});

// Throws UserError (exit 2) when `key` is not a function of the manifest, naming the keys there.
void require_function(const manifest::Service& service, const std::string& key);

// `deploy function -f KEY [--update-config]`: the function's code in one UpdateFunctionCode call,
// then (with update_config) its configuration. Throws UserError (exit 2) for a key that is not in
// the manifest (naming the keys there), and (exit 1) when the function is not deployed yet.
// Returns what was done, one line per call ("code unchanged" when CodeSha256 already matched).
std::vector<std::string> deploy_one_function(const Target& target, const manifest::Service& service,
                                             const Artifacts& artifacts, const std::string& key,
                                             bool update_config);

}  // namespace stratus::deploy
