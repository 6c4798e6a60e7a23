#pragma once
// Throwaway service folders for the packager tests, and a zip reader (libarchive) to check what
// was written.
#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <locale.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace stratus::package::testing {

namespace fs = std::filesystem;

// A fixed, old mtime: files with it are never "racy" (see packager.cpp).
inline const fs::file_time_type kOldTime = fs::file_time_type::clock::now() - std::chrono::hours(24 * 30);

class TempTree {
 public:
  TempTree() {
    std::string tmpl = (fs::temp_directory_path() / "stratus-pkg-XXXXXX").string();
    m_root = ::mkdtemp(tmpl.data());
  }
  ~TempTree() {
    std::error_code ec;
    // Make everything removable again (tests chmod files and folders to 000).
    for (auto it =
             fs::recursive_directory_iterator(m_root, fs::directory_options::skip_permission_denied, ec);
         it != fs::recursive_directory_iterator(); it.increment(ec))
      fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add | fs::perm_options::nofollow,
                      ec);
    fs::remove_all(m_root, ec);
  }
  TempTree(const TempTree&) = delete;
  TempTree& operator=(const TempTree&) = delete;

  const fs::path& root() const { return m_root; }
  fs::path path(const std::string& rel) const { return m_root / rel; }

  // Writes a file (creating folders), with an old mtime unless told otherwise.
  fs::path write(const std::string& rel, const std::string& content,
                 fs::perms perms = fs::perms(0644)) const {
    fs::path p = m_root / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary | std::ios::trunc) << content;
    fs::permissions(p, perms);
    fs::last_write_time(p, kOldTime);
    return p;
  }
  void mkdir(const std::string& rel) const { fs::create_directories(m_root / rel); }
  void symlink(const std::string& target, const std::string& rel) const {
    fs::create_directories((m_root / rel).parent_path());
    fs::create_symlink(target, m_root / rel);
  }
  void touch(const std::string& rel, std::chrono::hours ago) const {
    fs::last_write_time(m_root / rel, fs::file_time_type::clock::now() - ago);
  }

 private:
  fs::path m_root;
};

struct ZipItem {
  std::string name;
  std::string content;
  unsigned mode = 0;
  long long mtime = 0;
  long long uid = -1, gid = -1;
  bool is_file = false;
};

inline std::vector<ZipItem> read_zip(const fs::path& zip) {
  std::vector<ZipItem> out;
  // Names flagged UTF-8 come back as written only under a UTF-8 locale.
  static locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(0));
  locale_t previous = uselocale(utf8);
  struct archive* a = archive_read_new();
  archive_read_support_format_zip(a);
  EXPECT_EQ(archive_read_open_filename(a, zip.c_str(), 1 << 16), ARCHIVE_OK) << zip;
  struct archive_entry* e = nullptr;
  for (int rc; (rc = archive_read_next_header(a, &e)) == ARCHIVE_OK || rc == ARCHIVE_WARN;) {
    ZipItem item;
    item.name = archive_entry_pathname(e);
    item.mode = archive_entry_perm(e);
    item.mtime = archive_entry_mtime(e);
    item.uid = archive_entry_uid(e);
    item.gid = archive_entry_gid(e);
    item.is_file = archive_entry_filetype(e) == AE_IFREG;
    char buffer[8192];
    for (la_ssize_t n; (n = archive_read_data(a, buffer, sizeof buffer)) > 0;) item.content.append(buffer, n);
    out.push_back(std::move(item));
  }
  archive_read_free(a);
  uselocale(previous);
  return out;
}

inline std::vector<std::string> zip_names(const fs::path& zip) {
  std::vector<std::string> names;
  for (const auto& item : read_zip(zip)) names.push_back(item.name);
  return names;
}

inline std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::string random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng() & 0xff);
  return s;
}

// Files in a folder whose name starts with '.' and ends with ".tmp" (our temporary files).
inline std::vector<std::string> temp_files(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string n = e.path().filename().string();
    if (n.starts_with('.') && n.ends_with(".tmp")) out.push_back(n);
  }
  return out;
}

}  // namespace stratus::package::testing
