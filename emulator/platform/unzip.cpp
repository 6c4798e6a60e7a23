#include "emulator/platform/unzip.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <deque>
#include <fstream>
#include <map>
#include <mutex>
#include <system_error>
#include <utility>

namespace stratus::platform {

namespace {

// libarchive is loaded on first use, never linked: linking it makes every start of the binary map
// it and the dozen libraries it needs (see cli/package/libarchive.hpp, which does the same for the
// writer; the engine cannot include cli/, and the two sets of functions do not overlap).
#define STRATUS_UNZIP_FUNCTIONS(X)            \
  X(archive_read_new)                         \
  X(archive_read_free)                        \
  X(archive_read_support_format_zip_seekable) \
  X(archive_read_open_memory)                 \
  X(archive_read_open_filename)               \
  X(archive_read_next_header)                 \
  X(archive_read_data)                        \
  X(archive_error_string)                     \
  X(archive_entry_pathname)                   \
  X(archive_entry_filetype)                   \
  X(archive_entry_perm)                       \
  X(archive_entry_symlink)                    \
  X(archive_entry_hardlink)

struct ReadApi {
#define STRATUS_UNZIP_MEMBER(name) decltype(&::name) name = nullptr;
  STRATUS_UNZIP_FUNCTIONS(STRATUS_UNZIP_MEMBER)
#undef STRATUS_UNZIP_MEMBER
};

// Returns the loaded functions, or nullptr with `error` set.
const ReadApi* read_api(std::string& error) {
  static ReadApi api;
  static std::string load_error;
  static std::once_flag once;
  std::call_once(once, [] {
    constexpr const char* kSoname = "libarchive.so.13";
    void* handle = dlopen(kSoname, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      const char* why = dlerror();
      load_error = std::string(kSoname) + " cannot be loaded (" + (why ? why : "unknown reason") +
                   "); install it: apt-get install libarchive13";
      return;
    }
#define STRATUS_UNZIP_LOAD(name)                                        \
  api.name = reinterpret_cast<decltype(&::name)>(dlsym(handle, #name)); \
  if (!api.name) {                                                      \
    load_error = std::string(kSoname) + " has no " #name;               \
    return;                                                             \
  }
    STRATUS_UNZIP_FUNCTIONS(STRATUS_UNZIP_LOAD)
#undef STRATUS_UNZIP_LOAD
  });
  error = load_error;
  return load_error.empty() ? &api : nullptr;
}

// Thrown inside this file only; unpack_zip turns it into the result's error.
struct Rejected {
  UnzipError error;
};

[[noreturn]] void reject(UnzipProblem problem, const std::string& entry, const std::string& rule) {
  std::string message = entry.empty() ? "zip " + rule : "zip entry '" + entry + "' " + rule;
  throw Rejected{UnzipError{problem, entry, std::move(message)}};
}

[[noreturn]] void io_failure(const std::string& what, int err) {
  throw Rejected{UnzipError{UnzipProblem::Io, "", what + ": " + std::strerror(err)}};
}

class Fd {
 public:
  explicit Fd(int fd = -1) : m_fd(fd) {}
  ~Fd() {
    if (m_fd >= 0) ::close(m_fd);
  }
  Fd(Fd&& other) noexcept : m_fd(std::exchange(other.m_fd, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    std::swap(m_fd, other.m_fd);
    return *this;
  }
  int get() const { return m_fd; }

 private:
  int m_fd;
};

constexpr std::size_t kMaxComponent = 255;    // NAME_MAX
constexpr std::size_t kMaxLinkTarget = 4095;  // PATH_MAX - 1
// Folders are created through descriptors, so a path of any length could be made; removing it (a
// failed upload, a replaced function) goes through paths, which stop at PATH_MAX (4096) for the
// whole path. Half of it leaves room for where the destination lives.
constexpr std::size_t kMaxPath = 2048;
constexpr int kMaxLinkHops = 40;  // the kernel's own limit

std::string join(const std::vector<std::string>& parts, std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) {
    if (i) out += '/';
    out += parts[i];
  }
  return out;
}

std::vector<std::string> split(std::string_view path) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    parts.emplace_back(path.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

// The entry's name as components inside the folder, or a rejection naming the rule it breaks.
// Backslashes are separators here, as Windows zip tools write them (and as libarchive already
// reads some of them), so "a\\..\\x" is refused for its "..", whichever libarchive is installed.
std::vector<std::string> entry_components(const std::string& name) {
  if (name.empty()) reject(UnzipProblem::InvalidName, name, "has an empty name");
  std::string path = name;
  std::replace(path.begin(), path.end(), '\\', '/');
  if (path.front() == '/') reject(UnzipProblem::Escapes, name, "escapes the folder: its path is absolute");
  if (path.size() >= 2 && path[1] == ':' && std::isalpha(static_cast<unsigned char>(path[0])))
    reject(UnzipProblem::Escapes, name, "escapes the folder: its path starts with a drive letter");
  std::vector<std::string> parts;
  for (auto& part : split(path)) {
    if (part.empty() || part == ".") continue;
    if (part == "..") reject(UnzipProblem::Escapes, name, "escapes the folder: its path contains '..'");
    if (part.size() > kMaxComponent)
      reject(UnzipProblem::InvalidName, name, "has a path component longer than 255 bytes");
    parts.push_back(std::move(part));
  }
  if (join(parts, parts.size()).size() > kMaxPath)
    reject(UnzipProblem::InvalidName, name.substr(0, 64) + "...", "has a path longer than 2048 bytes");
  return parts;
}

enum class NodeKind { Folder, File, Link };

struct Node {
  NodeKind kind;
  bool listed;  // the archive has an entry for it (a folder may only be implied by its contents)
};

class Unpacker {
 public:
  Unpacker(const ReadApi& api, int root, std::uint64_t archive_size, const UnzipLimits& limits)
      : m_api(api), m_root(root), m_archive_size(archive_size), m_limits(limits) {}

  void run(archive* a) {
    for (;;) {
      archive_entry* entry = nullptr;
      int rc = m_api.archive_read_next_header(a, &entry);
      if (rc == ARCHIVE_EOF) break;
      if (rc < ARCHIVE_WARN)
        reject(UnzipProblem::Corrupt, "",
               "archive cannot be read (not a zip, truncated or damaged): " + why(a));
      if (++m_entries > m_limits.max_entries)
        reject(UnzipProblem::TooManyEntries, "",
               "has more than " + std::to_string(m_limits.max_entries) + " entries");
      unpack_entry(a, entry);
    }
    check_links();
  }

  std::vector<std::string> files() const {
    std::vector<std::string> out;
    for (const auto& [path, node] : m_nodes)
      if (node.kind != NodeKind::Folder) out.push_back(path);
    return out;  // std::map keeps them sorted
  }

  std::uint64_t written() const { return m_written; }

 private:
  std::string why(archive* a) const {
    const char* text = m_api.archive_error_string(a);
    return text ? text : "unknown libarchive error";
  }

  void unpack_entry(archive* a, archive_entry* entry) {
    const char* raw = m_api.archive_entry_pathname(entry);
    if (!raw) reject(UnzipProblem::InvalidName, "", "has an entry whose name cannot be read");
    const std::string name = raw;
    if (m_api.archive_entry_hardlink(entry))
      reject(UnzipProblem::Unsupported, name, "is a hard link; only files, folders and symlinks are allowed");
    const auto type = m_api.archive_entry_filetype(entry);
    const char* kind = nullptr;
    switch (type) {
      case AE_IFREG:
      case AE_IFDIR:
      case AE_IFLNK: break;
      case AE_IFCHR: kind = "a character device"; break;
      case AE_IFBLK: kind = "a block device"; break;
      case AE_IFIFO: kind = "a fifo"; break;
      case AE_IFSOCK: kind = "a socket"; break;
      default: kind = "of an unknown type"; break;
    }
    if (kind)
      reject(UnzipProblem::Unsupported, name,
             std::string("is ") + kind + "; only files, folders and symlinks are allowed");

    const auto parts = entry_components(name);
    if (parts.empty()) {
      if (type == AE_IFDIR) return;  // "./": the folder itself
      reject(UnzipProblem::InvalidName, name, "names the folder itself, not a file in it");
    }
    const std::string path = join(parts, parts.size());
    if (type == AE_IFDIR) {
      make_folder(name, parts);
      return;
    }
    claim(name, path, type == AE_IFLNK ? NodeKind::Link : NodeKind::File);
    Fd parent = open_parent(name, parts);
    if (type == AE_IFLNK)
      make_link(name, path, parent.get(), parts.back(), entry);
    else
      write_file(a, name, parent.get(), parts.back(), (m_api.archive_entry_perm(entry) & 0111) ? 0755 : 0644);
  }

  // Records a file or symlink at `path`; refuses a second entry there.
  void claim(const std::string& name, const std::string& path, NodeKind kind) {
    auto it = m_nodes.find(path);
    if (it == m_nodes.end()) {
      add_node(path, Node{kind, true});
      return;
    }
    if (it->second.kind == NodeKind::Folder && !it->second.listed)
      reject(UnzipProblem::Duplicate, name,
             "is a file, but earlier entries are inside a folder of that name");
    reject(UnzipProblem::Duplicate, name, "appears twice in the archive");
  }

  void make_folder(const std::string& name, const std::vector<std::string>& parts) {
    const std::string path = join(parts, parts.size());
    auto it = m_nodes.find(path);
    if (it != m_nodes.end() && (it->second.listed || it->second.kind != NodeKind::Folder))
      reject(UnzipProblem::Duplicate, name, "appears twice in the archive");
    Fd folder = open_folders(name, parts, parts.size());
    m_nodes[path] = Node{NodeKind::Folder, true};
  }

  // Every path made counts against max_entries, the folders a path implies included: a single
  // entry "a/b/c/.../z" would otherwise create a thousand folders.
  void add_node(const std::string& path, Node node) {
    m_nodes.emplace(path, node);
    if (m_nodes.size() > m_limits.max_entries)
      reject(UnzipProblem::TooManyEntries, "",
             "has more than " + std::to_string(m_limits.max_entries) +
                 " entries, counting the folders their paths imply");
  }

  Fd open_parent(const std::string& name, const std::vector<std::string>& parts) {
    return open_folders(name, parts, parts.size() - 1);
  }

  // Opens (creating as needed) the folder made of the first `count` components. Checked against
  // what the archive created so far first, so the message is exact; O_NOFOLLOW as well, so that
  // even a mistake in that bookkeeping could not send a write through a link.
  Fd open_folders(const std::string& name, const std::vector<std::string>& parts, std::size_t count) {
    Fd current(::dup(m_root));
    if (current.get() < 0) io_failure("dup", errno);
    for (std::size_t i = 0; i < count; ++i) {
      const std::string prefix = join(parts, i + 1);
      auto it = m_nodes.find(prefix);
      if (it != m_nodes.end() && it->second.kind == NodeKind::Link)
        reject(UnzipProblem::Escapes, name,
               "escapes the folder: it would be written through the symlink '" + prefix + "'");
      if (it != m_nodes.end() && it->second.kind == NodeKind::File)
        reject(UnzipProblem::Duplicate, name,
               "needs a folder '" + prefix + "', but an earlier entry is a file of that name");
      bool created = false;
      if (it == m_nodes.end()) {
        if (::mkdirat(current.get(), parts[i].c_str(), 0755) != 0 && errno != EEXIST)
          io_failure("cannot create folder " + prefix, errno);
        created = true;
        add_node(prefix, Node{NodeKind::Folder, false});
      }
      Fd next(::openat(current.get(), parts[i].c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (next.get() < 0) {
        if (errno == ELOOP || errno == ENOTDIR)
          reject(UnzipProblem::Escapes, name, "escapes the folder: '" + prefix + "' is not a folder");
        io_failure("cannot open folder " + prefix, errno);
      }
      if (created && ::fchmod(next.get(), 0755) != 0) io_failure("cannot chmod folder " + prefix, errno);
      current = std::move(next);
    }
    return current;
  }

  void make_link(const std::string& name, const std::string& path, int parent, const std::string& leaf,
                 archive_entry* entry) {
    const char* raw = m_api.archive_entry_symlink(entry);
    const std::string target = raw ? raw : "";
    if (target.empty()) reject(UnzipProblem::InvalidName, name, "is a symlink with an empty target");
    if (target.size() > kMaxLinkTarget)
      reject(UnzipProblem::InvalidName, name, "is a symlink whose target is longer than 4095 bytes");
    if (target.front() == '/')
      reject(UnzipProblem::Escapes, name,
             "escapes the folder: it is a symlink to the absolute path '" + target + "'");
    count(name, target.size());  // a link's target takes room too (a block each, past 60 bytes)
    // Relative targets are checked once every link is known (check_links): a later link can
    // change where an earlier one leads.
    if (::symlinkat(target.c_str(), parent, leaf.c_str()) != 0)
      io_failure("cannot create symlink " + path, errno);
    m_links.emplace(path, target);
  }

  void write_file(archive* a, const std::string& name, int parent, const std::string& leaf, mode_t mode) {
    Fd out(::openat(parent, leaf.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (out.get() < 0) io_failure("cannot create " + name, errno);
    char buffer[64 * 1024];
    for (;;) {
      la_ssize_t n = m_api.archive_read_data(a, buffer, sizeof buffer);
      if (n == 0) break;
      if (n < 0) reject(UnzipProblem::Corrupt, name, "cannot be unpacked: " + why(a));
      count(name, static_cast<std::uint64_t>(n));
      for (la_ssize_t done = 0; done < n;) {
        ssize_t w = ::write(out.get(), buffer + done, static_cast<std::size_t>(n - done));
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) io_failure("cannot write " + name, errno);
        done += w;
      }
    }
    if (::fchmod(out.get(), mode) != 0) io_failure("cannot chmod " + name, errno);
  }

  // Counts bytes about to be written, stopping at the limits before they reach the disk.
  void count(const std::string& name, std::uint64_t n) {
    const std::uint64_t total = m_written + n;
    if (total > m_limits.max_unpacked_bytes)
      reject(UnzipProblem::TooLarge, name,
             "makes the archive unpack to more than " + std::to_string(m_limits.max_unpacked_bytes) +
                 " bytes (Unzipped size must be smaller than " + std::to_string(m_limits.max_unpacked_bytes) +
                 " bytes)");
    if (m_limits.max_expansion_ratio != 0 && total > m_limits.ratio_grace_bytes &&
        total / m_limits.max_expansion_ratio > m_archive_size)
      reject(UnzipProblem::Bomb, name,
             "makes the archive a zip bomb: it unpacks to more than " +
                 std::to_string(m_limits.max_expansion_ratio) + " times its own " +
                 std::to_string(m_archive_size) + " bytes");
    m_written = total;
  }

  // Every symlink's target, resolved against the archive's own links as the kernel would, must
  // stay inside the folder. A target that does not exist is fine (Lambda keeps dangling links).
  void check_links() const {
    for (const auto& [path, target] : m_links) {
      std::vector<std::string> stack = split(path);
      stack.pop_back();  // the link's own folder
      std::deque<std::string> pending;
      for (auto& part : split(target)) pending.push_back(std::move(part));
      int hops = 0;
      while (!pending.empty()) {
        std::string part = std::move(pending.front());
        pending.pop_front();
        if (part.empty() || part == ".") continue;
        if (part == "..") {
          if (stack.empty())
            reject(UnzipProblem::Escapes, path,
                   "escapes the folder: it is a symlink to '" + target + "', which leads outside it");
          stack.pop_back();
          continue;
        }
        stack.push_back(std::move(part));
        auto link = m_links.find(join(stack, stack.size()));
        if (link == m_links.end()) continue;
        if (++hops > kMaxLinkHops)
          reject(UnzipProblem::InvalidName, path, "is a symlink that never resolves (a loop of links)");
        stack.pop_back();
        auto next = split(link->second);
        pending.insert(pending.begin(), next.begin(), next.end());
      }
    }
  }

  const ReadApi& m_api;
  int m_root;
  std::uint64_t m_archive_size;
  const UnzipLimits& m_limits;
  std::uint64_t m_written = 0;
  std::uint64_t m_entries = 0;
  std::map<std::string, Node> m_nodes;         // every path created, by its components joined with "/"
  std::map<std::string, std::string> m_links;  // symlink path -> target
};

// Moves the unpacked folder to `destination`, swapping out whatever was there in one rename.
void put_in_place(const std::filesystem::path& temp, const std::filesystem::path& destination) {
  if (::renameat2(AT_FDCWD, temp.c_str(), AT_FDCWD, destination.c_str(), RENAME_NOREPLACE) == 0) return;
  if (errno == EEXIST) {
    if (::renameat2(AT_FDCWD, temp.c_str(), AT_FDCWD, destination.c_str(), RENAME_EXCHANGE) == 0) {
      std::error_code ec;
      std::filesystem::remove_all(temp, ec);  // now the old content; a leftover is only litter
      return;
    }
    if (errno != EINVAL && errno != ENOSYS) io_failure("cannot replace " + destination.string(), errno);
  } else if (errno != EINVAL && errno != ENOSYS) {
    io_failure("cannot move the unpacked folder to " + destination.string(), errno);
  }
  // A filesystem without renameat2's flags: move the old folder aside, then the new one in.
  std::error_code ec;
  const bool exists = std::filesystem::exists(std::filesystem::symlink_status(destination, ec));
  std::filesystem::path aside = temp;
  aside += ".old";
  if (exists && ::rename(destination.c_str(), aside.c_str()) != 0)
    io_failure("cannot move aside " + destination.string(), errno);
  if (::rename(temp.c_str(), destination.c_str()) != 0) {
    int err = errno;
    if (exists) ::rename(aside.c_str(), destination.c_str());
    io_failure("cannot move the unpacked folder to " + destination.string(), err);
  }
  if (exists) std::filesystem::remove_all(aside, ec);
}

struct ArchiveCloser {
  const ReadApi& api;
  archive* a;
  ~ArchiveCloser() { api.archive_read_free(a); }
};

// An archive with no entries is only its end-of-central-directory record ("PK\5\6", 0 entries),
// which libarchive does not recognise as a zip; Python's zipfile and `zip` write such files.
bool is_empty_zip(std::string_view head) {
  return head.size() >= 22 && head.substr(0, 4) == std::string_view("PK\5\6", 4) && head[10] == 0 &&
         head[11] == 0;
}

template <typename Open>
UnzipResult unpack(std::uint64_t archive_size, bool empty, const std::filesystem::path& destination_in,
                   const UnzipLimits& limits, Open open_archive) {
  UnzipResult result;
  std::filesystem::path destination = destination_in;
  if (!destination.has_filename()) destination = destination.parent_path();
  std::filesystem::path temp;
  try {
    std::string load_error;
    const ReadApi* api = read_api(load_error);
    if (!api) throw Rejected{UnzipError{UnzipProblem::Io, "", load_error}};

    std::filesystem::path parent = destination.parent_path();
    if (parent.empty()) parent = ".";
    std::string pattern = (parent / ("." + destination.filename().string() + ".unzip-XXXXXX")).string();
    if (!::mkdtemp(pattern.data()))
      io_failure("cannot create a folder next to " + destination.string(), errno);
    temp = pattern;
    Fd root(::open(temp.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (root.get() < 0) io_failure("cannot open " + temp.string(), errno);
    if (::fchmod(root.get(), 0755) != 0) io_failure("cannot chmod " + temp.string(), errno);

    if (empty) {
      put_in_place(temp, destination);
      temp.clear();
      return result;
    }
    ArchiveCloser closer{*api, api->archive_read_new()};
    if (!closer.a) throw Rejected{UnzipError{UnzipProblem::Io, "", "libarchive: out of memory"}};
    api->archive_read_support_format_zip_seekable(closer.a);
    if (open_archive(*api, closer.a) != ARCHIVE_OK) {
      const char* why = api->archive_error_string(closer.a);
      reject(UnzipProblem::Corrupt, "",
             std::string("archive cannot be read (not a zip, truncated or damaged): ") +
                 (why ? why : "unknown error"));
    }
    Unpacker unpacker(*api, root.get(), archive_size, limits);
    unpacker.run(closer.a);
    put_in_place(temp, destination);
    temp.clear();
    result.files = unpacker.files();
    result.unpacked_bytes = unpacker.written();
  } catch (Rejected& rejected) {
    result.error = std::move(rejected.error);
  } catch (const std::exception& e) {  // std::bad_alloc, filesystem errors
    result.error = UnzipError{UnzipProblem::Io, "", e.what()};
  }
  if (!temp.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(temp, ec);
  }
  if (result.error) result.files.clear();
  return result;
}

}  // namespace

UnzipResult unpack_zip(std::string_view zip_bytes, const std::filesystem::path& destination,
                       const UnzipLimits& limits) {
  if (zip_bytes.empty()) {
    UnzipResult result;
    result.error = UnzipError{UnzipProblem::Corrupt, "", "zip is empty (0 bytes): not a zip"};
    return result;
  }
  return unpack(zip_bytes.size(), is_empty_zip(zip_bytes), destination, limits,
                [&](const ReadApi& api, archive* a) {
                  return api.archive_read_open_memory(a, zip_bytes.data(), zip_bytes.size());
                });
}

UnzipResult unpack_zip_file(const std::filesystem::path& zip, const std::filesystem::path& destination,
                            const UnzipLimits& limits) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(zip, ec);
  if (ec) {
    UnzipResult result;
    result.error = UnzipError{UnzipProblem::Io, "", "cannot read " + zip.string() + ": " + ec.message()};
    return result;
  }
  if (size == 0) return unpack_zip(std::string_view(), destination, limits);
  char head[22] = {};
  std::ifstream(zip, std::ios::binary).read(head, sizeof head);
  const bool empty = size >= sizeof head && is_empty_zip(std::string_view(head, sizeof head));
  return unpack(size, empty, destination, limits, [&](const ReadApi& api, archive* a) {
    return api.archive_read_open_filename(a, zip.c_str(), 64 * 1024);
  });
}

}  // namespace stratus::platform
