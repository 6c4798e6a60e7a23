// The inotify watcher on real folders: real writes, bounded waits.
#include "emulator/engine/file_watch.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>

#include "emulator/engine/hot_reload.hpp"
#include "tests/support/temp_dir.hpp"

namespace stratus::engine {
namespace {

namespace fs = std::filesystem;
using test_support::TempDir;
using namespace std::chrono_literals;

// Collects the watcher's callbacks.
class Changes {
 public:
  FileWatcher::Callback callback() {
    return [this](const std::vector<fs::path>& changed) {
      std::lock_guard lock(m_mutex);
      m_batches.push_back(changed);
      m_cv.notify_all();
    };
  }
  // Waits (at most 5 s) for a batch that holds `path`; the batches seen so far are consumed.
  bool wait_for(const fs::path& path) {
    std::unique_lock lock(m_mutex);
    const auto until = std::chrono::steady_clock::now() + 5s;
    for (;;) {
      for (const auto& batch : m_batches)
        for (const auto& p : batch)
          if (p == path) {
            m_batches.clear();
            return true;
          }
      if (m_cv.wait_until(lock, until) == std::cv_status::timeout) return false;
    }
  }
  std::vector<std::vector<fs::path>> batches() {
    std::lock_guard lock(m_mutex);
    return m_batches;
  }
  void clear() {
    std::lock_guard lock(m_mutex);
    m_batches.clear();
  }

 private:
  std::mutex m_mutex;
  std::condition_variable m_cv;
  std::vector<std::vector<fs::path>> m_batches;
};

FileWatchOptions fast() {
  FileWatchOptions o;
  o.debounce = 50ms;
  return o;
}

TEST(FileWatch, ReportsCreateModifyDeleteAndRenameRecursively) {
  TempDir dir;
  const fs::path root = fs::canonical(dir.path());
  dir.write("src/lib/util.py", "x = 1\n");
  Changes changes;
  FileWatcher watcher({dir.path()}, changes.callback(), fast());
  ASSERT_EQ(watcher.roots(), std::vector<fs::path>{root});

  dir.write("handler.py", "def h(e, c): return 1\n");  // create
  EXPECT_TRUE(changes.wait_for(root / "handler.py"));
  dir.write("src/lib/util.py", "x = 2\n");  // modify, two folders down
  EXPECT_TRUE(changes.wait_for(root / "src/lib/util.py"));
  fs::rename(root / "src/lib/util.py", root / "src/lib/tools.py");  // rename: both names
  EXPECT_TRUE(changes.wait_for(root / "src/lib/tools.py"));
  fs::remove(root / "src/lib/tools.py");  // delete
  EXPECT_TRUE(changes.wait_for(root / "src/lib/tools.py"));

  // A folder made after the start is watched too.
  fs::create_directories(root / "new/deeper");
  EXPECT_TRUE(changes.wait_for(root / "new/deeper"));
  // Folders made faster than their parents' watches are added are found by the scan that adds them.
  fs::create_directories(root / "burst/one/two/three");
  EXPECT_TRUE(changes.wait_for(root / "burst/one/two/three"));
  std::this_thread::sleep_for(100ms);
  dir.write("new/deeper/x.py", "y = 1\n");
  EXPECT_TRUE(changes.wait_for(root / "new/deeper/x.py"));

  // A folder moved in brings its files, and is watched under its new name.
  TempDir outside;
  outside.write("pkg/mod.py", "z = 1\n");
  fs::rename(outside.path() / "pkg", root / "pkg");
  EXPECT_TRUE(changes.wait_for(root / "pkg/mod.py"));
  dir.write("pkg/mod.py", "z = 2\n");
  EXPECT_TRUE(changes.wait_for(root / "pkg/mod.py"));
  // Renamed within the tree: events carry the new name.
  fs::rename(root / "pkg", root / "pkg2");
  EXPECT_TRUE(changes.wait_for(root / "pkg2"));
  std::this_thread::sleep_for(100ms);
  dir.write("pkg2/mod.py", "z = 3\n");
  EXPECT_TRUE(changes.wait_for(root / "pkg2/mod.py"));
}

TEST(FileWatch, IgnoresToolFolders) {
  TempDir dir;
  const fs::path root = fs::canonical(dir.path());
  dir.write(".stratus/tmp/keep", "");
  dir.write("node_modules/.cache/keep", "");
  dir.write("node_modules/left-pad/index.js", "module.exports = 1;\n");
  fs::create_directories(dir.path() / "sub");
  Changes changes;
  FileWatcher watcher({dir.path()}, changes.callback(), fast());
  dir.write(".stratus/stratus.db", "x");
  dir.write(".stratus/tmp/abc/file", "x");
  dir.write("__pycache__/handler.cpython-312.pyc", "x");
  dir.write("sub/__pycache__/m.pyc", "x");
  dir.write(".git/HEAD", "ref: refs/heads/main\n");
  dir.write("node_modules/.cache/babel/x.json", "{}");
  std::this_thread::sleep_for(300ms);
  for (const auto& batch : changes.batches())
    for (const auto& p : batch) ADD_FAILURE() << "reported: " << p;
  // node_modules itself is code.
  dir.write("node_modules/left-pad/index.js", "module.exports = 2;\n");
  EXPECT_TRUE(changes.wait_for(root / "node_modules/left-pad/index.js"));

  EXPECT_TRUE(file_watch_ignored(".stratus/x"));
  EXPECT_TRUE(file_watch_ignored("a/.git/config"));
  EXPECT_TRUE(file_watch_ignored("a/node_modules/.cache/x"));
  EXPECT_FALSE(file_watch_ignored(".cache/x"));
  EXPECT_FALSE(file_watch_ignored("handler.py"));
  EXPECT_FALSE(file_watch_ignored("src/git/x.py"));
}

TEST(FileWatch, IgnoredFiles) {
  TempDir dir;
  const fs::path root = fs::canonical(dir.path());
  dir.write("offline.log", "");
  Changes changes;
  FileWatchOptions options = fast();
  options.ignored_files = {dir.path() / "offline.log"};
  FileWatcher watcher({dir.path()}, changes.callback(), options);
  dir.write("offline.log", "reloaded hello (handler.py changed)\n");
  std::this_thread::sleep_for(300ms);
  EXPECT_TRUE(changes.batches().empty());
  dir.write("offline.txt", "x");
  EXPECT_TRUE(changes.wait_for(root / "offline.txt"));
}

TEST(FileWatch, DebouncesABurstIntoOneCallback) {
  TempDir dir;
  const fs::path root = fs::canonical(dir.path());
  Changes changes;
  FileWatchOptions options;
  options.debounce = 300ms;
  FileWatcher watcher({dir.path()}, changes.callback(), options);
  for (int i = 0; i < 20; ++i) dir.write("f" + std::to_string(i) + ".py", "x");
  std::this_thread::sleep_for(1s);
  const auto batches = changes.batches();
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].size(), 20u);
  EXPECT_EQ(batches[0].front(), root / "f0.py");
}

TEST(FileWatch, NestedRootsOnceMissingRootsSkipped) {
  TempDir dir;
  const fs::path root = fs::canonical(dir.path());
  dir.write("a/b/x.py", "");
  Changes changes;
  FileWatcher watcher({dir.path() / "a/b", dir.path() / "missing", dir.path()}, changes.callback(), fast());
  EXPECT_EQ(watcher.roots(), std::vector<fs::path>{root});
  dir.write("a/b/x.py", "1");
  ASSERT_TRUE(changes.wait_for(root / "a/b/x.py"));
}

TEST(FileWatch, ReloadMessage) {
  EXPECT_EQ(reload_message("hello", {"handler.py"}), "reloaded hello (handler.py changed)");
  EXPECT_EQ(reload_message("hello", {"a.py", "b.py"}), "reloaded hello (a.py and 1 more file changed)");
  EXPECT_EQ(reload_message("hello", {"src/a.py", "b", "c"}),
            "reloaded hello (src/a.py and 2 more files changed)");
}

}  // namespace
}  // namespace stratus::engine
