#include "cli/package/file_tree.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>

#include "cli/errors.hpp"
#include "tests/unit/cli/package/test_tree.hpp"

namespace stratus::package {
namespace {

namespace fs = std::filesystem;

using testing::TempTree;

std::vector<std::string> paths(const WalkResult& r) {
  std::vector<std::string> out;
  for (const auto& f : r.files) out.push_back(f.path);
  return out;
}

std::string error_of(const fs::path& root, const WalkOptions& options = {}) {
  try {
    walk_tree(root, options);
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

TEST(WalkTree, ListsFilesSortedWithStat) {
  TempTree t;
  t.write("b.txt", "bb");
  t.write("a/z.js", "z");
  t.write("a/.hidden", "");
  t.write("A.txt", "x", fs::perms(0755));
  t.mkdir("empty/dir");
  auto r = walk_tree(t.root());
  EXPECT_EQ(paths(r), (std::vector<std::string>{"A.txt", "a/.hidden", "a/z.js", "b.txt"}));
  EXPECT_EQ(r.files[3].size, 2u);
  EXPECT_EQ(r.files[0].mode & 0777, 0755u);
  EXPECT_GT(r.files[0].mtime_ns, 0);
  EXPECT_TRUE(r.warnings.empty());
}

TEST(WalkTree, SkipsFoldersAndFilesWhenAsked) {
  TempTree t;
  t.write(".git/HEAD", "x");
  t.write("node_modules/.bin/jest", "x");
  t.write("src/a.js", "x");
  WalkOptions o;
  std::vector<std::string> asked;
  o.skip_dir = [&](std::string_view rel, std::span<const std::string_view> segments) {
    asked.emplace_back(rel);
    EXPECT_EQ(segments.size(), static_cast<std::size_t>(std::count(rel.begin(), rel.end(), '/') + 1));
    return rel == ".git";
  };
  o.skip_file = [](std::string_view rel) { return rel == "node_modules/.bin/jest"; };
  auto r = walk_tree(t.root(), o);
  EXPECT_EQ(paths(r), (std::vector<std::string>{"src/a.js"}));
  std::sort(asked.begin(), asked.end());
  EXPECT_EQ(asked, (std::vector<std::string>{".git", "node_modules", "node_modules/.bin", "src"}));
}

TEST(WalkTree, FollowsLinksInsideTheFolder) {
  TempTree t;
  t.write("real/x.sh", "#!/bin/sh\n", fs::perms(0755));
  t.symlink("real", "linked");
  t.symlink("real/x.sh", "run");
  auto r = walk_tree(t.root());
  EXPECT_EQ(paths(r), (std::vector<std::string>{"linked/x.sh", "real/x.sh", "run"}));
  EXPECT_EQ(r.files[2].mode & 0777, 0755u);  // the target's mode
  EXPECT_TRUE(r.files[2].escapes_to.empty());
}

TEST(WalkTree, LinkedFileOutsideIsMarked) {
  TempTree outside, t;
  outside.write("secret", "s");
  t.write("a.js", "x");
  t.symlink(outside.path("secret").string(), "secret");
  auto r = walk_tree(t.root());
  ASSERT_EQ(paths(r), (std::vector<std::string>{"a.js", "secret"}));
  EXPECT_EQ(r.files[1].escapes_to, fs::canonical(outside.path("secret")).string());
}

TEST(WalkTree, LinkedFolderOutsideIsAnErrorUnlessSkipped) {
  TempTree outside, t;
  outside.write("lib/index.js", "x");
  t.symlink(outside.path("lib").string(), "node_modules/@org/lib");
  EXPECT_EQ(error_of(t.root()),
            "node_modules/@org/lib is a symlink to " + fs::canonical(outside.path("lib")).string() +
                ", outside the service folder; stratus packages only files inside it: exclude "
                "it with '!node_modules/@org/lib/**' or replace the link with a copy");
  WalkOptions o;
  o.skip_dir = [](std::string_view rel, auto) { return rel == "node_modules/@org/lib"; };
  EXPECT_EQ(error_of(t.root(), o), "");
}

TEST(WalkTree, LinkLoopIsAnError) {
  TempTree t;
  t.write("a/b/file", "x");
  t.symlink("..", "a/b/up");
  EXPECT_EQ(error_of(t.root()),
            "a/b/up is a symlink to a, one of its own parent folders; exclude it with '!a/b/up/**'");
  t.symlink(".", "self");
  WalkOptions o;
  o.skip_dir = [](std::string_view rel, auto) { return rel == "a/b/up"; };
  EXPECT_EQ(
      error_of(t.root(), o),
      "self is a symlink to the service folder, one of its own parent folders; exclude it with '!self/**'");
}

TEST(WalkTree, DanglingLinksAndSocketsAreSkippedWithAWarning) {
  TempTree t;
  t.write("a.js", "x");
  t.symlink("nowhere", "dangling");
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::string sock = t.path("sock").string();
  ASSERT_LT(sock.size(), sizeof addr.sun_path);
  strcpy(addr.sun_path, sock.c_str());
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  auto r = walk_tree(t.root());
  ::close(fd);
  EXPECT_EQ(paths(r), (std::vector<std::string>{"a.js"}));
  EXPECT_EQ(r.warnings,
            (std::vector<std::string>{"skipped dangling: a symlink to nothing", "skipped sock: a socket"}));
}

TEST(WalkTree, MissingRootIsAUserError) {
  EXPECT_EQ(error_of("/nonexistent/stratus/svc"),
            "cannot read the service folder /nonexistent/stratus/svc: No such file or directory");
}

TEST(WalkTree, UnreadableFolderNamesTheFix) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads any folder";
  TempTree t;
  t.write("locked/a.js", "x");
  fs::permissions(t.path("locked"), fs::perms::none);
  EXPECT_EQ(
      error_of(t.root()),
      "cannot read folder locked: Permission denied; fix its permissions or exclude it with '!locked/**'");
}

TEST(WalkTree, DeepNestingStopsWithAnError) {
  TempTree t;
  std::string rel;
  for (int i = 0; i < 300; ++i) rel += (i ? "/" : "") + std::string("d");
  t.write(rel + "/f", "x");
  std::string err = error_of(t.root());
  EXPECT_TRUE(err.starts_with("folder d/d/d")) << err;
  EXPECT_TRUE(err.ends_with("is nested more than 256 levels deep; exclude it with '!" +
                            rel.substr(0, 2 * 257 - 1) + "/**'"))
      << err;
}

}  // namespace
}  // namespace stratus::package
