#include "emulator/engine/launch.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <stdexcept>

#include "emulator/common/embedded.hpp"
#include "emulator/common/ids.hpp"
#include "emulator/common/utc_time.hpp"
#include "emulator/instances/process.hpp"
#include "emulator/runtimes/interpreter.hpp"

extern char** environ;

namespace stratus::engine {

namespace fs = std::filesystem;

namespace {

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_if_changed(const fs::path& path, std::string_view data) {
  std::error_code ec;
  if (fs::exists(path, ec) && read_file(path) == data) return;
  fs::create_directories(path.parent_path(), ec);
  const fs::path tmp = path.string() + ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    if (!out.flush()) throw std::runtime_error("cannot write " + tmp.string());
  }
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw std::runtime_error("cannot write " + path.string() + ": " + ec.message());
  }
}

// "3.11.9" starts with "3.11" as a version: "3.1" does not match "3.11".
bool version_matches(std::string_view host, std::string_view wanted) {
  if (!starts_with(host, wanted)) return false;
  return host.size() == wanted.size() || host[wanted.size()] == '.';
}

// Lambda's own variables (spec section 1.1): set last, so neither the host nor the function's
// environment can change how the instance talks to the engine.
std::vector<std::pair<std::string, std::string>> lambda_variables(const FunctionConfig& config,
                                                                  const InstanceEnv& instance) {
  std::vector<std::pair<std::string, std::string>> vars = {
      {"_HANDLER", config.handler},
      {"AWS_REGION", config.region},
      {"AWS_DEFAULT_REGION", config.region},
      {"AWS_LAMBDA_FUNCTION_NAME", config.name},
      {"AWS_LAMBDA_FUNCTION_MEMORY_SIZE", std::to_string(config.memory_mb)},
      {"AWS_LAMBDA_FUNCTION_VERSION", config.version},
      {"AWS_LAMBDA_INITIALIZATION_TYPE", instance.provisioned ? "provisioned-concurrency" : "on-demand"},
      {"AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + config.name},
      {"AWS_LAMBDA_LOG_STREAM_NAME", instance.log_stream},
      {"AWS_LAMBDA_RUNTIME_API", instance.runtime_api},
      {"LAMBDA_TASK_ROOT", config.code_dir.string()},
      {"TZ", ":UTC"},
      {"TMPDIR", instance.tmp_dir.string()},
  };
  if (runtime_family(config.runtime) != RuntimeFamily::provided) {
    vars.emplace_back("AWS_EXECUTION_ENV", "AWS_Lambda_" + config.runtime);
    // Set even when empty: a function's own variable of that name must not send our bootstrap to a
    // descriptor that is not the engine's.
    vars.emplace_back(kRuntimeApiFdVariable,
                      instance.passed_connection ? std::to_string(instances::kPassedFd) : std::string());
  }
  return vars;
}

}  // namespace

RuntimeFamily runtime_family(std::string_view runtime) {
  if (starts_with(runtime, "python3")) return RuntimeFamily::python;
  if (starts_with(runtime, "nodejs")) return RuntimeFamily::node;
  if (runtime == "provided" || starts_with(runtime, "provided.")) return RuntimeFamily::provided;
  return RuntimeFamily::unsupported;
}

std::string runtime_version(std::string_view runtime) {
  // "python" and "nodejs" are both six letters long.
  if (!starts_with(runtime, "python") && !starts_with(runtime, "nodejs")) return "";
  std::string_view rest = runtime.substr(6);
  if (rest.size() >= 2 && rest.substr(rest.size() - 2) == ".x") rest.remove_suffix(2);
  return std::string(rest);
}

void write_bootstraps(const fs::path& dir) {
  for (const char* name : {"python/bootstrap.py", "python/_stratus_bootstrap.py", "node/bootstrap.mjs"}) {
    const EmbeddedFile* file = find_embedded(embedded_runtimes(), name);
    if (file == nullptr) throw std::logic_error(std::string("runtime bootstrap not embedded: ") + name);
    write_if_changed(dir / name, file->data);
  }
}

RuntimePlan plan_runtime(const FunctionConfig& config, const fs::path& bootstrap_dir) {
  const std::string who = "function '" + config.short_name + "'";
  RuntimePlan plan;
  switch (runtime_family(config.runtime)) {
    case RuntimeFamily::python:
    case RuntimeFamily::node: {
      const bool python = runtime_family(config.runtime) == RuntimeFamily::python;
      const char* program = python ? "python3" : "node";
      const auto interpreter = resolve_interpreter_info(program);
      if (!interpreter)
        throw std::runtime_error(who + ": " + config.runtime + " needs " + program +
                                 " on PATH; install it or put it on PATH");
      plan.argv = {interpreter->path};
      if (!python) {
        // The flags Lambda's own node bootstrap passes: a tenth of the memory for the young generation
        // (half of it per semi-space), the rest for the old one, and global.gc() available.
        const int young = config.memory_mb / 10;
        plan.argv.insert(plan.argv.end(),
                         {"--expose-gc", "--max-http-header-size=81920",
                          "--max-semi-space-size=" + std::to_string(young / 2),
                          "--max-old-space-size=" + std::to_string(config.memory_mb - young)});
      }
      plan.argv.push_back((bootstrap_dir / (python ? "python/bootstrap.py" : "node/bootstrap.mjs")).string());
      plan.own_bootstrap = true;
      const std::string wanted = runtime_version(config.runtime);
      if (!wanted.empty() && !interpreter->version.empty() && !version_matches(interpreter->version, wanted))
        plan.warning = config.runtime + " runs on the host's " + (python ? "python " : "node ") +
                       interpreter->version + " (" + interpreter->path + ")";
      return plan;
    }
    case RuntimeFamily::provided: {
      const fs::path bootstrap = config.code_dir / "bootstrap";
      std::error_code ec;
      if (!fs::is_regular_file(bootstrap, ec))
        throw std::runtime_error(who + ": " + config.runtime + " runs the code's own bootstrap, and " +
                                 bootstrap.string() + " does not exist; add an executable bootstrap file");
      if (::access(bootstrap.c_str(), X_OK) != 0)
        throw std::runtime_error(who + ": " + bootstrap.string() + " is not executable; run chmod +x on it");
      plan.argv = {bootstrap.string()};
      return plan;
    }
    case RuntimeFamily::unsupported: break;
  }
  throw std::runtime_error(who + ": runtime '" + config.runtime +
                           "' cannot run locally; stratus runs python3.x, nodejs*.x and provided* (with a "
                           "bootstrap file)");
}

HostEnv HostEnv::capture(bool inherit_all) {
  HostEnv host;
  host.inherit_all = inherit_all;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    const auto eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view key = entry.substr(0, eq);
    const bool passed = inherit_all || key == "PATH" || key == "HOME" || key == "AWS_ACCESS_KEY_ID" ||
                        key == "AWS_SECRET_ACCESS_KEY" || key == "AWS_SESSION_TOKEN" ||
                        key == "AWS_PROFILE" || key == "AWS_CONFIG_FILE" ||
                        key == "AWS_SHARED_CREDENTIALS_FILE" || starts_with(key, "AWS_ENDPOINT_URL");
    if (passed) host.vars.emplace_back(std::string(key), std::string(entry.substr(eq + 1)));
  }
  return host;
}

std::vector<std::string> instance_environment(
    const FunctionConfig& config, const HostEnv& host,
    const std::vector<std::pair<std::string, std::string>>& overrides, const InstanceEnv& instance) {
  // Later entries win; the map keeps one value per name, in name order.
  std::map<std::string, std::string> env;
  env["PATH"] = "/usr/local/bin:/usr/bin:/bin";
  env["LANG"] = "en_US.UTF-8";
  for (const auto& [k, v] : host.vars) env[k] = v;
  for (const auto& [k, v] : config.environment) env[k] = v;
  for (const auto& [k, v] : overrides) env[k] = v;
  env["IS_OFFLINE"] = "true";
  for (auto& [k, v] : lambda_variables(config, instance)) env[k] = std::move(v);
  std::vector<std::string> out;
  out.reserve(env.size());
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

std::string new_log_stream_name(std::string_view version) {
  const auto now = std::chrono::system_clock::now();
  const CivilTime t =
      civil_from_unix(std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
  char date[16];
  std::snprintf(date, sizeof date, "%04lld/%02d/%02d/", static_cast<long long>(t.year), t.month, t.day);
  return std::string(date) + "[" + std::string(version) + "]" + random_hex(32);
}

}  // namespace stratus::engine
