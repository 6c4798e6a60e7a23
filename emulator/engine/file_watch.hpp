#pragma once
// Watches folder trees for changes with inotify (Linux): one thread, every folder of each tree
// watched (folders created later included), files created, written, deleted, renamed or touched
// reported. Bursts are debounced: the callback runs once the trees have been quiet for `debounce`
// (or at the latest `max_delay` after the first change of a burst), with every path that changed.
// Folders that hold tools' state, not code, are ignored: .stratus, .git, __pycache__ and
// node_modules/.cache, wherever they are in a tree.
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace stratus::engine {

struct FileWatchOptions {
  std::chrono::milliseconds debounce{100};
  std::chrono::milliseconds max_delay{2000};
  // Files whose changes are never reported, e.g. the log file the emulator's own output is
  // redirected to (a change would print a line, which would change it again).
  std::vector<std::filesystem::path> ignored_files;
};

// Whether a path relative to a watched root is ignored (see above).
bool file_watch_ignored(const std::filesystem::path& relative);

class FileWatcher {
 public:
  // Absolute paths that changed, sorted, each once. Runs on the watcher's thread.
  using Callback = std::function<void(const std::vector<std::filesystem::path>& changed)>;

  // Starts watching at once (the trees are walked before this returns). Roots inside another root
  // are watched once; roots that do not exist are skipped. Throws std::runtime_error when inotify
  // cannot be used.
  FileWatcher(std::vector<std::filesystem::path> roots, Callback on_change, FileWatchOptions options = {});
  ~FileWatcher();  // stops the thread; a callback in progress finishes first
  FileWatcher(const FileWatcher&) = delete;
  FileWatcher& operator=(const FileWatcher&) = delete;

  // The roots watched (canonical).
  const std::vector<std::filesystem::path>& roots() const { return m_roots; }

 private:
  void add_tree(const std::filesystem::path& dir, std::vector<std::filesystem::path>* found);
  void forget_tree(const std::filesystem::path& dir);
  bool ignored(const std::filesystem::path& path) const;
  void loop();

  std::vector<std::filesystem::path> m_roots;
  std::vector<std::filesystem::path> m_ignored_files;  // canonical
  Callback m_on_change;
  FileWatchOptions m_options;
  int m_fd = -1;
  int m_stop[2] = {-1, -1};
  std::map<int, std::filesystem::path> m_dirs;  // watch descriptor -> folder (watcher thread only)
  std::thread m_thread;
};

}  // namespace stratus::engine
