#include "cli/scaffold/write_tree.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "cli/errors.hpp"

namespace stratus::scaffold {
namespace {

namespace fs = std::filesystem;

class WriteTree : public testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "stratus-write-tree-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    m_dir = tmpl;
    m_old_umask = umask(022);
  }
  void TearDown() override {
    umask(m_old_umask);
    fs::remove_all(m_dir);
  }

  static std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  static unsigned mode(const fs::path& p) {
    struct stat st;
    EXPECT_EQ(stat(p.c_str(), &st), 0) << p;
    return st.st_mode & 07777;
  }
  // Every path under dir, relative, sorted.
  static std::vector<std::string> listing(const fs::path& dir) {
    std::vector<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(dir))
      out.push_back(e.path().lexically_relative(dir));
    std::sort(out.begin(), out.end());
    return out;
  }
  void touch(const std::string& rel, const std::string& content = "old") const {
    fs::create_directories((m_dir / rel).parent_path());
    std::ofstream(m_dir / rel) << content;
  }

  fs::path m_dir;
  mode_t m_old_umask = 022;
  std::vector<ProjectFile> m_files = {
      {"bootstrap", "#!/bin/sh\n", true},
      {"events/hello.json", "{}", false},
      {"serverless.yml", "service: x\n", false},
  };
};

TEST_F(WriteTree, CreatesTheFolderAndItsParentsWithModes) {
  auto dest = m_dir / "a" / "b" / "project";
  write_tree(dest, m_files);
  EXPECT_EQ(listing(dest),
            (std::vector<std::string>{"bootstrap", "events", "events/hello.json", "serverless.yml"}));
  EXPECT_EQ(read(dest / "bootstrap"), "#!/bin/sh\n");
  EXPECT_EQ(read(dest / "events/hello.json"), "{}");
  EXPECT_EQ(mode(dest / "bootstrap"), 0755u);
  EXPECT_EQ(mode(dest / "serverless.yml"), 0644u);
  EXPECT_EQ(mode(dest / "events"), 0755u);
  EXPECT_EQ(mode(dest), 0755u);
  // The staging folder is gone.
  EXPECT_EQ(listing(m_dir / "a" / "b"),
            (std::vector<std::string>{"project", "project/bootstrap", "project/events",
                                      "project/events/hello.json", "project/serverless.yml"}));
}

TEST_F(WriteTree, ModesFollowTheUmask) {
  umask(077);
  write_tree(m_dir / "p", m_files);
  EXPECT_EQ(mode(m_dir / "p" / "bootstrap"), 0700u);
  EXPECT_EQ(mode(m_dir / "p" / "serverless.yml"), 0600u);
  EXPECT_EQ(mode(m_dir / "p"), 0700u);
}

TEST_F(WriteTree, MergesIntoAnExistingFolderBesideOtherFiles) {
  touch("README.md", "mine");
  touch("events/other.json", "[]");
  write_tree(m_dir, m_files);
  EXPECT_EQ(listing(m_dir), (std::vector<std::string>{"README.md", "bootstrap", "events", "events/hello.json",
                                                      "events/other.json", "serverless.yml"}));
  EXPECT_EQ(read(m_dir / "README.md"), "mine");
  EXPECT_EQ(read(m_dir / "events/other.json"), "[]");
  EXPECT_EQ(read(m_dir / "serverless.yml"), "service: x\n");
}

TEST_F(WriteTree, FindsConflicts) {
  EXPECT_TRUE(find_conflicts(m_dir, m_files).empty());
  EXPECT_TRUE(find_conflicts(m_dir / "missing", m_files).empty());
  touch("events/unrelated.json");
  EXPECT_TRUE(find_conflicts(m_dir, m_files).empty());  // an existing folder is merged into
  touch("serverless.yml");
  touch("events/hello.json");
  EXPECT_EQ(find_conflicts(m_dir, m_files),
            (std::vector<std::string>{"events/hello.json", "serverless.yml"}));
}

TEST_F(WriteTree, AFileWhereAFolderGoesIsAConflict) {
  touch("events");
  EXPECT_EQ(find_conflicts(m_dir, m_files), (std::vector<std::string>{"events/hello.json"}));
}

TEST_F(WriteTree, ADanglingSymlinkIsAConflict) {
  ASSERT_EQ(symlink("nowhere", (m_dir / "bootstrap").c_str()), 0);
  EXPECT_EQ(find_conflicts(m_dir, m_files), (std::vector<std::string>{"bootstrap"}));
}

TEST_F(WriteTree, AFailureWhileStagingLeavesNothing) {
  // "events" as both a file and a folder cannot be staged.
  std::vector<ProjectFile> bad = {
      {"a.txt", "x", false}, {"events", "x", false}, {"events/hello.json", "{}", false}};
  auto dest = m_dir / "new" / "project";
  try {
    write_tree(dest, bad);
    FAIL() << "no error";
  } catch (const UserError& e) {
    EXPECT_EQ(std::string(e.what()),
              "cannot create '" + (dest / "events/hello.json").string() + "': " + std::strerror(ENOTDIR));
    EXPECT_EQ(e.exit_code(), kExitFailure);
  }
  EXPECT_TRUE(listing(m_dir).empty());  // not even the parent "new"
}

TEST_F(WriteTree, AFailureWhileMovingIntoPlacePutsEverythingBack) {
  // find_conflicts was not asked: "serverless.yml" appears as if another process made it. The
  // moves go in sorted order, so bootstrap and events/ are in place before the clash.
  touch("serverless.yml", "theirs");
  try {
    write_tree(m_dir, m_files);
    FAIL() << "no error";
  } catch (const UserError& e) {
    EXPECT_EQ(std::string(e.what()),
              "cannot create '" + (m_dir / "serverless.yml").string() + "': " + std::strerror(EEXIST));
  }
  EXPECT_EQ(listing(m_dir), (std::vector<std::string>{"serverless.yml"}));
  EXPECT_EQ(read(m_dir / "serverless.yml"), "theirs");
}

TEST_F(WriteTree, NeverReplacesAnExistingDestination) {
  touch("project", "a file");
  EXPECT_THROW(write_tree(m_dir / "project", m_files), UserError);
  EXPECT_EQ(read(m_dir / "project"), "a file");
  EXPECT_EQ(listing(m_dir), (std::vector<std::string>{"project"}));
}

}  // namespace
}  // namespace stratus::scaffold
