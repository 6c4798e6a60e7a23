#include "cli/package/state.hpp"

#include <gtest/gtest.h>

#include "cli/errors.hpp"
#include "tests/unit/cli/package/test_tree.hpp"

namespace stratus::package {
namespace {

namespace fs = std::filesystem;

using testing::TempTree;

TEST(State, RoundTrip) {
  TempTree t;
  PackageState s;
  s.artifacts["api.zip"] = {"fp1", "abc", 123, 4};
  s.artifacts["b.zip"] = {"", "def", 5, 1};
  write_state(t.root(), s);
  auto back = read_state(t.root());
  ASSERT_EQ(back.artifacts.size(), 2u);
  EXPECT_EQ(back.artifacts["api.zip"].fingerprint, "fp1");
  EXPECT_EQ(back.artifacts["api.zip"].sha256, "abc");
  EXPECT_EQ(back.artifacts["api.zip"].size, 123u);
  EXPECT_EQ(back.artifacts["api.zip"].files, 4u);
  EXPECT_EQ(back.artifacts["b.zip"].fingerprint, "");
  EXPECT_TRUE(testing::temp_files(t.root()).empty());
}

TEST(State, MissingOrBrokenStateIsEmpty) {
  TempTree t;
  EXPECT_TRUE(read_state(t.root()).artifacts.empty());
  t.write(kStateFileName, "{ not json");
  EXPECT_TRUE(read_state(t.root()).artifacts.empty());
  t.write(kStateFileName, R"({"format": 99, "artifacts": {"a.zip": {"fingerprint": "x"}}})");
  EXPECT_TRUE(read_state(t.root()).artifacts.empty());
  t.write(kStateFileName, R"({"format": 1, "artifacts": {"a.zip": {"fingerprint": 7, "size": -1}}})");
  auto s = read_state(t.root());
  EXPECT_EQ(s.artifacts["a.zip"].fingerprint, "");
  EXPECT_EQ(s.artifacts["a.zip"].size, 0u);
}

TEST(State, UnwritableFolderIsAUserError) {
  try {
    write_state("/nonexistent/stratus", {});
    FAIL();
  } catch (const UserError& e) {
    EXPECT_EQ(
        std::string(e.what()),
        "cannot write /nonexistent/stratus/stratus-package-state.json: No such file or directory; check that "
        "the folder is writable and the disk has space");
  }
}

TEST(State, FingerprintCoversEveryInput) {
  FileEntry a{"a.js", 10, 1000, 0100644, ""};
  FileEntry b{"b.js", 20, 2000, 0100644, ""};
  std::vector<const FileEntry*> files{&a, &b};
  std::vector<std::string> patterns{"!x/**"};
  std::string base = fingerprint("api.zip", patterns, files, 6);
  EXPECT_EQ(base.size(), 64u);
  EXPECT_EQ(base, fingerprint("api.zip", patterns, files, 6));
  EXPECT_NE(base, fingerprint("api2.zip", patterns, files, 6));
  EXPECT_NE(base, fingerprint("api.zip", std::vector<std::string>{"!y/**"}, files, 6));
  EXPECT_NE(base, fingerprint("api.zip", patterns, files, 9));
  FileEntry a2 = a;
  a2.mtime_ns = 1001;
  std::vector<const FileEntry*> touched{&a2, &b};
  EXPECT_NE(base, fingerprint("api.zip", patterns, touched, 6));
  FileEntry a3 = a;
  a3.mode = 0100755;
  std::vector<const FileEntry*> chmodded{&a3, &b};
  EXPECT_NE(base, fingerprint("api.zip", patterns, chmodded, 6));
  std::vector<const FileEntry*> fewer{&a};
  EXPECT_NE(base, fingerprint("api.zip", patterns, fewer, 6));
}

}  // namespace
}  // namespace stratus::package
