#pragma once
// From the typed service model to what the engine runs: one FunctionConfig per function, with the
// code read in place from the service folder (as `sls invoke local` and serverless-offline do).
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "emulator/engine/function_config.hpp"

namespace stratus::manifest {
struct Service;
class Value;
}  // namespace stratus::manifest

namespace stratus::run {

struct FunctionConfigs {
  std::vector<engine::FunctionConfig> functions;  // manifest order
  std::vector<std::string> warnings;              // e.g. environment values that only AWS can resolve
};

// The local value of an environment value that is not a scalar (a CloudFormation intrinsic), or
// nullopt when it has none.
using ResolveIntrinsic = std::function<std::optional<std::string>(const manifest::Value&)>;

// `account_id` is the local account (AWS_ACCOUNT_ID or 000000000000). An intrinsic environment value
// is set to what `resolve` (when given) returns; the others are left out, with a warning. Container-
// image functions cannot run locally: a UserError names them.
FunctionConfigs function_configs(const manifest::Service& service, const std::string& account_id,
                                 const ResolveIntrinsic& resolve = {});

}  // namespace stratus::run
