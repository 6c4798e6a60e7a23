#include "cli/context.hpp"

#include <cstdio>

#include "cli/errors.hpp"
#include "cli/manifest/manifest.hpp"
#include "emulator/common/local_account.hpp"

namespace stratus {

Context::Context() = default;
Context::~Context() = default;

ui::Output& Context::out() {
  if (!m_out)
    m_out = std::make_unique<ui::Output>(
        ui::OutputOptions{options.json, options.verbose, ui::should_color(options.no_color, stderr)});
  return *m_out;
}

std::filesystem::path Context::cwd() const {
  return std::filesystem::current_path();
}

manifest::LoadOptions Context::load_options() const {
  manifest::LoadOptions o;
  o.cwd = cwd();
  o.config = options.config;
  if (!options.stage.empty()) o.options["stage"] = options.stage;
  if (!options.region.empty()) o.options["region"] = options.region;
  for (const auto& kv : options.params) {
    auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0)
      throw UserError("--param '" + kv + "' must be key=value, e.g. --param domain=example.com");
    o.params[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  o.env = manifest::process_environment();
  auto account = o.env.find("AWS_ACCOUNT_ID");
  o.account_id = account != o.env.end() && !account->second.empty() ? account->second : kLocalAccountId;
  return o;
}

void Context::print_steps(const std::vector<std::pair<std::string, double>>& steps) {
  char line[128];
  for (const auto& [step, ms] : steps) {
    std::snprintf(line, sizeof line, "manifest: %-26s %7.2f ms", step.c_str(), ms);
    out().verbose(line);
  }
}

const manifest::LoadedManifest& Context::manifest() {
  if (!m_manifest) {
    m_manifest = std::make_unique<manifest::LoadedManifest>(manifest::load_manifest(load_options()));
    print_steps(m_manifest->steps);
    for (const auto& w : m_manifest->warnings)
      std::fputs(manifest::render(w, m_manifest->sources, out().color()).c_str(), stderr);
  }
  return *m_manifest;
}

}  // namespace stratus
