#pragma once
// Reading serverless.yml / serverless.yaml / serverless.json into a Value tree with marks.
// CloudFormation short-form tags become their long form (!Ref X -> {Ref: X}, !GetAtt A.B ->
// {"Fn::GetAtt": [A, B]}, !Sub s -> {"Fn::Sub": s}), as the Serverless Framework does.
#include <filesystem>
#include <optional>
#include <string>

#include "cli/manifest/diagnostics.hpp"
#include "cli/manifest/value.hpp"

namespace stratus::manifest {

// The names looked for, in order, when no --config is given.
inline constexpr const char* kManifestNames[] = {"serverless.yml", "serverless.yaml", "serverless.json"};

// The first manifest name present in dir, or nullopt.
std::optional<std::filesystem::path> find_manifest(const std::filesystem::path& dir);

// Parses text (YAML or JSON) named `file` in marks. Problems (syntax errors, duplicate keys,
// unknown tags, alias bombs) go to diags; the result is then whatever could be read (null if
// nothing). The text is recorded in sources so diagnostics can quote it.
Value parse_document(const std::string& text, const std::string& file, Sources& sources, Diagnostics& diags);

// Reads and parses a file; a file that cannot be read is an error in diags.
Value load_file(const std::filesystem::path& path, const std::string& display_name, Sources& sources,
                Diagnostics& diags);

}  // namespace stratus::manifest
