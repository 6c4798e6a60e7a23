#include "cli/package/plan.hpp"

#include <algorithm>

#include "cli/errors.hpp"
#include "cli/package/patterns.hpp"
#include "cli/package/state.hpp"

namespace stratus::package {

namespace fs = std::filesystem;

namespace {

bool is_remote(std::string_view artifact) {
  return artifact.starts_with("s3://") ||
         (artifact.starts_with("https://") && artifact.find(".amazonaws.com/") != std::string_view::npos);
}

void check_file_name(const std::string& name, const std::string& what) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos ||
      name.find('\0') != std::string::npos)
    throw UserError(what + " '" + name + "' cannot name a zip file; use letters, digits, '-' and '_'");
}

// A folder as a pattern prefix relative to the service folder, or "" when it is not inside it.
std::string relative_inside(const fs::path& dir, const fs::path& service_dir) {
  fs::path rel =
      fs::absolute(dir).lexically_normal().lexically_relative(fs::absolute(service_dir).lexically_normal());
  std::string text = rel.generic_string();
  while (text.ends_with('/')) text.pop_back();
  if (text.empty() || text == ".." || text.starts_with("../")) return "";
  return text;
}

std::string trim_folder(std::string text) {
  while (text.starts_with("./")) text.erase(0, 2);
  while (text.ends_with('/')) text.pop_back();
  return text;
}

}  // namespace

std::vector<std::string> service_patterns(const manifest::Service& service, const fs::path& out_dir) {
  std::vector<std::string> patterns = default_excludes();
  if (!service.config_file.empty()) {
    std::string rel = relative_inside(service.config_file, service.dir);
    if (!rel.empty()) patterns.push_back("!" + escape_glob(rel));
  }
  if (const auto* local = service.plugins.find("localPath"); local != nullptr && local->is_string()) {
    std::string folder = trim_folder(local->as_string());
    if (!folder.empty()) patterns.push_back("!" + escape_glob(folder) + "/**");
  }
  for (const auto& layer : service.layers.entries()) {
    const auto* path = layer.value.find("path");
    if (path != nullptr && path->is_string())
      patterns.push_back("!" + trim_folder(path->as_string()) + "/**");
  }
  if (service.use_dotenv) patterns.push_back("!.env*");
  fs::path abs_out = fs::absolute(out_dir).lexically_normal();
  if (abs_out == fs::absolute(service.dir).lexically_normal()) {
    // Artifacts written into the service folder itself must not end up inside the next ones.
    patterns.push_back("!*.zip");
    patterns.push_back("!" + escape_glob(kStateFileName));
    patterns.push_back("!.*.tmp");
  } else if (std::string rel = relative_inside(out_dir, service.dir); !rel.empty() && rel != ".serverless") {
    patterns.push_back("!" + escape_glob(rel) + "/**");
  }
  patterns.insert(patterns.end(), service.package.patterns.begin(), service.package.patterns.end());
  return patterns;
}

Plan plan_artifacts(const manifest::Service& service, const fs::path& out_dir) {
  Plan plan;
  PlannedArtifact shared;  // the service artifact, when some function uses it
  shared.service_wide = true;
  const auto& svc_package = service.package;
  bool service_individually = svc_package.individually.value_or(false);
  if (svc_package.artifact.empty()) {
    shared.name = service.name + ".zip";
  } else {
    shared.given = true;
    shared.given_as = svc_package.artifact;
    shared.setting = "package.artifact";
    shared.remote = is_remote(svc_package.artifact);
    shared.given_path = shared.remote ? fs::path(svc_package.artifact) : service.dir / svc_package.artifact;
  }
  std::vector<PlannedArtifact> own;
  std::vector<std::string> base;
  bool warned = false;

  for (const auto& fn : service.functions) {
    if (!fn.image.empty()) continue;
    const auto& pkg = fn.package;
    if (!pkg.artifact.empty()) {
      fs::path path = is_remote(pkg.artifact) ? fs::path(pkg.artifact) : service.dir / pkg.artifact;
      // Functions naming the same file share one entry.
      auto same = std::find_if(own.begin(), own.end(),
                               [&](const auto& a) { return a.given && a.given_path == path; });
      if (same != own.end()) {
        same->functions.push_back(fn.key);
        continue;
      }
      PlannedArtifact a;
      a.given = true;
      a.given_as = pkg.artifact;
      a.setting = "functions." + fn.key + ".package.artifact";
      a.remote = is_remote(pkg.artifact);
      a.given_path = path;
      a.functions.push_back(fn.key);
      own.push_back(std::move(a));
      continue;
    }
    bool fn_individually = pkg.individually.value_or(false);
    if ((fn_individually || service_individually) && !(shared.given && !fn_individually)) {
      check_file_name(fn.key, "function");
      if (base.empty()) base = service_patterns(service, out_dir);
      PlannedArtifact a;
      a.name = fn.key + ".zip";
      a.functions.push_back(fn.key);
      a.patterns = base;
      a.patterns.insert(a.patterns.end(), pkg.patterns.begin(), pkg.patterns.end());
      own.push_back(std::move(a));
      continue;
    }
    if (!pkg.patterns.empty() && !fn_individually && !service_individually && !warned) {
      warned = true;
      plan.warnings.push_back(
          "functions." + fn.key +
          ".package.patterns only apply when package.individually is true (at service or function level); "
          "they are ignored and the service patterns are used");
    }
    shared.functions.push_back(fn.key);
  }

  if (!shared.functions.empty()) {
    if (!shared.given) {
      check_file_name(service.name, "service name");
      shared.patterns = base.empty() ? service_patterns(service, out_dir) : base;
    }
    plan.artifacts.push_back(std::move(shared));
  }
  for (auto& a : own) plan.artifacts.push_back(std::move(a));
  return plan;
}

}  // namespace stratus::package
