#include "cli/package/file_tree.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

#include "cli/errors.hpp"
#include "cli/package/patterns.hpp"

namespace stratus::package {

namespace {

constexpr std::size_t kMaxDepth = 256;

struct Frame {
  DIR* dir;
  std::string rel;
  dev_t dev;
  ino_t ino;
};

// Closes every open folder however the walk ends.
struct FrameStack {
  std::vector<Frame> frames;
  ~FrameStack() {
    for (auto& f : frames) closedir(f.dir);
  }
};

std::string real_path(const std::string& path) {
  char buffer[PATH_MAX];
  if (::realpath(path.c_str(), buffer) == nullptr) return "";
  return buffer;
}

bool inside(const std::string& path, const std::string& root) {
  return path == root || (path.size() > root.size() && path.starts_with(root) &&
                          (root.ends_with('/') || path[root.size()] == '/'));
}

const char* kind_of(mode_t mode) {
  if (S_ISFIFO(mode)) return "a fifo";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "a device";
  return "not a regular file";
}

std::string exclude_hint(const std::string& rel) {
  return "exclude it with '!" + escape_glob(rel) + "/**'";
}

}  // namespace

WalkResult walk_tree(const std::filesystem::path& root, const WalkOptions& options) {
  WalkResult result;
  std::string root_real = real_path(root.string());
  int root_fd = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  struct stat st {};
  if (root_real.empty() || root_fd < 0 || ::fstat(root_fd, &st) != 0) {
    int err = errno;
    if (root_fd >= 0) ::close(root_fd);
    throw UserError("cannot read the service folder " + root.string() + ": " + std::strerror(err));
  }
  FrameStack stack;
  DIR* root_dir = ::fdopendir(root_fd);
  if (root_dir == nullptr) {
    ::close(root_fd);
    throw UserError("cannot read the service folder " + root.string() + ": " + std::strerror(errno));
  }
  stack.frames.push_back({root_dir, "", st.st_dev, st.st_ino});

  while (!stack.frames.empty()) {
    Frame& frame = stack.frames.back();
    errno = 0;
    dirent* e = ::readdir(frame.dir);
    if (e == nullptr) {
      if (errno != 0)
        throw UserError("cannot read folder " + (frame.rel.empty() ? std::string(".") : frame.rel) + ": " +
                        std::strerror(errno) + "; fix its permissions or " + exclude_hint(frame.rel));
      ::closedir(frame.dir);
      stack.frames.pop_back();
      continue;
    }
    const char* name = e->d_name;
    if (std::strcmp(name, ".") == 0 || std::strcmp(name, "..") == 0) continue;
    std::string rel = frame.rel.empty() ? std::string(name) : frame.rel + "/" + name;
    int dir_fd = ::dirfd(frame.dir);

    bool is_link = e->d_type == DT_LNK;
    if (e->d_type == DT_UNKNOWN) {
      if (::fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;  // vanished meanwhile
      is_link = S_ISLNK(st.st_mode);
    }
    if (::fstatat(dir_fd, name, &st, 0) != 0) {
      if (is_link) result.warnings.push_back("skipped " + rel + ": a symlink to nothing");
      continue;  // a dangling link, or an entry removed since readdir
    }
    std::string escapes_to;
    if (is_link) {
      std::string target = real_path(root_real + "/" + rel);
      if (!inside(target, root_real)) escapes_to = target.empty() ? "?" : target;
    }

    if (S_ISDIR(st.st_mode)) {
      if (options.skip_dir) {
        auto segments = split_segments(rel);
        if (options.skip_dir(rel, segments)) continue;
      }
      if (!escapes_to.empty())
        throw UserError(rel + " is a symlink to " + escapes_to +
                        ", outside the service folder; stratus packages only files inside it: " +
                        exclude_hint(rel) + " or replace the link with a copy");
      for (const auto& f : stack.frames) {
        if (f.dev == st.st_dev && f.ino == st.st_ino)
          throw UserError(rel + " is a symlink to " +
                          (f.rel.empty() ? std::string("the service folder") : f.rel) +
                          ", one of its own parent folders; " + exclude_hint(rel));
      }
      if (stack.frames.size() > kMaxDepth)
        throw UserError("folder " + rel + " is nested more than 256 levels deep; " + exclude_hint(rel));
      int child_fd = ::openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      DIR* child = child_fd >= 0 ? ::fdopendir(child_fd) : nullptr;
      if (child == nullptr) {
        int err = errno;
        if (child_fd >= 0) ::close(child_fd);
        throw UserError("cannot read folder " + rel + ": " + std::strerror(err) +
                        "; fix its permissions or " + exclude_hint(rel));
      }
      stack.frames.push_back({child, std::move(rel), st.st_dev, st.st_ino});  // `frame` is stale from here
      continue;
    }
    if (!S_ISREG(st.st_mode)) {
      result.warnings.push_back("skipped " + rel + ": " + kind_of(st.st_mode));
      continue;
    }
    if (options.skip_file && options.skip_file(rel)) continue;
    FileEntry entry;
    entry.size = static_cast<std::uint64_t>(st.st_size);
    entry.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    entry.mode = st.st_mode;
    entry.escapes_to = std::move(escapes_to);
    entry.path = std::move(rel);
    result.files.push_back(std::move(entry));
  }
  std::sort(result.files.begin(), result.files.end(),
            [](const FileEntry& a, const FileEntry& b) { return a.path < b.path; });
  std::sort(result.warnings.begin(), result.warnings.end());
  return result;
}

}  // namespace stratus::package
