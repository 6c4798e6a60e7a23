#include "cli/manifest/manifest.hpp"

#include <algorithm>
#include <chrono>
#include <random>

#include "cli/errors.hpp"
#include "cli/manifest/build.hpp"
#include "cli/manifest/load.hpp"
#include "cli/manifest/validate.hpp"
#include "cli/manifest/variables.hpp"

extern char** environ;

namespace stratus::manifest {

namespace {

// ${sls:instanceId}: a fresh id per run, like the Serverless Framework's.
std::string new_instance_id() {
  std::random_device rd;
  std::mt19937_64 gen(
      rd() ^ static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()));
  static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string id;
  for (int i = 0; i < 8; ++i) id += alphabet[gen() % (sizeof alphabet - 1)];
  return id;
}

// Where the manifest is and how diagnostics name it.
bool locate(const LoadOptions& o, ManifestReport& r) {
  if (!o.config.empty()) {
    std::filesystem::path p = o.config;
    r.display_name = o.config;
    r.config_file = p.is_absolute() ? p : o.cwd / p;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(r.config_file, ec)) {
      r.diagnostics.error(Mark{}, "", "--config " + o.config + ": no such file");
      return false;
    }
    return true;
  }
  auto found = find_manifest(o.cwd);
  if (!found) {
    for (const char* js : {"serverless.js", "serverless.ts", "serverless.cjs", "serverless.mjs"}) {
      std::error_code ec;
      if (!std::filesystem::exists(o.cwd / js, ec)) continue;
      r.diagnostics.error(
          Mark{js, 0, 0}, "",
          std::string("stratus does not run JavaScript manifests; write the configuration this "
                      "file exports as serverless.yml (`sls print` prints it as YAML)"));
      return false;
    }
    r.diagnostics.error(Mark{}, "",
                        "no serverless.yml, serverless.yaml or serverless.json in " + o.cwd.string() +
                            "; run stratus in a service folder, pass --config FILE, or create one with "
                            "'stratus init --template python'");
    return false;
  }
  r.config_file = *found;
  r.display_name = found->filename().string();
  return true;
}

// Times the steps of the recipe below.
class StepClock {
 public:
  explicit StepClock(ManifestReport& r) : m_report(r) {}
  void done(const char* step) {
    auto now = std::chrono::steady_clock::now();
    m_report.steps.emplace_back(step, std::chrono::duration<double, std::milli>(now - m_last).count());
    m_last = now;
  }

 private:
  ManifestReport& m_report;
  std::chrono::steady_clock::time_point m_last = std::chrono::steady_clock::now();
};

}  // namespace

ManifestReport inspect_manifest(const LoadOptions& o) {
  ManifestReport r;
  StepClock clock(r);
  if (!locate(o, r)) return r;

  r.resolved = load_file(r.config_file, r.display_name, r.sources, r.diagnostics);
  clock.done("read and parse");
  if (r.diagnostics.has_errors()) return r;
  if (!r.resolved.is_map()) {
    r.diagnostics.error(Mark{r.display_name, r.resolved.mark.line, r.resolved.mark.column}, "",
                        "the manifest must be a mapping of keys (service, provider, functions, ...), got " +
                            std::string(kind_name(r.resolved.kind())));
    return r;
  }

  VariableContext vars;
  vars.service_dir = r.config_file.parent_path();
  vars.options = o.options;
  vars.params = o.params;
  vars.env = o.env;
  vars.instance_id = new_instance_id();
  vars.account_id = o.account_id;
  resolve_variables(r.resolved, vars, r.sources, r.diagnostics);
  std::string stage = effective_stage(r.resolved, vars);
  std::string region = effective_region(r.resolved, vars);
  clock.done("resolve variables");
  // Where a variable could not be resolved, its value is not checked (it would only be reported
  // again, as a bad value); the rest of the manifest still is, so every problem shows at once.
  std::vector<std::string> unresolved;
  for (const auto& d : r.diagnostics.items()) {
    if (d.severity != Severity::Error) continue;
    if (d.path.empty()) return r;  // not tied to one value: nothing after it can be trusted
    unresolved.push_back(d.path);
  }
  const auto at_unresolved = [&](const std::string& path) {
    return std::any_of(unresolved.begin(), unresolved.end(), [&](const std::string& u) {
      return path == u || (path.size() > u.size() && path.starts_with(u) && path[u.size()] == '.');
    });
  };

  // What `print` shows and what every later step reads: the stage and region in effect.
  if (Value* provider = r.resolved.find("provider"); provider && provider->is_map()) {
    for (auto [key, value] : {std::pair{"stage", &stage}, {"region", &region}}) {
      Value v(*value);
      if (const Value* old = provider->find(key)) v.mark = old->mark;
      provider->set(key, std::move(v));
    }
  }

  // The model builder's checks are more specific than the schema's ("not an SQS queue ARN" beats
  // "must match ^arn:"): where both flag the same value, only the builder's message is kept.
  Diagnostics schema_diags, build_diags;
  check_schema(r.resolved, schema_diags);
  clock.done("check against the schema");
  Service service = build_service(r.resolved, r.config_file, stage, region, build_diags);
  clock.done("build the service model");
  for (const auto& d : schema_diags.items()) {
    bool covered = at_unresolved(d.path);
    for (const auto& b : build_diags.items())
      covered |= d.severity == Severity::Error && b.severity == Severity::Error && b.path == d.path;
    if (!covered) r.diagnostics.add(d);
  }
  // The model's names derive from these: with one unresolved, its checks would only echo that.
  const bool names_unresolved =
      at_unresolved("service.name") || at_unresolved("provider.stage") || at_unresolved("provider.region");
  for (const auto& d : build_diags.items())
    if (!names_unresolved && !at_unresolved(d.path)) r.diagnostics.add(d);
  if (!r.diagnostics.has_errors()) r.service = std::move(service);
  return r;
}

LoadedManifest load_manifest(const LoadOptions& options) {
  ManifestReport r = inspect_manifest(options);
  if (r.diagnostics.has_errors()) throw UserError(r.diagnostics.sorted(), std::move(r.sources));
  LoadedManifest m{
      std::move(*r.service), std::move(r.resolved), std::move(r.sources), {}, std::move(r.steps)};
  for (auto& d : r.diagnostics.sorted())
    if (d.severity == Severity::Warning) m.warnings.push_back(std::move(d));
  return m;
}

std::map<std::string, std::string> process_environment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    auto eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  return env;
}

}  // namespace stratus::manifest
