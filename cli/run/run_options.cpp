#include "cli/run/run_options.hpp"

#include <CLI/CLI.hpp>

#include "cli/errors.hpp"

namespace stratus::run {

void add_run_options(CLI::App& command, RunOptions& o, bool pool) {
  command.add_option("-e,--env", o.env, "Environment variable for the functions, KEY=VALUE (repeatable)");
  command.add_flag("--inherit-env", o.inherit_env, "Pass this shell's whole environment to the functions");
  if (!pool) return;
  command
      .add_option("--max-instances", o.max_instances,
                  "Instances per function at most; more requests wait for a free one (default: 2 x cores)")
      ->check(CLI::Range(1, 1000));
  command
      .add_option("--idle-timeout", o.idle_timeout_s,
                  "Seconds before an idle instance is stopped (default: 60)")
      ->check(CLI::Range(0.01, 86400.0));
  command
      .add_option("--account-concurrency", o.account_concurrency,
                  "Concurrent executions the account allows before 429 (default: 1000, as AWS)")
      ->check(CLI::Range(1, 100000));
}

std::vector<std::pair<std::string, std::string>> env_overrides(const std::vector<std::string>& entries) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& kv : entries) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0)
      throw UserError("--env '" + kv + "' must be KEY=VALUE, e.g. --env STAGE=dev");
    out.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  }
  return out;
}

}  // namespace stratus::run
