#pragma once
// From a resolved, schema-checked document to the typed Service, checking what a JSON Schema
// cannot: handler form, `GET /path` routes, schedule expressions, queue ARNs, deployed names.
#include <filesystem>

#include "cli/manifest/diagnostics.hpp"
#include "cli/manifest/model.hpp"
#include "cli/manifest/value.hpp"

namespace stratus::manifest {

// Builds the model. Problems go to diags; the returned Service is complete only when diags has
// no errors. `stage`/`region` are the effective ones (flags > manifest > defaults).
Service build_service(const Value& root, const std::filesystem::path& config_file, const std::string& stage,
                      const std::string& region, Diagnostics& diags);

}  // namespace stratus::manifest
