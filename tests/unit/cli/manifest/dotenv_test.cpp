#include "cli/manifest/dotenv.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>

#include "tests/support/temp_dir.hpp"

namespace stratus::manifest {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

using stratus::test_support::TempDir;

TEST(Dotenv, ParsesKeyValueLines) {
  Pairs p = parse_dotenv(
      "# a comment\n"
      "A=1\n"
      "\n"
      "export B=two\n"
      "  C = spaced value  \n"
      "D=inline # comment\n"
      "E=no#space\n"
      "F=\n"
      "G: colon\n"
      "dotted.key-1=ok\n");
  Pairs want = {{"A", "1"},  {"B", "two"}, {"C", "spaced value"}, {"D", "inline"},
                {"E", "no"}, {"F", ""},    {"G", "colon"},        {"dotted.key-1", "ok"}};
  EXPECT_EQ(p, want);
}

TEST(Dotenv, QuotedValues) {
  Pairs p = parse_dotenv(
      "S='single # not a comment'\n"
      "D=\"double\\nline\"\n"
      "L='keeps\\nliteral'\n"
      "B=`back tick`\n"
      "Q=\"with 'inner' quotes\" # trailing comment\n"
      "J=\"abc\" junk\n"
      "E=\"escaped \\\" quote\"\n");
  Pairs want = {
      {"S", "single # not a comment"}, {"D", "double\nline"}, {"L", "keeps\\nliteral"},   {"B", "back tick"},
      {"Q", "with 'inner' quotes"},    {"J", "\"abc\" junk"}, {"E", "escaped \\\" quote"}};
  EXPECT_EQ(p, want);
}

TEST(Dotenv, MultilineQuotedValuesAndCrlf) {
  Pairs p = parse_dotenv("KEY=\"-----BEGIN-----\r\nabc\r\n-----END-----\"\r\nNEXT=1\r\n");
  Pairs want = {{"KEY", "-----BEGIN-----\nabc\n-----END-----"}, {"NEXT", "1"}};
  EXPECT_EQ(p, want);
}

TEST(Dotenv, SkipsLinesThatAreNotAssignmentsAndLaterDuplicatesWin) {
  Pairs p = parse_dotenv("just words\nA=1\n=novalue\nG:nospace\nexport\nA=2\n");
  Pairs want = {{"A", "2"}};
  EXPECT_EQ(p, want);
}

TEST(Dotenv, ExpandsReferences) {
  Pairs p = {{"BASE_URL", "my.api.com"},
             {"PROTOCOL", "https"},
             {"URL", "$PROTOCOL://${BASE_URL}/"},
             {"LATER", "${DEFINED_BELOW}"},
             {"DEFINED_BELOW", "yes"},
             {"DEFAULTED", "${MISSING:-fallback}"},
             {"EMPTY", "[${MISSING}]"},
             {"ESCAPED", "\\$PROTOCOL costs $5 or $"},
             {"FROM_ENV", "${HOME_DIR}/x"}};
  expand_dotenv(p, {{"HOME_DIR", "/home/me"}});
  Pairs want = {{"BASE_URL", "my.api.com"},
                {"PROTOCOL", "https"},
                {"URL", "https://my.api.com/"},
                {"LATER", "yes"},
                {"DEFINED_BELOW", "yes"},
                {"DEFAULTED", "fallback"},
                {"EMPTY", "[]"},
                {"ESCAPED", "$PROTOCOL costs  or $"},
                {"FROM_ENV", "/home/me/x"}};
  EXPECT_EQ(p, want);
}

TEST(Dotenv, ProcessEnvironmentWinsInExpansion) {
  Pairs p = {{"NAME", "file"}, {"GREETING", "hello $NAME"}};
  expand_dotenv(p, {{"NAME", "process"}});
  EXPECT_EQ(p[1].second, "hello process");
}

TEST(Dotenv, ReferenceCyclesTerminate) {
  Pairs p = {{"A", "a$B"}, {"B", "b$A"}, {"SELF", "x${SELF}"}};
  expand_dotenv(p, {});
  EXPECT_EQ(p[0].second.substr(0, 4), "abab");
  EXPECT_LT(p[0].second.size(), 64u);
  EXPECT_EQ(p[2].second.substr(0, 3), "xxx");
}

TEST(Dotenv, LoadPrefersTheStageFile) {
  TempDir dir;
  dir.write(".env", "ONLY_DEFAULT=1\nX=default\n");
  dir.write(".env.prod", "X=prod\nY=${X}-y\n");
  DotenvFile prod = load_dotenv(dir.path(), "prod", {});
  ASSERT_TRUE(prod.path);
  EXPECT_EQ(prod.path->filename(), ".env.prod");
  std::map<std::string, std::string> want = {{"X", "prod"}, {"Y", "prod-y"}};
  EXPECT_EQ(prod.values, want);  // never both files

  DotenvFile dev = load_dotenv(dir.path(), "dev", {});
  ASSERT_TRUE(dev.path);
  EXPECT_EQ(dev.path->filename(), ".env");
  EXPECT_EQ(dev.values.at("X"), "default");
  EXPECT_EQ(dev.error, "");
}

TEST(Dotenv, LoadWithoutFilesAndWithAnUnreadableOne) {
  TempDir dir;
  DotenvFile none = load_dotenv(dir.path(), "dev", {});
  EXPECT_FALSE(none.path);
  EXPECT_TRUE(none.values.empty());

  std::filesystem::create_directory(dir.path() / ".env");
  DotenvFile bad = load_dotenv(dir.path(), "dev", {});
  ASSERT_TRUE(bad.path);
  EXPECT_EQ(bad.error, "Is a directory");
}

TEST(Dotenv, EmptyFileLoadsNothing) {
  TempDir dir;
  dir.write(".env", "");
  DotenvFile f = load_dotenv(dir.path(), "dev", {});
  ASSERT_TRUE(f.path);
  EXPECT_EQ(f.error, "");
  EXPECT_TRUE(f.values.empty());
}

}  // namespace
}  // namespace stratus::manifest
