#pragma once
// One walk over the service folder, shared by every artifact of a `package` run: the regular
// files below the root with what the zip writer and the fingerprints need.
//
// Symlinks are followed, as Serverless does (globby follow: true): a link to a file is listed
// with its target's size, mtime and mode under the link's own path; a linked folder is walked
// under the link's path. A link may not lead outside the root — a linked folder that does is an
// error (unless skipped), a linked file that does is listed with `escapes_to` set so the
// packager can refuse it only when a pattern selects it. Dangling links, fifos, sockets and
// devices are skipped with a warning.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace stratus::package {

struct FileEntry {
  std::string path;  // relative to the root, '/'-separated
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::uint32_t mode = 0;  // st_mode (links followed)
  std::string escapes_to;  // non-empty: a symlink to this file outside the root
};

struct WalkOptions {
  // Asked before entering each folder (relative path, and the same split on '/'); true skips it.
  std::function<bool(std::string_view path, std::span<const std::string_view> segments)> skip_dir;
  // Asked for each file; true leaves it out.
  std::function<bool(std::string_view path)> skip_file;
};

struct WalkResult {
  std::vector<FileEntry> files;       // sorted by path, byte order
  std::vector<std::string> warnings;  // sorted
};

// Throws UserError naming the folder and the fix when the root or a folder cannot be read, a
// linked folder leads outside the root or back into one of its own parents, or folders nest
// deeper than 256 levels. Never recurses: the walk keeps its own stack.
WalkResult walk_tree(const std::filesystem::path& root, const WalkOptions& options = {});

}  // namespace stratus::package
