// Replays every input the fuzzer once crashed or hung on (tests/fixtures/fuzz/manifest), plus the
// manifest fixtures, through the same entry point as the fuzz target.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/manifest/fuzz_entry.hpp"

namespace stratus::manifest {
namespace {

namespace fs = std::filesystem;

TEST(FuzzRegression, EveryKeptInputEndsInDiagnosticsNotACrash) {
  int replayed = 0;
  for (const char* sub : {"fuzz/manifest", "manifests"}) {
    for (const auto& e : fs::recursive_directory_iterator(fs::path(STRATUS_FIXTURES_DIR) / sub)) {
      if (!e.is_regular_file()) continue;
      std::ifstream in(e.path(), std::ios::binary);
      std::ostringstream ss;
      ss << in.rdbuf();
      run_pipeline_on_text(ss.str());
      ++replayed;
    }
  }
  EXPECT_GT(replayed, 40);
}

TEST(FuzzRegression, HostileShapesAreReportedNotFatal) {
  // Deep nesting, an alias bomb and a recursive alias: each must come back as diagnostics.
  std::string deep(5000, '[');
  EXPECT_GT(run_pipeline_on_text(deep), 0u);
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  char prev = 'a';
  for (char c = 'b'; c <= 'k'; ++c, ++prev) {
    bomb += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 10; ++i) bomb += std::string(i ? ", *" : "*") + prev;
    bomb += "]\n";
  }
  EXPECT_GT(run_pipeline_on_text(bomb), 0u);
}

}  // namespace
}  // namespace stratus::manifest
