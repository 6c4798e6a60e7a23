#include "cli/package/state.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/errors.hpp"
#include "cli/package/zip.hpp"
#include "emulator/common/sha256.hpp"

#ifndef STRATUS_VERSION
#define STRATUS_VERSION "0.0.0"
#endif

namespace stratus::package {

namespace {

constexpr int kStateFormat = 1;

}  // namespace

PackageState read_state(const std::filesystem::path& out_dir) {
  PackageState state;
  std::ifstream in(out_dir / kStateFileName, std::ios::binary);
  if (!in) return state;
  std::stringstream text;
  text << in.rdbuf();
  auto doc = nlohmann::json::parse(text.str(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || doc.value("format", 0) != kStateFormat) return state;
  auto artifacts = doc.find("artifacts");
  if (artifacts == doc.end() || !artifacts->is_object()) return state;
  for (const auto& item : artifacts->items()) {
    const auto& record = item.value();  // not a structured binding: clang 14 cannot capture one
    if (!record.is_object()) continue;
    ArtifactRecord r;
    const auto text_of = [&](const char* key) {
      auto it = record.find(key);
      return it != record.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    const auto number_of = [&](const char* key) {
      auto it = record.find(key);
      return it != record.end() && it->is_number_unsigned() ? it->get<std::uint64_t>() : std::uint64_t{0};
    };
    r.fingerprint = text_of("fingerprint");
    r.sha256 = text_of("sha256");
    r.size = number_of("size");
    r.files = static_cast<std::size_t>(number_of("files"));
    state.artifacts.emplace(item.key(), std::move(r));
  }
  struct stat st {};
  if (::stat((out_dir / kStateFileName).c_str(), &st) == 0)
    state.written_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  return state;
}

void write_state(const std::filesystem::path& out_dir, const PackageState& state) {
  nlohmann::json artifacts = nlohmann::json::object();
  for (const auto& [name, r] : state.artifacts)
    artifacts[name] = {
        {"fingerprint", r.fingerprint}, {"sha256", r.sha256}, {"size", r.size}, {"files", r.files}};
  std::string text = nlohmann::json{{"format", kStateFormat}, {"artifacts", artifacts}}.dump(2) + "\n";

  std::string tmp = (out_dir / (std::string(".") + kStateFileName + ".XXXXXX.tmp")).string();
  int fd = ::mkstemps(tmp.data(), 4);
  bool ok = fd >= 0;
  int err = errno;
  for (std::size_t off = 0; ok && off < text.size();) {
    ssize_t n = ::write(fd, text.data() + off, text.size() - off);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    err = errno;
    if (ok) off += static_cast<std::size_t>(n);
  }
  if (fd >= 0 && ::fchmod(fd, 0644) != 0 && ok) ok = false, err = errno;
  if (fd >= 0 && ::close(fd) != 0 && ok) ok = false, err = errno;
  auto dest = out_dir / kStateFileName;
  if (ok && ::rename(tmp.c_str(), dest.c_str()) != 0) ok = false, err = errno;
  if (!ok) {
    if (fd >= 0) ::unlink(tmp.c_str());
    throw UserError("cannot write " + dest.string() + ": " + std::strerror(err) +
                    "; check that the folder is writable and the disk has space");
  }
}

std::string fingerprint(std::string_view zip_name, std::span<const std::string> patterns,
                        std::span<const FileEntry* const> files, int compression_level) {
  Sha256 h;
  // Fields end with NUL: no file name or pattern contains one, so the encoding is unambiguous.
  auto field = [&](std::string_view s) {
    h.update(s);
    h.update(std::string_view("\0", 1));
  };
  field("stratus-package");
  field(STRATUS_VERSION);
  field(std::to_string(kZipFormatVersion));
  field(std::to_string(compression_level));
  field(zip_name);
  field(std::to_string(patterns.size()));
  for (const auto& p : patterns) field(p);
  field(std::to_string(files.size()));
  for (const FileEntry* f : files) {
    field(f->path);
    field(std::to_string(f->size) + ":" + std::to_string(f->mtime_ns) + ":" + std::to_string(f->mode));
  }
  return h.finish_hex();
}

}  // namespace stratus::package
