#pragma once
// Hot reload for `stratus offline`: a FileWatcher over every function's code folder; when files
// under a folder change, each function whose code lives there is reloaded (Engine::reload) and
// announced, e.g. "reloaded hello (handler.py changed)". Several functions sharing one folder (the
// service folder, usually) all reload.
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "emulator/engine/file_watch.hpp"

namespace stratus::engine {

class Engine;

// "reloaded hello (handler.py changed)", "reloaded hello (handler.py and 2 more files changed)";
// `changed` relative to the function's code folder.
std::string reload_message(const std::string& function, const std::vector<std::filesystem::path>& changed);

class HotReload {
 public:
  // Called after each function's reload with reload_message()'s line; on the watcher's thread.
  using Announce = std::function<void(const std::string& line)>;

  // Watches the code folders of the engine's functions from now on. Throws std::runtime_error when
  // files cannot be watched here.
  HotReload(Engine& engine, Announce announce, FileWatchOptions options = {});
  ~HotReload();  // stops watching; a reload in progress finishes first

 private:
  void changed(const std::vector<std::filesystem::path>& paths);

  struct Watched {
    std::string name;                // deployed name, for Engine::reload
    std::string short_name;          // for the message
    std::filesystem::path code_dir;  // canonical
  };
  Engine& m_engine;
  Announce m_announce;
  std::vector<Watched> m_functions;
  std::unique_ptr<FileWatcher> m_watcher;  // last: stopped first
};

}  // namespace stratus::engine
