#include "cli/package/patterns.hpp"

#include <gtest/gtest.h>

#include "cli/errors.hpp"

namespace stratus::package {
namespace {

bool glob(std::string_view pattern, std::string_view path) {
  return Glob(pattern).matches(path);
}

PatternSet set_of(std::initializer_list<std::string> patterns) {
  PatternSet s;
  for (const auto& p : patterns) s.add(p);
  return s;
}

std::string error_of(std::string_view pattern) {
  try {
    Glob g(pattern);
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

TEST(Glob, StarStaysWithinASegmentAndMatchesDotfiles) {
  EXPECT_TRUE(glob("*.js", "a.js"));
  EXPECT_TRUE(glob("*.js", ".hidden.js"));
  EXPECT_TRUE(glob("*", ".env"));
  EXPECT_FALSE(glob("*.js", "src/a.js"));
  EXPECT_TRUE(glob("src/*.js", "src/a.js"));
  EXPECT_FALSE(glob("src/*.js", "src/x/a.js"));
  EXPECT_TRUE(glob("a*b*c", "aXXbYYbc"));
  EXPECT_FALSE(glob("a*b*c", "aXXbYYb"));
  EXPECT_TRUE(glob("**.js", "a.js"));  // "**" beside other characters is a plain star
  EXPECT_FALSE(glob("**.js", "x/a.js"));
}

TEST(Glob, GlobstarSpansSegmentsIncludingNone) {
  EXPECT_TRUE(glob("**", "a/b/c.txt"));
  EXPECT_TRUE(glob("**/*.js", "a.js"));
  EXPECT_TRUE(glob("**/*.js", "x/y/a.js"));
  EXPECT_TRUE(glob("src/**/test/*.js", "src/test/a.js"));
  EXPECT_TRUE(glob("src/**/test/*.js", "src/a/b/test/a.js"));
  EXPECT_FALSE(glob("src/**/test/*.js", "src/a/b/test/x/a.js"));
  EXPECT_TRUE(glob("node_modules/**", "node_modules/a/index.js"));
  EXPECT_TRUE(glob("node_modules/**", "node_modules"));  // as picomatch does
  EXPECT_FALSE(glob("node_modules/**", "node_modules2/a.js"));
  EXPECT_TRUE(glob("**/.git/**", "vendor/x/.git/HEAD"));
  EXPECT_TRUE(glob("a/**/b/**/c", "a/x/b/y/z/c"));
}

TEST(Glob, QuestionMarkAndClasses) {
  EXPECT_TRUE(glob("file?.txt", "file1.txt"));
  EXPECT_FALSE(glob("file?.txt", "file10.txt"));
  EXPECT_TRUE(glob("?.txt", "\xc3\xa9.txt"));  // one character, two bytes
  EXPECT_TRUE(glob("[abc].js", "b.js"));
  EXPECT_FALSE(glob("[abc].js", "d.js"));
  EXPECT_TRUE(glob("[a-c]x", "bx"));
  EXPECT_TRUE(glob("[!a-c]x", "dx"));
  EXPECT_FALSE(glob("[^a-c]x", "ax"));
  EXPECT_TRUE(glob("[[:digit:]]*", "7up"));
  EXPECT_TRUE(glob("[]]", "]"));
  EXPECT_TRUE(glob("[", "["));  // unclosed: literal
}

TEST(Glob, Braces) {
  EXPECT_TRUE(glob("*.{js,ts}", "a.ts"));
  EXPECT_FALSE(glob("*.{js,ts}", "a.py"));
  EXPECT_TRUE(glob("{src,lib}/**", "lib/x/y.js"));
  EXPECT_TRUE(glob("a{b,c{d,e}}f", "acef"));
  EXPECT_TRUE(glob("v{1..3}.txt", "v2.txt"));
  EXPECT_FALSE(glob("v{1..3}.txt", "v4.txt"));
  EXPECT_TRUE(glob("v{01..10}.txt", "v07.txt"));
  EXPECT_TRUE(glob("{a..c}.txt", "b.txt"));
  EXPECT_TRUE(glob("{a}.txt", "{a}.txt"));  // one alternative: literal braces
  EXPECT_TRUE(glob("x{,.min}.js", "x.js"));
}

TEST(Glob, EscapesAndDotSlash) {
  EXPECT_TRUE(glob("a\\*b", "a*b"));
  EXPECT_FALSE(glob("a\\*b", "axb"));
  EXPECT_TRUE(glob("./src/*.js", "src/a.js"));
  EXPECT_TRUE(glob(escape_glob("we[ir]d {name}.js"), "we[ir]d {name}.js"));
  EXPECT_FALSE(glob(escape_glob("we[ir]d {name}.js"), "wei.js"));
  EXPECT_FALSE(glob("dir/", "dir/a.js"));  // folders are never matched themselves
}

TEST(Glob, Errors) {
  EXPECT_EQ(error_of("@(a|b)/**"),
            "package pattern '@(a|b)/**' uses an extglob such as @(a|b), which stratus does not support; "
            "write alternatives with braces: {a,b}");
  EXPECT_EQ(error_of("src/+(x).js"),
            "package pattern 'src/+(x).js' uses an extglob such as @(a|b), which stratus does not support; "
            "write alternatives with braces: {a,b}");
  EXPECT_EQ(error_of(""), "empty package pattern; remove it from package.patterns");
  EXPECT_EQ(error_of("{1..5000}"),
            "package pattern '{1..5000}' expands to more than 1024 alternatives; simplify its braces");
  EXPECT_EQ(
      error_of("{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}"),
      "package pattern '{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}' expands to more than 1024 "
      "alternatives; simplify its braces");
  EXPECT_EQ(error_of("a\\(b)"), "");  // escaped: a literal parenthesis
}

TEST(Glob, DeepNestingDoesNotRecurse) {
  std::string deep(2000, '{');
  deep += std::string(2000, '}');
  EXPECT_TRUE(glob(deep, deep));  // no commas: all literal
  EXPECT_EQ(error_of(std::string(5000, 'a')),
            "package pattern '" + std::string(40, 'a') + "...' is longer than 4096 characters; shorten it");
  std::string stars;
  for (int i = 0; i < 200; ++i) stars += "*a";
  EXPECT_FALSE(glob(stars + "b", std::string(5000, 'a')));  // no exponential backtracking
}

TEST(PatternSet, EverythingIncludedByDefault) {
  PatternSet s;
  EXPECT_TRUE(s.includes("anything/at/all.txt"));
}

TEST(PatternSet, LaterPatternsWin) {
  auto s = set_of({"!node_modules/**", "node_modules/node-fetch/**"});
  EXPECT_FALSE(s.includes("node_modules/aws-sdk/index.js"));
  EXPECT_TRUE(s.includes("node_modules/node-fetch/lib/index.js"));
  EXPECT_TRUE(s.includes("handler.js"));

  auto t = set_of({"node_modules/node-fetch/**", "!node_modules/**"});
  EXPECT_FALSE(t.includes("node_modules/node-fetch/lib/index.js"));
}

TEST(PatternSet, ExcludeAllThenIncludeSome) {
  auto s = set_of({"!src/**", "src/function/handler.js"});
  EXPECT_TRUE(s.includes("src/function/handler.js"));
  EXPECT_FALSE(s.includes("src/function/other.js"));
  EXPECT_TRUE(s.includes("package.json"));
  auto all = set_of({"!**", "handler.py", "lib/**"});
  EXPECT_FALSE(all.includes("README.md"));
  EXPECT_TRUE(all.includes("handler.py"));
  EXPECT_TRUE(all.includes("lib/a/b.py"));
}

TEST(PatternSet, DoubleNegationExcludesWhatDoesNotMatch) {
  auto s = set_of({"!!**/*.py"});
  EXPECT_TRUE(s.includes("a/b.py"));
  EXPECT_FALSE(s.includes("a/b.js"));
}

TEST(PatternSet, DefaultExcludes) {
  PatternSet s;
  s.add_all(default_excludes());
  for (const char* excluded :
       {".git/HEAD", ".git/objects/ab/cd", ".gitignore", ".DS_Store", "npm-debug.log", "yarn-error.log",
        ".serverless/api.zip", ".serverless_plugins/p/index.js", ".stratus/state.db"})
    EXPECT_FALSE(s.includes(excluded)) << excluded;
  for (const char* kept :
       {"handler.js", "src/.DS_Store", "lib/.gitignore", ".env", "yarn.lock", ".github/x.yml"})
    EXPECT_TRUE(s.includes(kept)) << kept;
  s.add(".gitignore");  // and a user pattern can bring one back
  EXPECT_TRUE(s.includes(".gitignore"));
}

TEST(PatternSet, ExcludesEverythingBelowForPruning) {
  auto dir = [](std::string_view p) { return split_segments(p); };
  auto s = set_of({"!.git/**", "!node_modules/**", "node_modules/keep/**", "!**/*.test.js"});
  EXPECT_TRUE(s.excludes_everything_below(dir(".git")));
  EXPECT_TRUE(s.excludes_everything_below(dir(".git/objects")));
  EXPECT_FALSE(s.excludes_everything_below(dir("node_modules")));  // keep/** reaches in
  EXPECT_TRUE(s.excludes_everything_below(dir("node_modules/other")));
  EXPECT_FALSE(s.excludes_everything_below(dir("node_modules/keep")));
  EXPECT_FALSE(s.excludes_everything_below(dir("src")));

  auto t = set_of({"!.git/**", "**/*.js"});  // an include that could match anywhere
  EXPECT_FALSE(t.excludes_everything_below(dir(".git")));
  auto u = set_of({"!**", "src/**"});
  EXPECT_TRUE(u.excludes_everything_below(dir("docs")));
  EXPECT_FALSE(u.excludes_everything_below(dir("src")));
  EXPECT_FALSE(set_of({"!!src/**"}).excludes_everything_below(dir("docs")));
}

TEST(PatternSet, KeepsTextsAsGiven) {
  auto s = set_of({"!a/**", "b"});
  EXPECT_EQ(s.texts(), (std::vector<std::string>{"!a/**", "b"}));
}

}  // namespace
}  // namespace stratus::package
