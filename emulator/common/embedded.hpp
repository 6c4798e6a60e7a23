#pragma once
// Files compiled into the binary (templates, schemas, completion scripts, runtime bootstraps),
// generated at build time by scripts/embed.cmake.
#include <span>
#include <string_view>

namespace stratus {

struct EmbeddedFile {
  std::string_view path;  // relative to the embedded folder, '/'-separated
  std::string_view data;
};

std::span<const EmbeddedFile> embedded_templates();    // templates/<name>/...
std::span<const EmbeddedFile> embedded_schemas();      // serverless.schema.json
std::span<const EmbeddedFile> embedded_completions();  // stratus.bash, _stratus, stratus.fish
std::span<const EmbeddedFile> embedded_runtimes();  // python/bootstrap.py (+ its module), node/bootstrap.mjs
std::span<const EmbeddedFile> embedded_prices();    // prices-us-east-1.json

// The file at `path` in `files`, or nullptr.
const EmbeddedFile* find_embedded(std::span<const EmbeddedFile> files, std::string_view path);

}  // namespace stratus
