// Fuzzes the manifest front end: YAML/JSON loading, variable resolution, schema validation and
// the typed model. Any input must end in a Service or in diagnostics, never in a crash or hang.
#include <cstddef>
#include <cstdint>
#include <string>

#include "cli/manifest/fuzz_entry.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  stratus::manifest::run_pipeline_on_text(std::string(reinterpret_cast<const char*>(data), size));
  return 0;
}
