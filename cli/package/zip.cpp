#include "cli/package/zip.hpp"

#include <fcntl.h>
#include <locale.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "cli/errors.hpp"
#include "cli/package/libarchive.hpp"
#include "cli/package/patterns.hpp"
#include "cli/package/prefetch.hpp"
#include "emulator/common/sha256.hpp"

namespace stratus::package {

namespace {

constexpr std::size_t kBufferSize = 1 << 20;
constexpr std::uint64_t kTrialMinSize = 32 * 1024;  // below, deflating costs too little to bother
constexpr std::size_t kTrialSample = 16 * 1024;
constexpr std::size_t kPrefetchAhead = 32 << 20;

bool stored_extension(std::string_view name) {
  static constexpr std::string_view kCompressed[] = {
      ".zip", ".gz",   ".tgz",  ".bz2", ".xz",   ".zst",   ".7z",   ".jar", ".war",  ".whl", ".egg",
      ".png", ".jpg",  ".jpeg", ".gif", ".webp", ".avif",  ".heic", ".mp3", ".mp4",  ".m4a", ".aac",
      ".ogg", ".opus", ".webm", ".mov", ".woff", ".woff2", ".br",   ".lz4", ".lzma", ".rar"};
  std::size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || name.find('/', dot) != std::string_view::npos) return false;
  std::string ext(name.substr(dot));
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return std::find(std::begin(kCompressed), std::end(kCompressed), ext) != std::end(kCompressed);
}

bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += n;
  }
  return true;
}

bool safe_name(std::string_view name) {
  if (name.empty() || name.starts_with('/')) return false;
  for (std::string_view seg : split_segments(name))
    if (seg.empty() || seg == "." || seg == "..") return false;
  return true;
}

// Deflate a sample at level 1: data that barely shrinks (already compressed, random) is stored.
bool incompressible(const unsigned char* data, std::size_t n, std::vector<unsigned char>& scratch) {
  z_stream z{};
  if (deflateInit2(&z, 1, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) return false;
  scratch.resize(deflateBound(&z, n));
  z.next_in = const_cast<unsigned char*>(data);
  z.avail_in = static_cast<uInt>(n);
  z.next_out = scratch.data();
  z.avail_out = static_cast<uInt>(scratch.size());
  int rc = deflate(&z, Z_FINISH);
  std::uint64_t out = z.total_out;
  deflateEnd(&z);
  return rc == Z_STREAM_END && out * 100 > std::uint64_t{n} * 95;
}

// libarchive flags non-ASCII names as UTF-8 only when the locale's charset is UTF-8; a
// per-thread C.UTF-8 locale makes that independent of the environment.
class Utf8Locale {
 public:
  Utf8Locale() {
    static locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(0));
    if (utf8 != static_cast<locale_t>(0)) m_previous = uselocale(utf8);
  }
  ~Utf8Locale() {
    if (m_previous != static_cast<locale_t>(0)) uselocale(m_previous);
  }
  Utf8Locale(const Utf8Locale&) = delete;
  Utf8Locale& operator=(const Utf8Locale&) = delete;

 private:
  locale_t m_previous = static_cast<locale_t>(0);
};

// The temporary zip: removed unless renamed into place.
struct TempFile {
  std::string path;
  int fd = -1;
  bool committed = false;
  ~TempFile() {
    if (fd >= 0) ::close(fd);
    if (!committed && !path.empty()) ::unlink(path.c_str());
  }
};

struct Output {
  explicit Output(int f) : fd(f) {}
  int fd;
  Sha256 sha;
  std::uint64_t written = 0;
  int error = 0;
};

la_ssize_t write_output(struct archive* a, void* client, const void* buffer, size_t length) {
  auto* out = static_cast<Output*>(client);
  const char* p = static_cast<const char*>(buffer);
  for (std::size_t left = length; left > 0;) {
    ssize_t n = ::write(out->fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      out->error = errno;
      libarchive().archive_set_error(a, errno, "%s", std::strerror(errno));
      return -1;
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  out->sha.update(buffer, length);
  out->written += length;
  return static_cast<la_ssize_t>(length);
}

// Reads up to `want` bytes, fewer only at end of file; -1 on error (errno set).
ssize_t read_full(int fd, unsigned char* buffer, std::size_t want) {
  std::size_t got = 0;
  while (got < want) {
    ssize_t n = ::read(fd, buffer + got, want - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  return static_cast<ssize_t>(got);
}

struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

[[noreturn]] void unreadable(const ZipSource& src, int err) {
  throw UserError("cannot read " + src.path.string() + ": " + std::strerror(err) +
                  "; fix its permissions or exclude it with '!" + escape_glob(src.name) +
                  "' in package.patterns");
}

[[noreturn]] void changed(const ZipSource& src) {
  throw UserError(src.path.string() + " changed while it was being packaged; run the command again");
}

}  // namespace

ZipResult write_zip(std::vector<ZipSource> sources, const std::filesystem::path& dest,
                    const ZipOptions& options) {
  std::sort(sources.begin(), sources.end(),
            [](const ZipSource& a, const ZipSource& b) { return a.name < b.name; });
  for (std::size_t i = 0; i < sources.size(); ++i) {
    const auto& name = sources[i].name;
    if (!safe_name(name)) throw UserError("cannot store '" + name + "' in a zip: not a relative path");
    if (!valid_utf8(name))
      throw UserError("cannot store " + sources[i].path.string() +
                      " in a zip: its name is not valid UTF-8; rename it or exclude it with '!" +
                      escape_glob(name) + "' in package.patterns");
    if (i > 0 && sources[i - 1].name == name)
      throw UserError("two files would be stored as '" + name + "' in a zip");
  }

  TempFile tmp;
  tmp.path = (dest.parent_path() / ("." + dest.filename().string() + ".XXXXXX.tmp")).string();
  tmp.fd = ::mkstemps(tmp.path.data(), 4);
  if (tmp.fd < 0) {
    int err = errno;
    tmp.path.clear();
    throw UserError("cannot write " + dest.string() + ": " + std::strerror(err) +
                    "; check that the folder exists and is writable");
  }
  auto fail_write = [&](const std::string& why) -> UserError {
    return UserError("cannot write " + dest.string() + ": " + why + "; check that the disk has space");
  };

  const LibArchive& la = libarchive();
  Utf8Locale utf8;
  Output out(tmp.fd);
  std::unique_ptr<struct archive, decltype(&archive_write_free)> a(la.archive_write_new(),
                                                                   la.archive_write_free);
  std::unique_ptr<struct archive_entry, decltype(&archive_entry_free)> entry(la.archive_entry_new(),
                                                                             la.archive_entry_free);
  std::string level = std::to_string(std::clamp(options.level, 1, 9));
  // Large blocks, and no padding of the last one (zip readers find the end record at the end).
  if (!a || !entry || la.archive_write_set_format_zip(a.get()) != ARCHIVE_OK ||
      la.archive_write_set_format_option(a.get(), "zip", "compression-level", level.c_str()) != ARCHIVE_OK ||
      la.archive_write_set_bytes_per_block(a.get(), static_cast<int>(kBufferSize)) != ARCHIVE_OK ||
      la.archive_write_set_bytes_in_last_block(a.get(), 1) != ARCHIVE_OK ||
      la.archive_write_open(a.get(), &out, nullptr, write_output, nullptr) != ARCHIVE_OK)
    throw fail_write(a ? la.archive_error_string(a.get()) ? la.archive_error_string(a.get())
                                                          : "libarchive failed"
                       : "out of memory");
  auto archive_failure = [&]() -> UserError {
    return fail_write(out.error != 0                     ? std::strerror(out.error)
                      : la.archive_error_string(a.get()) ? la.archive_error_string(a.get())
                                                         : "libarchive failed");
  };

  // Files up to one buffer are read ahead on another thread; larger ones are streamed here.
  std::vector<PrefetchFile> listed;
  listed.reserve(sources.size());
  for (const auto& src : sources) listed.push_back({src.path, src.size});
  Prefetcher prefetch(std::move(listed), kBufferSize, kPrefetchAhead);

  std::vector<unsigned char> buffer, scratch;
  for (std::size_t i = 0; i < sources.size(); ++i) {
    if (options.cancel != nullptr && options.cancel->load()) throw ZipCancelled();
    const ZipSource& src = sources[i];
    Prefetched item = prefetch.next();
    Fd in{-1};
    const unsigned char* first = item.data.data();
    std::size_t first_size = item.data.size();
    if (item.streamed) {
      in.fd = ::open(src.path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
      struct stat st {};
      if (in.fd < 0 || ::fstat(in.fd, &st) != 0) unreadable(src, errno);
      if (!S_ISREG(st.st_mode) || static_cast<std::uint64_t>(st.st_size) != src.size) changed(src);
      ::posix_fadvise(in.fd, 0, 0, POSIX_FADV_SEQUENTIAL);
      buffer.resize(kBufferSize);
      ssize_t got = read_full(in.fd, buffer.data(), kBufferSize);
      if (got < 0) unreadable(src, errno);
      if (static_cast<std::size_t>(got) != kBufferSize) changed(src);
      first = buffer.data();
      first_size = kBufferSize;
    } else if (item.error != 0) {
      unreadable(src, item.error);
    } else if (item.changed) {
      changed(src);
    }

    bool store = src.size == 0 || stored_extension(src.name) ||
                 (src.size >= kTrialMinSize && incompressible(first, kTrialSample, scratch));
    if (store)
      la.archive_write_zip_set_compression_store(a.get());
    else
      la.archive_write_zip_set_compression_deflate(a.get());

    la.archive_entry_clear(entry.get());
    la.archive_entry_set_pathname(entry.get(), src.name.c_str());
    la.archive_entry_set_filetype(entry.get(), AE_IFREG);
    la.archive_entry_set_perm(entry.get(), (src.mode & 0111) != 0 ? 0755 : 0644);
    la.archive_entry_set_size(entry.get(), static_cast<la_int64_t>(src.size));
    la.archive_entry_set_uid(entry.get(), 0);
    la.archive_entry_set_gid(entry.get(), 0);
    if (la.archive_write_header(a.get(), entry.get()) != ARCHIVE_OK) throw archive_failure();

    if (first_size > 0 &&
        la.archive_write_data(a.get(), first, first_size) != static_cast<la_ssize_t>(first_size))
      throw archive_failure();
    for (std::uint64_t done = first_size; done < src.size;) {
      std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(src.size - done, kBufferSize));
      ssize_t got = read_full(in.fd, buffer.data(), want);
      if (got < 0) unreadable(src, errno);
      if (static_cast<std::size_t>(got) != want) changed(src);
      if (la.archive_write_data(a.get(), buffer.data(), want) != static_cast<la_ssize_t>(want))
        throw archive_failure();
      done += want;
    }
    if (la.archive_write_finish_entry(a.get()) != ARCHIVE_OK) throw archive_failure();
    if (options.on_progress) options.on_progress(i + 1);
  }
  if (la.archive_write_close(a.get()) != ARCHIVE_OK) throw archive_failure();

  if (::fchmod(tmp.fd, 0644) != 0) throw fail_write(std::strerror(errno));
  int fd = tmp.fd;
  tmp.fd = -1;
  if (::close(fd) != 0) throw fail_write(std::strerror(errno));
  if (::rename(tmp.path.c_str(), dest.c_str()) != 0) throw fail_write(std::strerror(errno));
  tmp.committed = true;
  return ZipResult{out.written, out.sha.finish_hex(), sources.size()};
}

}  // namespace stratus::package
