#include <gtest/gtest.h>

#include "tests/e2e/harness.hpp"

namespace stratus::e2e {
namespace {

TEST(Version, PrintsNameAndVersion) {
  TempDir dir;
  auto r = run_stratus(dir.path(), {"--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.rfind("stratus ", 0), 0u) << r.out;
}

TEST(Usage, UnknownCommandSuggestsTheClosest) {
  TempDir dir;
  auto r = run_stratus(dir.path(), {"--versio"});
  EXPECT_EQ(r.exit_code, 2);
}

}  // namespace
}  // namespace stratus::e2e
