#pragma once
// Incremental packaging: a small JSON file in the output folder records, per zip, a fingerprint
// of everything its bytes depend on (the selected files with size, mtime and mode, the
// patterns, the stratus version and the zip format version) and the zip's sha256. When the
// fingerprint is unchanged, no file is as new as the state file itself (see packager.cpp) and
// the zip on disk still has that sha256, it is not built again.
#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>

#include "cli/package/file_tree.hpp"

namespace stratus::package {

inline constexpr const char* kStateFileName = "stratus-package-state.json";

struct ArtifactRecord {
  std::string fingerprint;  // empty: never reuse
  std::string sha256;
  std::uint64_t size = 0;
  std::size_t files = 0;
};

struct PackageState {
  std::map<std::string, ArtifactRecord> artifacts;  // by zip file name
  std::int64_t written_ns = 0;  // the state file's mtime (ns since the epoch); 0 when none was read
};

// The recorded state, or an empty one when the file is missing, unreadable or from another
// format (never throws: a lost state only costs a rebuild).
PackageState read_state(const std::filesystem::path& out_dir);

// Writes the state to a temporary file and renames it into place. Throws UserError when the
// folder is not writable.
void write_state(const std::filesystem::path& out_dir, const PackageState& state);

// The fingerprint of one zip's inputs (and the deflate level it is built with), as hex.
std::string fingerprint(std::string_view zip_name, std::span<const std::string> patterns,
                        std::span<const FileEntry* const> files, int compression_level);

}  // namespace stratus::package
