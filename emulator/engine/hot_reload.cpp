#include "emulator/engine/hot_reload.hpp"

#include "emulator/engine/engine.hpp"

namespace stratus::engine {

namespace fs = std::filesystem;

std::string reload_message(const std::string& function, const std::vector<fs::path>& changed) {
  std::string line = "reloaded " + function;
  if (changed.empty()) return line;
  line += " (" + changed.front().generic_string();
  if (changed.size() == 2) line += " and 1 more file";
  if (changed.size() > 2) line += " and " + std::to_string(changed.size() - 1) + " more files";
  return line + " changed)";
}

HotReload::HotReload(Engine& engine, Announce announce, FileWatchOptions options)
    : m_engine(engine), m_announce(std::move(announce)) {
  std::vector<fs::path> roots;
  for (const auto& f : engine.functions()) {
    std::error_code ec;
    fs::path dir = fs::canonical(f.code_dir, ec);
    if (ec) continue;  // no code folder: nothing to watch
    m_functions.push_back(Watched{f.name, f.short_name.empty() ? f.name : f.short_name, dir});
    roots.push_back(std::move(dir));
  }
  m_watcher = std::make_unique<FileWatcher>(
      std::move(roots), [this](const std::vector<fs::path>& paths) { changed(paths); }, options);
}

HotReload::~HotReload() {
  m_watcher.reset();
}

namespace {

// Python trusts a cached module (__pycache__/NAME.cpython-3xx.pyc) whose source has the size and
// the mtime second it was compiled from: a quick same-length edit would run the old code. The
// caches of changed sources go (python writes them again).
void drop_python_caches(const std::vector<fs::path>& paths) {
  for (const auto& p : paths) {
    if (p.extension() != ".py") continue;
    const std::string prefix = p.stem().string() + ".";
    std::error_code ec;
    fs::directory_iterator it(p.parent_path() / "__pycache__", ec);
    for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
      const std::string name = it->path().filename().string();
      if (name.starts_with(prefix) && name.ends_with(".pyc")) {
        std::error_code remove_ec;
        fs::remove(it->path(), remove_ec);
      }
    }
  }
}

}  // namespace

void HotReload::changed(const std::vector<fs::path>& paths) {
  drop_python_caches(paths);
  for (const auto& f : m_functions) {
    std::vector<fs::path> mine;
    for (const auto& p : paths) {
      const fs::path relative = p.lexically_relative(f.code_dir);
      if (relative.empty() || *relative.begin() == "..") continue;
      if (file_watch_ignored(relative)) continue;  // e.g. another function's .stratus inside this one's tree
      mine.push_back(relative == "." ? p.filename() : relative);
    }
    if (mine.empty()) continue;
    try {
      m_engine.reload(f.name);
    } catch (
        const std::exception&) {  // a provisioned instance that cannot start: the next invocation says why
    }
    if (m_announce) m_announce(reload_message(f.short_name, mine));
  }
}

}  // namespace stratus::engine
