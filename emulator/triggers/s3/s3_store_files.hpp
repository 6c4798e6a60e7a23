#pragma once
// File and row helpers the S3Store sources share (s3_store.cpp, s3_multipart.cpp); not an API.
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace stratus::triggers::s3::store_files {

// A file descriptor that closes itself.
class Fd {
 public:
  explicit Fd(int fd) : m_fd(fd) {}
  ~Fd();
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return m_fd; }

 private:
  int m_fd;
};

// Throws std::system_error from errno: "<what> <path>: <reason>".
[[noreturn]] void fail_errno(const std::string& what, const std::filesystem::path& path);

void write_all(int fd, std::string_view bytes, const std::filesystem::path& path);

// Runs `fill(fd, temp_path)` on a new .tmp- file in `dir`, fsyncs it and renames it to a fresh
// random id, which is returned. A failure removes the temporary file and rethrows.
std::string write_new_file(const std::filesystem::path& dir,
                           const std::function<void(int, const std::filesystem::path&)>& fill);

// Appends the whole file at `source` to `fd` (the file being written at `path`).
void copy_fd(const std::filesystem::path& source, int fd, const std::filesystem::path& path);

// "0aff" -> "\x0a\xff"
std::string hex_to_raw(std::string_view hex);

// A string map as the JSON text stored in a column, and back.
std::string to_json(const std::map<std::string, std::string>& map);
std::map<std::string, std::string> from_json(const std::string& text);

}  // namespace stratus::triggers::s3::store_files
