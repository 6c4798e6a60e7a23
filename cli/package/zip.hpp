#pragma once
// A deterministic zip writer on libarchive: the same files give the same bytes on every run and
// every machine with the same zlib, whatever their mtimes, owners or the local time zone.
//
//   - entries sorted by name (byte order); regular files only, no folder entries (Lambda and
//     unzip create parent folders; Serverless' zips hold none either);
//   - every timestamp is the zip epoch, 1980-01-01 00:00:00 (no mtime is given to libarchive,
//     whose DOS time would otherwise depend on the local time zone);
//   - uid/gid 0, no user or group names; mode 0644, or 0755 when the source has any execute
//     bit (a `bootstrap` stays executable);
//   - names are UTF-8 and flagged as such when not ASCII;
//   - deflate at `level`, except empty files, already-compressed formats (by extension) and
//     files whose first 16 KiB deflate to more than 95% of their size: those are stored —
//     faster, and no larger. The choice depends only on name and content.
//
// Files up to 1 MiB are read ahead on a second thread (prefetch.hpp), larger ones streamed.
// The zip is written to a temporary file in the destination's folder and renamed into place;
// on any error or cancellation the temporary file is removed and `dest` is left untouched.
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace stratus::package {

// Bump whenever the bytes written for the same input change (it is part of the fingerprints).
inline constexpr int kZipFormatVersion = 1;

struct ZipSource {
  std::string name;            // the entry's path in the zip: relative, '/'-separated
  std::filesystem::path path;  // the file to read
  std::uint64_t size = 0;      // its size when listed; finding another size is an error
  std::uint32_t mode = 0;      // its st_mode; only the execute bits matter
};

struct ZipOptions {
  int level = 6;  // deflate level 1-9; 6 is zip's and zlib's default
  std::function<void(std::size_t files_done)> on_progress;  // after each entry
  const std::atomic<bool>* cancel = nullptr;                // checked between entries
};

struct ZipResult {
  std::uint64_t size = 0;  // bytes of the zip file
  std::string sha256;      // of the zip file, hex
  std::size_t files = 0;
};

// Thrown by write_zip when `cancel` was set.
class ZipCancelled : public std::runtime_error {
 public:
  ZipCancelled() : std::runtime_error("cancelled") {}
};

// Writes `sources` into a new zip at `dest`. Throws UserError naming the file and the fix when
// a source cannot be read or changed while being read, a name is not valid UTF-8 or repeats,
// or the zip cannot be written.
ZipResult write_zip(std::vector<ZipSource> sources, const std::filesystem::path& dest,
                    const ZipOptions& options = {});

}  // namespace stratus::package
