#pragma once
// Unpacking an uploaded function zip (`stratus serve`: CreateFunction / UpdateFunctionCode with a
// ZipFile) into the function's code folder, safely: whatever the archive says, nothing is written
// outside that folder, and a hostile archive costs a bounded amount of disk and time.
//
// The rules, each a 400 for the client (InvalidParameterValueException, as Lambda answers a bad zip):
//   - names: no absolute path ("/x"), no drive letter ("C:x"), no ".." component, nothing empty or
//     over 255 bytes per component; "." components and repeated "/" are dropped. A backslash is a
//     separator (Windows tools write them), so "..\x" and "\x" are refused like "../x" and "/x".
//   - kinds: regular files, folders and symlinks only. Devices, sockets and hard links are refused
//     (a zip has no use for them; Lambda's /var/task has none). libarchive itself reads a fifo entry
//     as an empty regular file, which is harmless and unpacked as such.
//   - symlinks are kept, as Lambda keeps them (node_modules/.bin and pnpm layouts rely on them), when
//     their target is relative and resolves inside the folder, following the archive's other links
//     (so `d/x -> ..` plus `y -> d/x/..` is caught). An absolute target is refused even where Lambda
//     would accept it (a link into /opt, the layers' mount), since here it would point at the host.
//     No entry is ever written through a symlink: `link/file` is refused whatever `link` points to.
//   - each path once: a second entry with the same name, or a file where a folder is needed, is refused.
//   - size: the bytes written (file data and symlink targets) are counted as they are written (the
//     sizes in the headers are not trusted) and the unpacking stops before they pass
//     max_unpacked_bytes; the default is Lambda's own limit, 250 MB unzipped = 262,144,000 bytes
//     (GetAccountSettings' CodeSizeUnzipped; AWS answers "Unzipped size must be smaller than
//     262144000 bytes").
//   - zip bombs: past ratio_grace_bytes unpacked, the total may not exceed max_expansion_ratio times
//     the archive's own size (which, unlike the sizes in its headers, cannot lie). Deflate tops out
//     near 1032:1, source and libraries compress 3-10:1, so 100:1 stops a bomb after ~16 MiB of
//     writing and leaves real packages alone. Archives whose entries share compressed data (the
//     "overlapping files" bombs) are caught the same way.
//   - at most max_entries paths made, counting the folders that entries' paths imply (Lambda
//     documents no count; 100,000 is several times the largest node_modules trees and bounds the
//     files and folders a small archive of empty entries or deep paths can create). A path may be at
//     most 2048 bytes, so the tree can always be removed through paths (PATH_MAX is 4096).
//
// Modes are normalised: folders 0755, files 0644, files with any x bit in the zip 0755 (the
// permissions Lambda's documentation asks packages to carry; Lambda itself keeps the zip's bits, so
// an 0600 file fails there but works here).
//
// Atomic: the archive is unpacked into a fresh folder next to the destination (".NAME.unzip-XXXXXX")
// and renamed into place only when every entry unpacked and every rule held; an existing destination
// is swapped out in the same rename and then deleted. On any error the temporary folder is removed
// and the destination is untouched. The destination's parent must exist.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace stratus::platform {

struct UnzipLimits {
  std::uint64_t max_unpacked_bytes = 262'144'000;  // Lambda: 250 MB unzipped
  std::uint64_t max_entries = 100'000;
  std::uint64_t max_expansion_ratio = 100;        // unpacked bytes / archive bytes; 0 turns it off
  std::uint64_t ratio_grace_bytes = 16ull << 20;  // the ratio is not checked below this many bytes
};

enum class UnzipProblem {
  Corrupt,         // not a zip, truncated, damaged, encrypted or using an unknown method
  Escapes,         // a name or a symlink that leads outside the folder, or a write through a symlink
  InvalidName,     // an empty or overlong name, an overlong symlink target, a symlink loop
  Duplicate,       // the same path twice, or a file where a folder is needed
  Unsupported,     // a device, socket or hard link (libarchive reads a fifo as an empty file)
  TooLarge,        // more than max_unpacked_bytes unpacked
  TooManyEntries,  // more than max_entries entries, or paths made counting implied folders
  Bomb,            // expands more than max_expansion_ratio times its size
  Io,              // the server's side: libarchive missing, disk full, the destination unwritable
};

struct UnzipError {
  UnzipProblem problem;
  // The entry's name as the archive spells it; for a symlink refused by the final check, its
  // normalised path; "" when the error is about the whole zip.
  std::string entry;
  std::string message;  // names the entry and the rule, e.g. "zip entry '../x' escapes ..."

  // 400 for everything the archive is to blame for, 500 for Io.
  int http_status() const { return problem == UnzipProblem::Io ? 500 : 400; }
  // Lambda's error type for that status.
  const char* aws_error_code() const {
    return problem == UnzipProblem::Io ? "ServiceException" : "InvalidParameterValueException";
  }
};

struct UnzipResult {
  // On success: the regular files and symlinks written, relative to the destination with "/"
  // separators, sorted. Folders are not listed.
  std::vector<std::string> files;
  std::uint64_t unpacked_bytes = 0;
  std::optional<UnzipError> error;

  bool ok() const { return !error; }
};

// Unpacks a zip held in memory into `destination` (see the rules above). Never throws for a bad
// archive or a failed write; the result says what went wrong.
UnzipResult unpack_zip(std::string_view zip_bytes, const std::filesystem::path& destination,
                       const UnzipLimits& limits = {});

// The same for a zip file on disk. A zip that cannot be opened is an Io error.
UnzipResult unpack_zip_file(const std::filesystem::path& zip, const std::filesystem::path& destination,
                            const UnzipLimits& limits = {});

}  // namespace stratus::platform
