#include "cli/package/dev_dependencies.hpp"

#include <gtest/gtest.h>

#include "tests/unit/cli/package/test_tree.hpp"

namespace stratus::package {
namespace {

namespace fs = std::filesystem;

using testing::TempTree;

// A package folder with its package.json.
void package(const TempTree& t, const std::string& dir, const std::string& name,
             const std::string& deps = "{}", const std::string& extra = "") {
  t.write(dir + "/package.json",
          "{\"name\": \"" + name + "\", \"version\": \"1.0.0\", \"dependencies\": " + deps + extra + "}");
  t.write(dir + "/index.js", "module.exports = 1;\n");
}

std::vector<std::string> sorted(const std::unordered_set<std::string>& s) {
  std::vector<std::string> v(s.begin(), s.end());
  std::sort(v.begin(), v.end());
  return v;
}

TEST(DevDependencies, ExcludesWhatOnlyDevelopmentReaches) {
  TempTree t;
  t.write("package.json", R"({
    "dependencies": {"express": "^4", "@aws/client": "^3"},
    "devDependencies": {"jest": "^29", "@types/node": "^20", "shared-dev": "1"}
  })");
  package(t, "node_modules/express", "express", R"({"debug": "^4", "shared": "1"})");
  package(t, "node_modules/debug", "debug");
  package(t, "node_modules/shared", "shared");
  package(t, "node_modules/@aws/client", "@aws/client", R"({"tslib": "2"})");
  package(t, "node_modules/@aws/client/node_modules/tslib", "tslib");  // nested copy wins for it
  package(t, "node_modules/tslib", "tslib");                           // hoisted copy: used by jest only
  package(t, "node_modules/jest", "jest", R"({"jest-cli": "1", "shared": "1", "tslib": "1"})",
          R"(, "bin": {"jest": "bin/jest.js"})");
  package(t, "node_modules/jest-cli", "jest-cli", "{}", R"(, "bin": "bin/cli.js")");
  package(t, "node_modules/@types/node", "@types/node");
  package(t, "node_modules/shared-dev", "shared-dev");
  package(t, "node_modules/extraneous", "extraneous");
  auto dev = find_dev_dependencies(t.root());
  EXPECT_EQ(
      sorted(dev.package_dirs),
      (std::vector<std::string>{"node_modules/@types/node", "node_modules/jest", "node_modules/jest-cli",
                                "node_modules/shared-dev", "node_modules/tslib"}));
  EXPECT_EQ(sorted(dev.bin_links),
            (std::vector<std::string>{"node_modules/.bin/jest", "node_modules/.bin/jest-cli"}));
  EXPECT_TRUE(dev.warnings.empty());
}

TEST(DevDependencies, NestedResolutionAndPeers) {
  TempTree t;
  t.write("package.json", R"({"dependencies": {"a": "1"}, "devDependencies": {"b": "1"}})");
  package(t, "node_modules/a", "a", R"({"c": "1"})", R"(, "peerDependencies": {"p": "1"})");
  package(t, "node_modules/a/node_modules/c", "c");
  package(t, "node_modules/p", "p");
  package(t, "node_modules/b", "b", R"({"c": "2"})");
  package(t, "node_modules/b/node_modules/c", "c");
  package(t, "node_modules/c", "c");  // nobody's: stays
  auto dev = find_dev_dependencies(t.root());
  EXPECT_EQ(sorted(dev.package_dirs),
            (std::vector<std::string>{"node_modules/b", "node_modules/b/node_modules/c"}));
}

TEST(DevDependencies, NothingWithoutDevDependenciesOrNodeModules) {
  TempTree t;
  t.write("package.json", R"({"dependencies": {"a": "1"}})");
  package(t, "node_modules/a", "a");
  EXPECT_TRUE(find_dev_dependencies(t.root()).empty());

  TempTree u;
  u.write("package.json", R"({"devDependencies": {"a": "1"}})");
  EXPECT_TRUE(find_dev_dependencies(u.root()).empty());

  TempTree v;
  v.mkdir("node_modules/a");
  EXPECT_TRUE(find_dev_dependencies(v.root()).empty());
}

TEST(DevDependencies, InvalidPackageJsonWarns) {
  TempTree t;
  t.write("package.json", "{ not json");
  t.mkdir("node_modules");
  auto dev = find_dev_dependencies(t.root());
  EXPECT_TRUE(dev.empty());
  ASSERT_EQ(dev.warnings.size(), 1u);
  EXPECT_TRUE(dev.warnings[0].starts_with("package.json is not valid JSON ("));
  EXPECT_TRUE(dev.warnings[0].ends_with("); development dependencies are not excluded from the zips"));
}

TEST(DevDependencies, HostileNamesAndLoopsAreHarmless) {
  TempTree t;
  t.write("package.json", R"({"devDependencies": {"../../etc": "1", "@x/../../y": "1", "a": "1"}})");
  package(t, "node_modules/a", "a", R"({"a": "1", "b": "1"})");
  package(t, "node_modules/b", "b", R"({"a": "1"})");  // a cycle
  t.symlink("..", "node_modules/a/node_modules");      // a folder loop through node_modules
  auto dev = find_dev_dependencies(t.root());
  // Each package once by its real folder, excluded under every path it was reached through.
  EXPECT_EQ(sorted(dev.package_dirs),
            (std::vector<std::string>{"node_modules/a", "node_modules/a/node_modules/a",
                                      "node_modules/a/node_modules/b", "node_modules/b"}));
}

TEST(DevDependencies, PnpmLayoutResolvesFromRealFolders) {
  TempTree t;
  t.write("package.json", R"({"dependencies": {"app": "1"}, "devDependencies": {"tool": "1"}})");
  package(t, "node_modules/.pnpm/app@1/node_modules/app", "app", R"({"lib": "1"})");
  package(t, "node_modules/.pnpm/lib@1/node_modules/lib", "lib");
  t.symlink("../../lib@1/node_modules/lib", "node_modules/.pnpm/app@1/node_modules/lib");
  package(t, "node_modules/.pnpm/tool@1/node_modules/tool", "tool", R"({"lib": "1", "dep": "1"})");
  package(t, "node_modules/.pnpm/dep@1/node_modules/dep", "dep");
  t.symlink("../../lib@1/node_modules/lib", "node_modules/.pnpm/tool@1/node_modules/lib");
  t.symlink("../../dep@1/node_modules/dep", "node_modules/.pnpm/tool@1/node_modules/dep");
  t.symlink(".pnpm/app@1/node_modules/app", "node_modules/app");
  t.symlink(".pnpm/tool@1/node_modules/tool", "node_modules/tool");
  auto dev = find_dev_dependencies(t.root());
  EXPECT_EQ(sorted(dev.package_dirs),
            (std::vector<std::string>{"node_modules/.pnpm/dep@1/node_modules/dep",
                                      "node_modules/.pnpm/tool@1/node_modules/dep",
                                      "node_modules/.pnpm/tool@1/node_modules/tool", "node_modules/tool"}));
}

}  // namespace
}  // namespace stratus::package
