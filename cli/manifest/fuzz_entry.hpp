#pragma once
// The manifest pipeline on an in-memory document, with a fixed, hermetic context (no process
// environment, no options). Shared by the fuzz target and the test that replays its crashers.
#include <string>

namespace stratus::manifest {

// Returns the number of diagnostics produced (errors and warnings).
std::size_t run_pipeline_on_text(const std::string& text);

}  // namespace stratus::manifest
