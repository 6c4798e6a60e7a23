#pragma once
// `stratus package` without the command line: turns a Service into its deployment artifacts.
//
// As a recipe (package_service):
//   1. plan: which zips and which given artifacts (plan.hpp mirrors Serverless v3);
//   2. given artifacts (`package.artifact`) are checked to exist and hashed, never rebuilt;
//   3. one walk over the service folder serves every zip (folders every zip excludes and
//      development-only node packages are not even entered);
//   4. per zip: select the files with its patterns, fingerprint them, and reuse the zip already
//      in the output folder when the fingerprint and its sha256 match the state file;
//   5. build the others (several at a time when functions are packaged individually);
//   6. record the state, and delete zips an earlier run made that this plan no longer has.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "cli/manifest/model.hpp"
#include "cli/ui/progress.hpp"

namespace stratus::package {

struct ArtifactResult {
  std::vector<std::string> functions;  // the function keys it serves, in manifest order
  std::filesystem::path path;          // the zip, or the given artifact (an s3:// URI as is)
  std::uint64_t size = 0;
  std::string sha256;     // hex; empty for a remote (S3) artifact
  std::size_t files = 0;  // entries in a built zip; 0 for a given artifact
  bool reused = false;    // the zip from an earlier run was still up to date
  bool given = false;     // package.artifact: passed through, not built
  bool remote = false;    // given as an S3 location: neither checked nor hashed
};

struct PackageResult {
  std::vector<ArtifactResult> artifacts;  // the service artifact first, then by function order
  std::vector<std::string> warnings;      // for people: ignored patterns, skipped files, ...
};

struct PackageOptions {
  unsigned jobs = 0;          // zips built at once when individually; 0 = one per core
  bool incremental = true;    // false: rebuild every zip (the state is still recorded)
  int compression_level = 6;  // deflate level 1-9
};

// Packages `service` into `out_dir` (created when missing; Serverless uses <service>/.serverless).
// Functions with `image:` get no artifact. Progress goes to `progress` when given: one task per
// artifact, named by its file name, counting files. Throws UserError naming the file or
// setting and the fix: a missing given artifact, no file left by the patterns, an unreadable
// file, a symlink out of the service folder, an unwritable output folder.
PackageResult package_service(const manifest::Service& service, const std::filesystem::path& out_dir,
                              ui::ProgressSink* progress = nullptr, const PackageOptions& options = {});

}  // namespace stratus::package
