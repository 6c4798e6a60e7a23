#include "emulator/triggers/s3/s3_store_files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <nlohmann/json.hpp>
#include <system_error>

#include "emulator/common/ids.hpp"

namespace stratus::triggers::s3::store_files {

namespace fs = std::filesystem;
using Json = nlohmann::json;

[[noreturn]] void fail_errno(const std::string& what, const fs::path& path) {
  throw std::system_error(errno, std::generic_category(), what + " " + path.string());
}

Fd::~Fd() {
  if (m_fd >= 0) ::close(m_fd);
}

void write_all(int fd, std::string_view bytes, const fs::path& path) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail_errno("cannot write", path);
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

std::string write_new_file(const fs::path& dir, const std::function<void(int, const fs::path&)>& fill) {
  fs::create_directories(dir);
  const std::string id = random_hex(32);
  const fs::path tmp = dir / (".tmp-" + id);
  try {
    Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (fd.get() < 0) fail_errno("cannot create", tmp);
    fill(fd.get(), tmp);
    if (::fsync(fd.get()) != 0) fail_errno("cannot sync", tmp);
    if (::rename(tmp.c_str(), (dir / id).c_str()) != 0) fail_errno("cannot rename", tmp);
  } catch (...) {
    std::error_code ec;
    fs::remove(tmp, ec);
    throw;
  }
  // The rename is durable only once the folder is synced too.
  Fd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.get() >= 0) ::fsync(dir_fd.get());
  return id;
}

void copy_fd(const fs::path& source, int fd, const fs::path& path) {
  Fd in(::open(source.c_str(), O_RDONLY | O_CLOEXEC));
  if (in.get() < 0) fail_errno("cannot open", source);
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(in.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail_errno("cannot read", source);
    if (n == 0) break;
    write_all(fd, std::string_view(buf, static_cast<std::size_t>(n)), path);
  }
}

std::string hex_to_raw(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  return out;
}

std::string to_json(const std::map<std::string, std::string>& map) {
  return Json(map).dump();
}

std::map<std::string, std::string> from_json(const std::string& text) {
  return Json::parse(text).get<std::map<std::string, std::string>>();
}

}  // namespace stratus::triggers::s3::store_files
