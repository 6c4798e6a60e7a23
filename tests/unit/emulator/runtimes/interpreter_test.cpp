#include "emulator/runtimes/interpreter.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>

namespace stratus {
namespace {

namespace fs = std::filesystem;

class FindOnPathTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() / ("stratus-interp-" + std::to_string(::getpid()));
    fs::create_directories(m_dir / "a");
    fs::create_directories(m_dir / "b");
    std::ofstream(m_dir / "a" / "tool") << "not executable\n";
    std::ofstream(m_dir / "b" / "tool") << "#!/bin/sh\n";
    fs::permissions(m_dir / "b" / "tool", fs::perms::owner_all);
    fs::create_directories(m_dir / "c" / "tool");  // a directory is never the answer
  }
  void TearDown() override { fs::remove_all(m_dir); }
  fs::path m_dir;
};

TEST_F(FindOnPathTest, SkipsNonExecutablesAndDirectories) {
  const std::string path =
      (m_dir / "c").string() + ":" + (m_dir / "a").string() + ":" + (m_dir / "b").string();
  EXPECT_EQ(find_on_path("tool", path), (m_dir / "b" / "tool").string());
}

TEST_F(FindOnPathTest, MissingNameEmptyNameAndSlashNames) {
  EXPECT_EQ(find_on_path("nope", (m_dir / "b").string()), std::nullopt);
  EXPECT_EQ(find_on_path("", (m_dir / "b").string()), std::nullopt);
  EXPECT_EQ(find_on_path((m_dir / "b" / "tool").string(), ""), (m_dir / "b" / "tool").string());
  EXPECT_EQ(find_on_path((m_dir / "a" / "tool").string(), ""), std::nullopt);
}

TEST(ResolveInterpreterTest, PythonResolvesToTheRealBinaryNotAShim) {
  const auto python = resolve_interpreter("python3");
  ASSERT_TRUE(python.has_value());
  EXPECT_EQ(python->front(), '/');
  EXPECT_EQ(python->find("/shims/"), std::string::npos);
  EXPECT_EQ(::access(python->c_str(), X_OK), 0);
  EXPECT_EQ(resolve_interpreter("python3"), python);  // cached, same answer
}

TEST(ResolveInterpreterTest, NodeResolvesToExecPath) {
  const auto node = resolve_interpreter("node");
  ASSERT_TRUE(node.has_value());
  EXPECT_EQ(fs::path(*node).filename(), "node");
  EXPECT_EQ(::access(node->c_str(), X_OK), 0);
}

TEST(ResolveInterpreterTest, UnknownNameIsNullopt) {
  EXPECT_EQ(resolve_interpreter("stratus-no-such-interpreter-xyz"), std::nullopt);
}

TEST(ResolveInterpreterTest, VersionComesFromTheSameRun) {
  const auto python = resolve_interpreter_info("python3");
  ASSERT_TRUE(python.has_value());
  // "3.11.9": major.minor.micro, all digits.
  EXPECT_TRUE(std::regex_match(python->version, std::regex(R"(3\.\d+\.\d+)"))) << python->version;
  const auto node = resolve_interpreter_info("node");
  ASSERT_TRUE(node.has_value());
  EXPECT_TRUE(std::regex_match(node->version, std::regex(R"(\d+\.\d+\.\d+)"))) << node->version;
  EXPECT_EQ(node->path, resolve_interpreter("node"));
}

}  // namespace
}  // namespace stratus
