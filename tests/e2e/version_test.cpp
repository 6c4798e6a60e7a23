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
  auto r = run_stratus(dir.path(), {"pirnt"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "stratus: error: unknown command 'pirnt' (did you mean 'print'?)\n"
            "Run 'stratus --help' for the commands.\n");
  auto option = run_stratus(dir.path(), {"--versio"});
  EXPECT_EQ(option.exit_code, 2);
  EXPECT_EQ(option.err,
            "stratus: error: unknown option '--versio' (did you mean '--version'?)\n"
            "Run 'stratus --help' for the options.\n");
}

TEST(Usage, NoCommandPrintsHelpAndExitsTwo) {
  TempDir dir;
  auto r = run_stratus(dir.path(), {});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("Usage: stratus"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace stratus::e2e
