#pragma once
// How an instance of a function is started: which program, with which environment.
// Built-in runtimes (python3.x, nodejsN.x) run our embedded bootstrap under the host's
// interpreter; provided, provided.al2 and provided.al2023 run the code's own `bootstrap`.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "emulator/engine/function_config.hpp"

namespace stratus::engine {

enum class RuntimeFamily { python, node, provided, unsupported };

// "python3.12" -> python, "nodejs22.x" -> node, "provided.al2023" -> provided, "java21" -> unsupported.
RuntimeFamily runtime_family(std::string_view runtime);

// The runtime's interpreter version as the manifest names it: "3.12" for python3.12, "22" for
// nodejs22.x; "" when the name carries none (or for provided*).
std::string runtime_version(std::string_view runtime);

// What running a function's instances needs that does not change between instances: the program
// to start and the environment every instance shares.
struct RuntimePlan {
  std::vector<std::string> argv;  // program and arguments
  std::string warning;            // "" or e.g. "python3.12 runs on the host's python 3.11.9"
  bool own_bootstrap = false;     // argv runs our bootstrap: it takes a passed Runtime API connection
};

// Where the built-in bootstraps are written (once per engine): <dir>/python/bootstrap.py (and the
// module it imports), <dir>/node/bootstrap.mjs, rewritten atomically only when their content
// differs (so python's cached byte code stays valid).
// Throws std::runtime_error naming the path when it cannot write.
void write_bootstraps(const std::filesystem::path& dir);

// Resolves the program for `config` or throws std::runtime_error with a message that names the
// function and the fix, e.g.
//   "function 'hello': runtime 'java21' cannot run locally; stratus runs python3.x, nodejs*.x
//    and provided* (with a bootstrap file)"
//   "function 'hello': python3.12 needs python3 on PATH"
//   "function 'hello': provided.al2023 runs the code's own bootstrap, and <dir>/bootstrap does
//    not exist"
RuntimePlan plan_runtime(const FunctionConfig& config, const std::filesystem::path& bootstrap_dir);

// The per-instance parts of the environment.
struct InstanceEnv {
  std::string runtime_api;  // "127.0.0.1:PORT"
  std::string log_stream;   // "2026/11/22/[$LATEST]<32 hex>"
  std::filesystem::path tmp_dir;
  bool provisioned = false;  // AWS_LAMBDA_INITIALIZATION_TYPE
  // The runtime inherited a connection to its Runtime API (RuntimeApiServer::local_connection)
  // as descriptor instances::kPassedFd: kRuntimeApiFdVariable names it (for python and node; it is
  // empty when false). Our bootstraps use it and remove the variable before the handler loads;
  // AWS_LAMBDA_RUNTIME_API still works as on Lambda.
  bool passed_connection = false;
};

inline constexpr const char* kRuntimeApiFdVariable = "_STRATUS_RUNTIME_API_FD";

// Host variables passed to every instance: the caller's AWS credentials, profile and endpoint
// settings (so SDK calls in handlers work), HOME (for ~/.aws) and PATH. Nothing else unless
// `inherit_all`.
struct HostEnv {
  std::vector<std::pair<std::string, std::string>> vars;  // captured from the process environment
  bool inherit_all = false;
  static HostEnv capture(bool inherit_all);
};

// The full environment of one instance ("K=V" entries): the host variables allowed through, the
// function's own variables, `overrides` (--env), IS_OFFLINE=true, then the variables Lambda sets
// (spec section 1.1), which nothing overrides.
std::vector<std::string> instance_environment(
    const FunctionConfig& config, const HostEnv& host,
    const std::vector<std::pair<std::string, std::string>>& overrides, const InstanceEnv& instance);

// "YYYY/MM/DD/[$LATEST]" + 32 random hex digits, dated today (UTC).
std::string new_log_stream_name(std::string_view version);

}  // namespace stratus::engine
