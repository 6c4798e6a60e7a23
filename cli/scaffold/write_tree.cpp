#include "cli/scaffold/write_tree.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "cli/errors.hpp"

namespace stratus::scaffold {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const fs::path& shown, int error) {
  throw UserError("cannot create '" + shown.lexically_normal().string() + "': " + std::strerror(error),
                  kExitFailure);
}

bool exists_no_follow(const fs::path& p) {
  struct stat st;
  return lstat(p.c_str(), &st) == 0;
}

// rename() that refuses to replace `to`. RENAME_NOREPLACE makes the check atomic; filesystems
// without it get a check-then-rename, which is still right unless another process races us.
int rename_no_replace(const fs::path& from, const fs::path& to) {
  if (renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return 0;
  if (errno != EINVAL && errno != ENOSYS) return errno;
  if (exists_no_follow(to)) return EEXIST;
  return std::rename(from.c_str(), to.c_str()) == 0 ? 0 : errno;
}

void write_file(const fs::path& path, const ProjectFile& file, const fs::path& shown) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, file.executable ? 0777 : 0666);
  if (fd < 0) fail(shown, errno);
  std::string_view rest = file.content;
  while (!rest.empty()) {
    ssize_t n = ::write(fd, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int error = errno;
      ::close(fd);
      fail(shown, error);
    }
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
  if (::close(fd) != 0) fail(shown, errno);
}

// Creates dir and its missing parents (0777 less the umask), recording each one it made.
void make_dirs(const fs::path& dir, std::vector<fs::path>& made, const fs::path& shown) {
  if (dir.empty() || exists_no_follow(dir)) return;
  make_dirs(dir.parent_path(), made, shown.parent_path());
  if (::mkdir(dir.c_str(), 0777) != 0 && errno != EEXIST) fail(shown, errno);
  made.push_back(dir);
}

// Undoes what a failed write did: moves back what reached dest, then removes what was created.
struct Rollback {
  std::vector<fs::path> made;                        // folders created above the staging area
  fs::path staging;                                  // the temporary folder
  std::vector<std::pair<fs::path, fs::path>> moved;  // (staged path, final path)
  bool committed = false;

  Rollback() = default;
  Rollback(const Rollback&) = delete;
  Rollback& operator=(const Rollback&) = delete;
  ~Rollback() {
    if (committed) return;
    for (auto it = moved.rbegin(); it != moved.rend(); ++it)
      std::rename(it->second.c_str(), it->first.c_str());
    std::error_code ec;
    if (!staging.empty()) fs::remove_all(staging, ec);
    for (auto it = made.rbegin(); it != made.rend(); ++it) ::rmdir(it->c_str());
  }
};

// Moves the staged tree `from` into the existing folder `to`, entry by entry in sorted order,
// descending into folders that exist on both sides.
void merge_into(const fs::path& from, const fs::path& to, const fs::path& shown, Rollback& rollback) {
  std::vector<fs::path> entries;
  for (const auto& e : fs::directory_iterator(from)) entries.push_back(e.path().filename());
  std::sort(entries.begin(), entries.end());
  for (const auto& name : entries) {
    auto src = from / name, dst = to / name;
    struct stat st;
    if (lstat(dst.c_str(), &st) == 0 && S_ISDIR(st.st_mode) && fs::is_directory(src)) {
      merge_into(src, dst, shown / name, rollback);
      continue;
    }
    if (int error = rename_no_replace(src, dst); error != 0) fail(shown / name, error);
    rollback.moved.emplace_back(src, dst);
  }
}

}  // namespace

std::vector<std::string> find_conflicts(const fs::path& dest, std::span<const ProjectFile> files) {
  std::vector<std::string> out;
  for (const auto& f : files) {
    fs::path rel(f.path), at = dest;
    bool conflict = false;
    for (auto it = rel.begin(); it != rel.end() && !conflict; ++it) {
      at /= *it;
      struct stat st;
      if (lstat(at.c_str(), &st) != 0) break;
      bool last = std::next(it) == rel.end();
      // A folder on the way may exist (then we merge into it); a file never may.
      conflict = last || !fs::is_directory(at);
    }
    if (conflict) out.push_back(f.path);
  }
  std::sort(out.begin(), out.end());
  return out;
}

void write_tree(const fs::path& dest, std::span<const ProjectFile> files) {
  Rollback rollback;
  bool dest_exists = fs::is_directory(dest);
  // Stage on the same filesystem as dest so that the final renames cannot turn into copies.
  fs::path base = dest_exists ? dest : dest.parent_path();
  if (base.empty()) base = ".";
  if (!dest_exists) make_dirs(base, rollback.made, base);

  std::string container = (base / ".stratus-init-XXXXXX").string();
  if (!mkdtemp(container.data())) fail(base, errno);
  rollback.staging = container;
  // mkdtemp makes its folder private (0700); the tree inside gets the usual mode from mkdir.
  fs::path tree = fs::path(container) / "tree";
  if (::mkdir(tree.c_str(), 0777) != 0) fail(dest, errno);

  std::vector<fs::path> staged_dirs;
  for (const auto& f : files) {
    fs::path rel = fs::path(f.path).lexically_normal();
    make_dirs((tree / rel).parent_path(), staged_dirs, (dest / rel).parent_path());
    write_file(tree / rel, f, dest / rel);
  }

  if (dest_exists) {
    merge_into(tree, dest, dest, rollback);
  } else if (int error = rename_no_replace(tree, dest); error != 0) {
    fail(dest, error);
  }
  rollback.committed = true;
  std::error_code ec;
  fs::remove_all(container, ec);
}

}  // namespace stratus::scaffold
