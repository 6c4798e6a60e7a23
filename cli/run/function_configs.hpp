#pragma once
// From the typed service model to what the engine runs: one FunctionConfig per function, with the
// code read in place from the service folder (as `sls invoke local` and serverless-offline do).
#include <string>
#include <vector>

#include "emulator/engine/function_config.hpp"

namespace stratus::manifest {
struct Service;
}

namespace stratus::run {

struct FunctionConfigs {
  std::vector<engine::FunctionConfig> functions;  // manifest order
  std::vector<std::string> warnings;              // e.g. environment values that only AWS can resolve
};

// `account_id` is the local account (AWS_ACCOUNT_ID or 000000000000). Container-image functions
// cannot run locally: a UserError names them.
FunctionConfigs function_configs(const manifest::Service& service, const std::string& account_id);

}  // namespace stratus::run
