#pragma once
// The options every command that runs functions shares (invoke local, offline): the function's
// environment and the engine's limits, and how they become EngineSettings.
#include <string>
#include <utility>
#include <vector>

namespace CLI {
class App;
}

namespace stratus::run {

struct RunOptions {
  std::vector<std::string> env;    // --env KEY=VALUE
  bool inherit_env = false;        // --inherit-env
  int max_instances = 0;           // --max-instances (0 = 2 x cores)
  double idle_timeout_s = 60;      // --idle-timeout
  int account_concurrency = 1000;  // --account-concurrency
};

// Adds --env and --inherit-env; with `pool`, also the pool limits (long-running commands).
void add_run_options(CLI::App& command, RunOptions& options, bool pool);

// --env entries as pairs; throws UserError for an entry without '=' or with an empty key.
std::vector<std::pair<std::string, std::string>> env_overrides(const std::vector<std::string>& entries);

}  // namespace stratus::run
