#include "cli/ui/output.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

namespace stratus::ui {
namespace {

TEST(Output, ColourNeedsATerminalAndNoOptOut) {
  std::FILE* file = std::tmpfile();
  ASSERT_NE(file, nullptr);
  unsetenv("NO_COLOR");
  EXPECT_FALSE(should_color(false, file)) << "a file is not a terminal";
  EXPECT_FALSE(should_color(true, file));
  std::fclose(file);
}

TEST(Output, NoColorInTheEnvironmentWinsWhateverItsValue) {
  std::FILE* tty = std::fopen("/dev/tty", "w");
  if (!tty) GTEST_SKIP() << "no terminal here";
  setenv("NO_COLOR", "", 1);
  EXPECT_FALSE(should_color(false, tty));
  unsetenv("NO_COLOR");
  EXPECT_TRUE(should_color(false, tty));
  EXPECT_FALSE(should_color(true, tty));
  std::fclose(tty);
}

TEST(Output, StylesOnlyWhenColourIsOn) {
  Output plain({false, false, false});
  EXPECT_EQ(plain.bold("x"), "x");
  Output coloured({false, false, true});
  EXPECT_EQ(coloured.bold("x"), "\033[1mx\033[0m");
  EXPECT_EQ(coloured.yellow("w"), "\033[1;33mw\033[0m");
}

TEST(Output, VerboseLinesOnlyWithVerbose) {
  std::FILE* human = std::tmpfile();
  Output quiet({false, false, false}, stdout, human);
  quiet.verbose("hidden");
  Output loud({false, true, false}, stdout, human);
  loud.verbose("shown");
  std::rewind(human);
  char buf[64] = {};
  std::size_t n = std::fread(buf, 1, sizeof buf - 1, human);
  EXPECT_EQ(std::string(buf, n), "shown\n");
  std::fclose(human);
}

}  // namespace
}  // namespace stratus::ui
