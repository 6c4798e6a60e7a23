#include "cli/package/dev_dependencies.hpp"

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <unordered_map>

namespace stratus::package {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Bounds for hostile or broken trees (symlinked node_modules can make paths endless).
constexpr std::size_t kMaxPackages = 100000;
constexpr std::size_t kMaxPathLength = 2048;
constexpr std::size_t kMaxManifestBytes = 16 << 20;

// An npm package name: "name" or "@scope/name", nothing that walks out of node_modules.
bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > 214 || name.find('\\') != std::string_view::npos ||
      name.find('\0') != std::string_view::npos)
    return false;
  std::size_t slash = name.find('/');
  if (name[0] == '@') {
    if (slash == std::string_view::npos || slash == 1 || slash + 1 == name.size() ||
        name.find('/', slash + 1) != std::string_view::npos)
      return false;
  } else if (slash != std::string_view::npos) {
    return false;
  }
  std::string_view last = slash == std::string_view::npos ? name : name.substr(slash + 1);
  return last != "." && last != "..";
}

std::optional<json> read_json(const fs::path& file, std::string* error) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::string text;
  char chunk[16384];
  while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
    text.append(chunk, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxManifestBytes) return std::nullopt;  // no package.json is that large
  }
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    if (error != nullptr) *error = e.what();
    return std::nullopt;
  }
}

std::vector<std::string> names_in(const json& manifest, std::initializer_list<const char*> fields) {
  std::vector<std::string> out;
  if (!manifest.is_object()) return out;
  for (const char* field : fields) {
    auto it = manifest.find(field);
    if (it == manifest.end() || !it->is_object()) continue;
    for (const auto& [name, version] : it->items())
      if (valid_name(name)) out.push_back(name);
  }
  return out;
}

// A package found on disk: its real folder (symlinks resolved; what Node uses as its identity)
// and every path through which it was resolved.
struct Found {
  std::string real;
  std::vector<std::string> paths;
};

class Resolver {
 public:
  explicit Resolver(const fs::path& root) : m_root(root), m_root_real(real_path(root.string())) {}

  // The folder of package `name` as Node finds it from package folder `from` ("" = the service):
  // <from>/node_modules/<name>, then the same in each parent folder. Empty when not installed.
  std::string resolve(const std::string& name, std::string dir) {
    for (;;) {
      if (dir != "node_modules" && !dir.ends_with("/node_modules")) {
        std::string candidate = (dir.empty() ? "" : dir + "/") + "node_modules/" + name;
        if (candidate.size() <= kMaxPathLength && !real_of(candidate).empty()) return candidate;
      }
      if (dir.empty()) return "";
      std::size_t slash = dir.rfind('/');
      dir = slash == std::string::npos ? "" : dir.substr(0, slash);
    }
  }

  // Every installed package reachable from `roots`, breadth first, by real folder: a package
  // reached through symlinks (pnpm, loops) is visited once.
  std::unordered_map<std::string, Found> reach(const std::vector<std::string>& roots) {
    std::unordered_map<std::string, Found> seen;
    std::deque<std::string> queue;
    auto visit = [&](const std::string& name, const std::string& from) {
      std::string path = resolve(name, from);
      if (path.empty()) return;
      const std::string& real = real_of(path);
      auto it = seen.find(real);
      if (it != seen.end()) {
        if (std::find(it->second.paths.begin(), it->second.paths.end(), path) == it->second.paths.end())
          it->second.paths.push_back(path);
        return;
      }
      if (seen.size() >= kMaxPackages) return;
      seen.emplace(real, Found{real, {path}});
      // Node resolves a package's own dependencies from its real folder (pnpm relies on it).
      std::string rel = relative_real(real);
      queue.push_back(rel.empty() ? path : rel);
    };
    for (const auto& name : roots) visit(name, "");
    while (!queue.empty()) {
      std::string dir = std::move(queue.front());
      queue.pop_front();
      if (const json* m = manifest(dir))
        for (const auto& name : names_in(*m, {"dependencies", "optionalDependencies", "peerDependencies"}))
          visit(name, dir);
    }
    return seen;
  }

  // The real folder relative to the service folder, or "" when it lies outside.
  std::string relative_real(const std::string& real) const {
    std::string prefix = m_root_real + "/";
    return real.starts_with(prefix) ? real.substr(prefix.size()) : "";
  }

  // node_modules/.bin links a package installs: "bin" as a string (named after the package)
  // or an object of names.
  std::vector<std::string> bin_links(const std::string& dir) {
    std::vector<std::string> out;
    const json* m = manifest(dir);
    std::size_t at = dir.rfind("node_modules/");
    if (m == nullptr || !m->is_object() || at == std::string::npos) return out;
    std::string container = dir.substr(0, at + 12), package = dir.substr(at + 13);
    auto bin = m->find("bin");
    if (bin == m->end()) return out;
    auto add = [&](std::string_view exe) {
      if (!exe.empty() && exe != "." && exe != ".." && exe.find('/') == std::string_view::npos)
        out.push_back(container + "/.bin/" + std::string(exe));
    };
    if (bin->is_string()) add(std::string_view(package).substr(package.find('/') + 1));
    if (bin->is_object())
      for (const auto& [exe, target] : bin->items()) add(exe);
    return out;
  }

 private:
  static std::string real_path(const std::string& path) {
    char buffer[PATH_MAX];
    return ::realpath(path.c_str(), buffer) != nullptr ? std::string(buffer) : std::string();
  }

  // The real path of a folder below the root, "" when it is no folder; cached.
  const std::string& real_of(const std::string& rel) {
    auto [it, inserted] = m_real.try_emplace(rel);
    if (inserted) {
      std::error_code ec;
      if (fs::is_directory(m_root / rel, ec)) it->second = real_path((m_root / rel).string());
    }
    return it->second;
  }

  const json* manifest(const std::string& dir) {
    auto [it, inserted] = m_manifests.try_emplace(dir);
    if (inserted) it->second = read_json(m_root / dir / "package.json", nullptr);
    return it->second ? &*it->second : nullptr;
  }

  fs::path m_root;
  std::string m_root_real;
  std::unordered_map<std::string, std::string> m_real;
  std::unordered_map<std::string, std::optional<json>> m_manifests;
};

}  // namespace

DevDependencies find_dev_dependencies(const fs::path& service_dir) {
  DevDependencies out;
  std::error_code ec;
  if (!fs::is_directory(service_dir / "node_modules", ec)) return out;
  std::string error;
  std::optional<json> root = read_json(service_dir / "package.json", &error);
  if (!root) {
    if (!error.empty())
      out.warnings.push_back("package.json is not valid JSON (" + error +
                             "); development dependencies are not excluded from the zips");
    return out;
  }
  std::vector<std::string> dev_roots = names_in(*root, {"devDependencies"});
  if (dev_roots.empty()) return out;

  Resolver resolver(service_dir);
  auto production = resolver.reach(names_in(*root, {"dependencies", "optionalDependencies"}));
  auto development = resolver.reach(dev_roots);
  std::unordered_set<std::string> production_bins;
  for (const auto& [real, found] : production)
    for (const auto& path : found.paths)
      for (auto& link : resolver.bin_links(path)) production_bins.insert(std::move(link));
  for (const auto& [real, found] : development) {
    if (production.contains(real)) continue;
    // Excluded under every path it was found through, and where it really is.
    std::vector<std::string> paths = found.paths;
    if (std::string rel = resolver.relative_real(real); !rel.empty()) paths.push_back(rel);
    for (const auto& path : paths) {
      out.package_dirs.insert(path);
      for (auto& link : resolver.bin_links(path))
        if (!production_bins.contains(link)) out.bin_links.insert(std::move(link));
    }
  }
  return out;
}

}  // namespace stratus::package
