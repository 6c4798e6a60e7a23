#pragma once
// Which artifacts a service needs and which patterns build each, mirroring `serverless package`
// (v3, lib/plugins/package/lib/package-service.js):
//   - a function with `image:` has no artifact;
//   - a function's own `package.artifact` is used as given;
//   - a function packaged individually (package.individually at service or function level)
//     gets `<function-key>.zip`, built from the service patterns followed by its own — unless
//     the service has `package.artifact` and the function itself does not say individually,
//     in which case it uses the service artifact;
//   - every other function shares the service artifact: `package.artifact` as given, or
//     `<service>.zip` built from the service patterns;
//   - function-level patterns without individually are ignored, with a warning.
#include <filesystem>
#include <string>
#include <vector>

#include "cli/manifest/model.hpp"

namespace stratus::package {

struct PlannedArtifact {
  bool given = false;                  // true: package.artifact, passed through
  bool service_wide = false;           // the service artifact (shared by non-individual functions)
  std::string name;                    // zip: the file name in the output folder ("api.zip")
  std::string given_as;                // given: as written in the manifest
  std::string setting;                 // given: where it was written ("functions.hello.package.artifact")
  std::filesystem::path given_path;    // given: resolved against the service folder
  bool remote = false;                 // given: an S3 location; neither checked nor hashed
  std::vector<std::string> functions;  // the function keys it serves, in manifest order
  std::vector<std::string> patterns;   // zip: the complete ordered pattern list
};

struct Plan {
  std::vector<PlannedArtifact> artifacts;  // the service artifact first, then by function order
  std::vector<std::string> warnings;
};

// Throws UserError for a function key or service name that cannot be a file name.
Plan plan_artifacts(const manifest::Service& service, const std::filesystem::path& out_dir);

// What every zip of the service starts with, in this order: the default excludes, the manifest
// file, the local plugins folder, layer folders, ".env*" with useDotenv, the output folder when
// it lies inside the service folder; then package.patterns of the service.
std::vector<std::string> service_patterns(const manifest::Service& service,
                                          const std::filesystem::path& out_dir);

}  // namespace stratus::package
