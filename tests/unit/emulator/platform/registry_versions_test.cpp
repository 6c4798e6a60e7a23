#include <gtest/gtest.h>
#include <sqlite3.h>

#include "emulator/platform/registry.hpp"
#include "tests/support/temp_dir.hpp"

namespace stratus::platform {
namespace {

using test_support::TempDir;

constexpr const char* kA = "111111111111";
constexpr const char* kB = "222222222222";

FunctionRecord record(const std::string& account, const std::string& name, const std::string& sha) {
  FunctionRecord r;
  r.account_id = account;
  r.name = name;
  r.runtime = "python3.12";
  r.handler = "app.handler";
  r.role = "arn:aws:iam::" + account + ":role/r";
  r.memory_mb = 256;
  r.environment = {{"A", "1"}};
  r.code_sha256 = sha;
  r.code_size = 42;
  r.last_modified = "2026-01-02T03:04:05.678+0000";
  r.revision_id = "rev-" + sha;
  return r;
}

TEST(RegistryVersionsTest, VersionsAreNumberedPerFunctionNeverReusedAndSurviveAReopen) {
  TempDir dir;
  const auto path = dir.path() / "serve.db";
  {
    Registry registry(path);
    ASSERT_TRUE(registry.insert(record(kA, "fn", "one")));
    EXPECT_EQ(registry.publish_version(record(kA, "fn", "one")), 1);
    EXPECT_EQ(registry.publish_version(record(kA, "fn", "two")), 2);
    EXPECT_EQ(registry.publish_version(record(kA, "other", "x")), 1);  // its own numbers
    EXPECT_EQ(registry.publish_version(record(kB, "fn", "y")), 1);     // another account's
    EXPECT_TRUE(registry.remove_version(kA, "fn", 2));
    EXPECT_FALSE(registry.remove_version(kA, "fn", 2));
    EXPECT_EQ(registry.publish_version(record(kA, "fn", "three")), 3);  // 2 is never given again
  }
  Registry reopened(path);
  const auto versions = reopened.versions(kA, "fn");
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions[0].number, 1);
  EXPECT_EQ(versions[0].function.code_sha256, "one");
  EXPECT_EQ(versions[0].function.memory_mb, 256);
  EXPECT_EQ(versions[0].function.environment, (std::vector<std::pair<std::string, std::string>>{{"A", "1"}}));
  EXPECT_EQ(versions[0].function.revision_id, "rev-one");
  EXPECT_EQ(versions[1].number, 3);
  EXPECT_EQ(reopened.find_version(kA, "fn", 3)->function.code_sha256, "three");
  EXPECT_FALSE(reopened.find_version(kA, "fn", 2));
  EXPECT_EQ(reopened.find_version(kB, "fn", 1)->function.code_sha256, "y");
  EXPECT_EQ(reopened.find_version(kB, "fn", 1)->function.account_id, kB);
}

TEST(RegistryVersionsTest, AliasesAreKeptPerFunctionAndAccount) {
  TempDir dir;
  Registry registry(dir.path() / "serve.db");
  AliasRecord live{kA, "fn", "live", "1", "the live one", "r1"};
  EXPECT_TRUE(registry.insert_alias(live));
  EXPECT_FALSE(registry.insert_alias(live));
  EXPECT_TRUE(registry.insert_alias(AliasRecord{kA, "fn", "beta", "$LATEST", "", "r2"}));
  EXPECT_FALSE(registry.find_alias(kB, "fn", "live"));
  EXPECT_FALSE(registry.find_alias(kA, "other", "live"));
  live.function_version = "2";
  live.revision_id = "r3";
  EXPECT_TRUE(registry.update_alias(live));
  EXPECT_FALSE(registry.update_alias(AliasRecord{kA, "fn", "none", "1", "", "r"}));
  const auto found = registry.find_alias(kA, "fn", "live");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->function_version, "2");
  EXPECT_EQ(found->description, "the live one");
  EXPECT_EQ(found->revision_id, "r3");
  const auto all = registry.aliases(kA, "fn");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].name, "beta");  // by name
  EXPECT_TRUE(registry.remove_alias(kA, "fn", "beta"));
  EXPECT_FALSE(registry.remove_alias(kA, "fn", "beta"));
  EXPECT_EQ(registry.aliases(kA, "fn").size(), 1u);
}

TEST(RegistryVersionsTest, ProvisionedConfigsAreReplacedByQualifier) {
  TempDir dir;
  Registry registry(dir.path() / "serve.db");
  registry.put_provisioned(ProvisionedConfig{kA, "fn", "live", 2, "t1"});
  registry.put_provisioned(ProvisionedConfig{kA, "fn", "live", 3, "t2"});
  registry.put_provisioned(ProvisionedConfig{kA, "fn", "1", 1, "t3"});
  registry.put_provisioned(ProvisionedConfig{kB, "fn", "live", 5, "t4"});
  const auto mine = registry.provisioned(kA, "fn");
  ASSERT_EQ(mine.size(), 2u);
  EXPECT_EQ(mine[0].qualifier, "1");
  EXPECT_EQ(mine[1].qualifier, "live");
  EXPECT_EQ(mine[1].requested, 3);
  EXPECT_EQ(mine[1].last_modified, "t2");
  EXPECT_EQ(registry.all_provisioned().size(), 3u);
  EXPECT_TRUE(registry.remove_provisioned(kA, "fn", "1"));
  EXPECT_FALSE(registry.remove_provisioned(kA, "fn", "1"));
  EXPECT_EQ(registry.provisioned(kA, "fn").size(), 1u);
}

TEST(RegistryVersionsTest, RemovingAFunctionRemovesItsVersionsAliasesConfigsAndNumbers) {
  TempDir dir;
  Registry registry(dir.path() / "serve.db");
  ASSERT_TRUE(registry.insert(record(kA, "fn", "one")));
  ASSERT_TRUE(registry.insert(record(kB, "fn", "one")));
  registry.publish_version(record(kA, "fn", "one"));
  registry.publish_version(record(kA, "fn", "two"));
  registry.publish_version(record(kB, "fn", "one"));
  registry.insert_alias(AliasRecord{kA, "fn", "live", "2", "", "r"});
  registry.insert_alias(AliasRecord{kB, "fn", "live", "1", "", "r"});
  registry.put_provisioned(ProvisionedConfig{kA, "fn", "live", 1, "t"});
  EXPECT_TRUE(registry.remove(kA, "fn"));
  EXPECT_TRUE(registry.versions(kA, "fn").empty());
  EXPECT_TRUE(registry.aliases(kA, "fn").empty());
  EXPECT_TRUE(registry.provisioned(kA, "fn").empty());
  EXPECT_EQ(registry.versions(kB, "fn").size(), 1u);  // the other account's stay
  EXPECT_EQ(registry.aliases(kB, "fn").size(), 1u);
  ASSERT_TRUE(registry.insert(record(kA, "fn", "again")));
  EXPECT_EQ(registry.publish_version(record(kA, "fn", "again")), 1);  // a new function starts at 1
}

TEST(RegistryVersionsTest, ADatabaseOfTheFirstSchemaIsMigrated) {
  TempDir dir;
  const auto path = dir.path() / "serve.db";
  {
    Registry registry(path);
    ASSERT_TRUE(registry.insert(record(kA, "fn", "one")));
  }
  {  // back to what the first schema left: no tables of the second, user_version 1
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(db,
                           "DROP TABLE versions; DROP TABLE version_counters; DROP TABLE aliases; "
                           "DROP TABLE provisioned; PRAGMA user_version = 1;",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  Registry reopened(path);
  EXPECT_TRUE(reopened.find(kA, "fn"));
  EXPECT_EQ(reopened.publish_version(record(kA, "fn", "one")), 1);
}

}  // namespace
}  // namespace stratus::platform
