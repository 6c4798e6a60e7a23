#pragma once
// The manifest pipeline as one recipe: find -> load (marks) -> resolve ${...} -> validate
// (schema + semantic checks) -> build the typed Service.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cli/manifest/diagnostics.hpp"
#include "cli/manifest/model.hpp"
#include "cli/manifest/value.hpp"

namespace stratus::manifest {

struct LoadOptions {
  std::filesystem::path cwd;
  std::string config;                          // --config; empty = discover in cwd
  std::map<std::string, std::string> options;  // ${opt:}: stage, region when given, and others
  std::map<std::string, std::string> params;   // --param
  std::map<std::string, std::string> env;      // the process environment
  std::string account_id;                      // ${aws:accountId}, empty = unknown
};

// Everything the pipeline produced, valid or not (`validate` reports it all).
struct ManifestReport {
  std::filesystem::path config_file;  // the manifest's path
  std::string display_name;           // how diagnostics name it (as given, or relative to cwd)
  Value resolved;                     // the document after variables
  Sources sources;
  Diagnostics diagnostics;
  std::optional<Service> service;  // set when there was no error
  // Each step that ran, with its wall time in milliseconds (for --verbose).
  std::vector<std::pair<std::string, double>> steps;
};

ManifestReport inspect_manifest(const LoadOptions& options);

struct LoadedManifest {
  Service service;
  Value resolved;
  Sources sources;
  std::vector<Diagnostic> warnings;
  std::vector<std::pair<std::string, double>> steps;
};

// inspect_manifest, then throws UserError with every diagnostic when there was any error.
LoadedManifest load_manifest(const LoadOptions& options);

// The environment of this process as a map (for LoadOptions::env).
std::map<std::string, std::string> process_environment();

}  // namespace stratus::manifest
