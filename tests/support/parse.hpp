#pragma once
// A YAML (or JSON) document from a test's own text, failing the test if it does not parse.
#include <gtest/gtest.h>

#include <string>

#include "cli/manifest/load.hpp"

namespace stratus::test_support {

inline manifest::Value parse_yaml(const std::string& text, const std::string& file = "serverless.yml") {
  manifest::Sources sources;
  manifest::Diagnostics diags;
  manifest::Value v = manifest::parse_document(text, file, sources, diags);
  EXPECT_FALSE(diags.has_errors()) << (diags.items().empty() ? "" : diags.items().front().message);
  return v;
}

}  // namespace stratus::test_support
