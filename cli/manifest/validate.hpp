#pragma once
// Schema validation of a resolved manifest against the embedded serverless.schema.json.
#include "cli/manifest/diagnostics.hpp"
#include "cli/manifest/value.hpp"

namespace stratus::manifest {

// Adds a diagnostic per schema violation. Unknown keys, and values the schema marks lenient (a
// retired runtime), follow configValidationMode: a warning
// (warn, the default), an error (error) or nothing (off); every other violation is an error.
// A manifest for a provider other than aws gets one warning and no check: its keys are its own.
void check_schema(const Value& root, Diagnostics& diags);

}  // namespace stratus::manifest
