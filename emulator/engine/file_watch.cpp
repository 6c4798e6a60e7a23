#include "emulator/engine/file_watch.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>
#include <stdexcept>

namespace stratus::engine {

namespace fs = std::filesystem;

namespace {

constexpr std::uint32_t kDirMask = IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_FROM |
                                   IN_MOVED_TO | IN_ATTRIB | IN_DELETE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW;

// `inner` is `outer` or lies inside it (both canonical).
bool within(const fs::path& inner, const fs::path& outer) {
  auto i = inner.begin();
  for (auto o = outer.begin(); o != outer.end(); ++o, ++i) {
    if (o->empty() && std::next(o) == outer.end()) return true;  // a trailing separator
    if (i == inner.end() || *i != *o) return false;
  }
  return true;
}

}  // namespace

bool file_watch_ignored(const fs::path& relative) {
  std::string previous;
  for (const auto& part : relative) {
    const std::string name = part.string();
    if (name == ".stratus" || name == ".git" || name == "__pycache__") return true;
    if (name == ".cache" && previous == "node_modules") return true;
    previous = name;
  }
  return false;
}

FileWatcher::FileWatcher(std::vector<fs::path> roots, Callback on_change, FileWatchOptions options)
    : m_on_change(std::move(on_change)), m_options(options) {
  std::vector<fs::path> canonical;
  for (const auto& root : roots) {
    std::error_code ec;
    fs::path c = fs::canonical(root, ec);
    if (!ec && fs::is_directory(c, ec)) canonical.push_back(std::move(c));
  }
  std::sort(canonical.begin(), canonical.end());
  for (const auto& c : canonical)  // sorted: a root's ancestors come before it
    if (std::none_of(m_roots.begin(), m_roots.end(), [&](const fs::path& r) { return within(c, r); }))
      m_roots.push_back(c);

  for (const auto& file : m_options.ignored_files) {
    std::error_code ec;
    fs::path c = fs::weakly_canonical(file, ec);
    if (!ec) m_ignored_files.push_back(std::move(c));
  }

  m_fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (m_fd < 0)
    throw std::runtime_error(std::string("cannot watch files (inotify): ") + std::strerror(errno));
  if (::pipe2(m_stop, O_CLOEXEC | O_NONBLOCK) != 0) {
    ::close(m_fd);
    throw std::runtime_error(std::string("cannot watch files (pipe): ") + std::strerror(errno));
  }
  for (const auto& root : m_roots) add_tree(root, nullptr);
  m_thread = std::thread([this] { loop(); });
}

FileWatcher::~FileWatcher() {
  const char byte = 1;
  [[maybe_unused]] auto n = ::write(m_stop[1], &byte, 1);
  if (m_thread.joinable()) m_thread.join();
  ::close(m_stop[0]);
  ::close(m_stop[1]);
  ::close(m_fd);
}

bool FileWatcher::ignored(const fs::path& path) const {
  if (std::find(m_ignored_files.begin(), m_ignored_files.end(), path) != m_ignored_files.end()) return true;
  for (const auto& root : m_roots)
    if (within(path, root)) return file_watch_ignored(path.lexically_relative(root));
  return false;
}

// Watches `dir` and every folder below it that is not ignored; `found` (when given) gets the files
// and folders already there (a folder moved or copied in brings them; one made just after its
// parent was created but before the parent's watch existed sends no event of its own).
void FileWatcher::add_tree(const fs::path& dir, std::vector<fs::path>* found) {
  if (ignored(dir)) return;
  const int wd = ::inotify_add_watch(m_fd, dir.c_str(), kDirMask);
  if (wd < 0) return;  // gone already, or not a folder
  m_dirs[wd] = dir;
  std::error_code ec;
  fs::directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
    const fs::path& p = it->path();
    std::error_code type_ec;
    if (it->is_directory(type_ec) && !it->is_symlink(type_ec)) {
      if (found && !ignored(p)) found->push_back(p);
      add_tree(p, found);
    } else if (found && !ignored(p)) {
      found->push_back(p);
    }
  }
}

// A folder moved away: its watches (and those below it) go, so events never carry its old path.
void FileWatcher::forget_tree(const fs::path& dir) {
  for (auto it = m_dirs.begin(); it != m_dirs.end();) {
    if (within(it->second, dir)) {
      ::inotify_rm_watch(m_fd, it->first);
      it = m_dirs.erase(it);
    } else {
      ++it;
    }
  }
}

void FileWatcher::loop() {
  using Clock = std::chrono::steady_clock;
  std::set<fs::path> pending;
  bool in_burst = false;
  Clock::time_point quiet_at{}, latest{};
  alignas(inotify_event) char buffer[64 * 1024];
  for (;;) {
    int timeout = -1;
    if (in_burst) {
      const auto due = std::min(quiet_at, latest);
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(due - Clock::now()).count();
      timeout = static_cast<int>(std::max<long long>(0, left));
    }
    pollfd fds[2] = {{m_fd, POLLIN, 0}, {m_stop[0], POLLIN, 0}};
    const int ready = ::poll(fds, 2, timeout);
    if (ready < 0 && errno != EINTR) return;
    if (fds[1].revents) return;
    bool changed = false;
    if (ready > 0 && (fds[0].revents & POLLIN)) {
      for (;;) {
        const ssize_t n = ::read(m_fd, buffer, sizeof buffer);
        if (n <= 0) break;
        for (ssize_t at = 0; at < n;) {
          const auto* event = reinterpret_cast<const inotify_event*>(buffer + at);
          at += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
          if (event->mask & IN_Q_OVERFLOW) {  // events were lost: say every tree changed
            for (const auto& root : m_roots) pending.insert(root);
            changed = true;
            continue;
          }
          auto dir = m_dirs.find(event->wd);
          if (dir == m_dirs.end()) continue;
          if (event->mask & IN_IGNORED) {
            m_dirs.erase(dir);
            continue;
          }
          const fs::path path = event->len > 0 ? dir->second / event->name : dir->second;
          if (ignored(path)) continue;
          const bool is_dir = (event->mask & IN_ISDIR) != 0;
          if (is_dir && (event->mask & IN_MOVED_FROM)) forget_tree(path);
          if (is_dir && (event->mask & (IN_CREATE | IN_MOVED_TO))) {
            std::vector<fs::path> inside;
            add_tree(path, &inside);
            pending.insert(inside.begin(), inside.end());
          }
          // A folder's own metadata or contents listing is not code; its files are reported.
          if (is_dir && (event->mask & (IN_ATTRIB | IN_MODIFY | IN_CLOSE_WRITE))) continue;
          pending.insert(path);
          changed = true;
        }
      }
    }
    const auto now = Clock::now();
    if (changed) {
      if (!in_burst) latest = now + m_options.max_delay;
      in_burst = true;
      quiet_at = now + m_options.debounce;
    }
    if (in_burst && now >= std::min(quiet_at, latest)) {
      std::vector<fs::path> out(pending.begin(), pending.end());
      pending.clear();
      in_burst = false;
      try {
        m_on_change(out);
      } catch (...) {  // a failing callback never ends the watch
      }
    }
  }
}

}  // namespace stratus::engine
