#include "emulator/platform/registry.hpp"

#include <gtest/gtest.h>

#include "tests/support/temp_dir.hpp"

namespace stratus::platform {
namespace {

using test_support::TempDir;

FunctionRecord record(const std::string& account, const std::string& name) {
  FunctionRecord r;
  r.account_id = account;
  r.name = name;
  r.runtime = "python3.12";
  r.handler = "app.handler";
  r.role = "arn:aws:iam::" + account + ":role/r";
  r.memory_mb = 256;
  r.timeout_s = 9;
  r.environment = {{"A", "1"}, {"B", "two"}};
  r.code_sha256 = "abc=";
  r.code_size = 42;
  r.last_modified = "2026-01-02T03:04:05.678+0000";
  r.revision_id = "r1";
  return r;
}

TEST(RegistryTest, InsertFindListUpdateRemoveAndSurviveAReopen) {
  TempDir dir;
  const auto path = dir.path() / "serve.db";
  {
    Registry registry(path);
    EXPECT_TRUE(registry.insert(record("111111111111", "b")));
    EXPECT_TRUE(registry.insert(record("111111111111", "a")));
    EXPECT_TRUE(registry.insert(record("222222222222", "a")));  // same name, another account
    EXPECT_FALSE(registry.insert(record("111111111111", "a")));
    auto listed = registry.list("111111111111");
    ASSERT_EQ(listed.size(), 2u);
    EXPECT_EQ(listed[0].name, "a");
    EXPECT_EQ(listed[1].name, "b");
    EXPECT_EQ(registry.all().size(), 3u);

    FunctionRecord changed = record("111111111111", "a");
    changed.timeout_s = 30;
    changed.environment = {{"C", "3"}};
    changed.url = UrlConfig{"0123456789abcdef0123456789abcdef", "NONE", "BUFFERED", "t1", "t2"};
    EXPECT_TRUE(registry.update(changed));
    EXPECT_FALSE(registry.update(record("333333333333", "a")));
    EXPECT_TRUE(registry.remove("111111111111", "b"));
    EXPECT_FALSE(registry.remove("111111111111", "b"));
  }
  Registry reopened(path);
  auto a = reopened.find("111111111111", "a");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->timeout_s, 30);
  EXPECT_EQ(a->memory_mb, 256);
  EXPECT_EQ(a->code_sha256, "abc=");
  EXPECT_EQ(a->code_size, 42);
  EXPECT_EQ(a->environment, (std::vector<std::pair<std::string, std::string>>{{"C", "3"}}));
  ASSERT_TRUE(a->url);
  EXPECT_EQ(a->url->auth_type, "NONE");
  auto by_url = reopened.find_by_url("0123456789abcdef0123456789abcdef");
  ASSERT_TRUE(by_url);
  EXPECT_EQ(by_url->account_id, "111111111111");
  EXPECT_FALSE(reopened.find_by_url("nope"));
  EXPECT_FALSE(reopened.find("111111111111", "b"));
  EXPECT_EQ(reopened.find("222222222222", "a")->environment.size(), 2u);
}

}  // namespace
}  // namespace stratus::platform
