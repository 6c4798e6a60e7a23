#include "cli/package/braces.hpp"

#include <gtest/gtest.h>

#include "cli/errors.hpp"

namespace stratus::package {
namespace {

using Strings = std::vector<std::string>;

TEST(Braces, ListsInWrittenOrder) {
  EXPECT_EQ(expand_braces("*.{js,ts}"), (Strings{"*.js", "*.ts"}));
  EXPECT_EQ(expand_braces("{src,lib}/{a,b}"), (Strings{"src/a", "src/b", "lib/a", "lib/b"}));
  EXPECT_EQ(expand_braces("a{b,c{d,e}}f"), (Strings{"abf", "acdf", "acef"}));
  EXPECT_EQ(expand_braces("x{,.min}.js"), (Strings{"x.js", "x.min.js"}));
}

TEST(Braces, Ranges) {
  EXPECT_EQ(expand_braces("v{1..3}"), (Strings{"v1", "v2", "v3"}));
  EXPECT_EQ(expand_braces("v{3..1}"), (Strings{"v3", "v2", "v1"}));
  EXPECT_EQ(expand_braces("{08..10}"), (Strings{"08", "09", "10"}));
  EXPECT_EQ(expand_braces("{-1..1}"), (Strings{"-1", "0", "1"}));
  EXPECT_EQ(expand_braces("{1..9..4}"), (Strings{"1", "5", "9"}));
  EXPECT_EQ(expand_braces("{a..c}"), (Strings{"a", "b", "c"}));
}

TEST(Braces, LiteralWhenNotAList) {
  EXPECT_EQ(expand_braces("{a}"), (Strings{"{a}"}));
  EXPECT_EQ(expand_braces("a{b"), (Strings{"a{b"}));
  EXPECT_EQ(expand_braces("\\{a,b}"), (Strings{"\\{a,b}"}));
  EXPECT_EQ(expand_braces("{1..x}"), (Strings{"{1..x}"}));
  EXPECT_EQ(expand_braces("{{a,b}}"), (Strings{"{a}", "{b}"}));
}

TEST(Braces, TooManyAlternatives) {
  try {
    expand_braces("{0..2000}");
    FAIL();
  } catch (const UserError& e) {
    EXPECT_EQ(std::string(e.what()),
              "package pattern '{0..2000}' expands to more than 1024 alternatives; simplify its braces");
  }
  EXPECT_EQ(expand_braces("{0..1023}").size(), 1024u);
}

}  // namespace
}  // namespace stratus::package
