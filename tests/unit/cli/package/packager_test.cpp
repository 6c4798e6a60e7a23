#include "cli/package/packager.hpp"

#include <gtest/gtest.h>

#include "cli/errors.hpp"
#include "cli/package/state.hpp"
#include "emulator/common/sha256.hpp"
#include "tests/unit/cli/package/test_tree.hpp"

namespace stratus::package {
namespace {

namespace fs = std::filesystem;

using testing::read_bytes;
using testing::TempTree;
using testing::zip_names;

// Records what the packager reports.
class RecordingSink : public ui::ProgressSink {
 public:
  void begin(std::string_view task, std::size_t total) override {
    events.push_back("begin " + std::string(task) + " " + std::to_string(total));
  }
  void advance(std::string_view task, std::size_t done) override { last_done[std::string(task)] = done; }
  void end(std::string_view, std::string_view summary) override {
    events.push_back("end " + std::string(summary));
  }
  std::vector<std::string> events;
  std::map<std::string, std::size_t> last_done;
};

class PackagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    t.write("serverless.yml", "service: api\n");
    t.write("handler.js", "exports.hello = async () => ({statusCode: 200});\n");
    t.write("lib/util.js", "module.exports = {};\n");
    t.write("bootstrap", "#!/bin/sh\n", fs::perms(0755));
    t.write(".git/HEAD", "ref: refs/heads/main\n");
    t.write(".env", "SECRET=1\n");
    svc.name = "api";
    svc.dir = t.root();
    svc.config_file = t.path("serverless.yml");
    svc.functions = {fn("hello"), fn("world")};
  }
  static manifest::Function fn(const std::string& key) {
    manifest::Function f;
    f.key = key;
    f.handler = "handler." + key;
    return f;
  }
  PackageResult run(ui::ProgressSink* sink = nullptr) { return package_service(svc, out(), sink); }
  fs::path out() const { return t.path(".serverless"); }
  std::string error_of() {
    try {
      run();
    } catch (const UserError& e) {
      return e.what();
    }
    return "";
  }

  TempTree t;
  manifest::Service svc;
};

TEST_F(PackagerTest, ServiceZipWithDefaultExcludes) {
  RecordingSink sink;
  auto r = run(&sink);
  ASSERT_EQ(r.artifacts.size(), 1u);
  const auto& a = r.artifacts[0];
  EXPECT_EQ(a.path, out() / "api.zip");
  EXPECT_EQ(a.functions, (std::vector<std::string>{"hello", "world"}));
  EXPECT_EQ(zip_names(a.path), (std::vector<std::string>{".env", "bootstrap", "handler.js", "lib/util.js"}));
  EXPECT_EQ(a.files, 4u);
  EXPECT_EQ(a.size, fs::file_size(a.path));
  EXPECT_EQ(a.sha256, sha256_file_hex(a.path));
  EXPECT_FALSE(a.reused);
  EXPECT_EQ(sink.events, (std::vector<std::string>{"begin api.zip 4", "end packaged api.zip: 4 files, " +
                                                                          ui::format_size(a.size)}));
  EXPECT_EQ(sink.last_done["api.zip"], 4u);
  EXPECT_TRUE(fs::exists(out() / kStateFileName));
}

TEST_F(PackagerTest, DotenvExcludedWithUseDotenv) {
  svc.use_dotenv = true;
  auto r = run();
  EXPECT_EQ(zip_names(r.artifacts[0].path),
            (std::vector<std::string>{"bootstrap", "handler.js", "lib/util.js"}));
}

TEST_F(PackagerTest, UnchangedInputsReuseTheZip) {
  auto first = run();
  auto bytes = read_bytes(first.artifacts[0].path);
  RecordingSink sink;
  auto second = run(&sink);
  EXPECT_TRUE(second.artifacts[0].reused);
  EXPECT_EQ(second.artifacts[0].sha256, first.artifacts[0].sha256);
  EXPECT_EQ(second.artifacts[0].files, 4u);
  EXPECT_EQ(sink.events, (std::vector<std::string>{"end api.zip is up to date: 4 files, " +
                                                   ui::format_size(first.artifacts[0].size)}));
  EXPECT_EQ(read_bytes(second.artifacts[0].path), bytes);
}

TEST_F(PackagerTest, ChangesInvalidateTheZip) {
  auto first = run();
  t.write("handler.js", "exports.hello = async () => ({statusCode: 201});\n");  // same size, other mtime
  t.touch("handler.js", std::chrono::hours(2));
  auto changed = run();
  EXPECT_FALSE(changed.artifacts[0].reused);
  EXPECT_NE(changed.artifacts[0].sha256, first.artifacts[0].sha256);

  t.write("new.js", "1");
  auto added = run();
  EXPECT_FALSE(added.artifacts[0].reused);
  EXPECT_EQ(added.artifacts[0].files, 5u);

  svc.package.patterns = {"!new.js"};
  auto patterned = run();
  EXPECT_FALSE(patterned.artifacts[0].reused);
  EXPECT_EQ(patterned.artifacts[0].files, 4u);
  EXPECT_TRUE(run().artifacts[0].reused);

  PackageOptions full;
  full.incremental = false;
  EXPECT_FALSE(package_service(svc, out(), nullptr, full).artifacts[0].reused);
}

TEST_F(PackagerTest, TouchedFilesRebuildToTheSameBytes) {
  auto first = run();
  auto bytes = read_bytes(first.artifacts[0].path);
  for (const char* f : {"handler.js", "lib/util.js", "bootstrap", ".env"}) t.touch(f, std::chrono::hours(5));
  auto second = run();
  EXPECT_FALSE(second.artifacts[0].reused);
  EXPECT_EQ(read_bytes(second.artifacts[0].path), bytes);
}

TEST_F(PackagerTest, TamperedZipIsRebuilt) {
  auto first = run();
  std::ofstream(first.artifacts[0].path, std::ios::app) << "junk";
  auto second = run();
  EXPECT_FALSE(second.artifacts[0].reused);
  EXPECT_EQ(second.artifacts[0].sha256, first.artifacts[0].sha256);
  fs::remove(first.artifacts[0].path);
  EXPECT_FALSE(run().artifacts[0].reused);
}

TEST_F(PackagerTest, FilesAsNewAsTheStateAreNotTrusted) {
  // A file whose mtime is not older than the state file may have changed again within the same
  // timestamp tick after it was read: it is zipped again (git's "racy clean" rule).
  fs::last_write_time(t.path("handler.js"), fs::file_time_type::clock::now() + std::chrono::hours(1));
  run();
  EXPECT_FALSE(run().artifacts[0].reused);
  t.touch("handler.js", std::chrono::hours(1));
  run();
  EXPECT_TRUE(run().artifacts[0].reused);
}

TEST_F(PackagerTest, JustWrittenFilesAreReusedOnceTheStateIsNewer) {
  // `stratus init` then `package` twice: the files are older than the state the first run wrote.
  t.write("handler.js", "exports.hello = 1;\n");
  fs::last_write_time(t.path("handler.js"), fs::file_time_type::clock::now() - std::chrono::seconds(1));
  run();
  EXPECT_TRUE(run().artifacts[0].reused);
}

TEST_F(PackagerTest, IndividuallyOneZipPerFunction) {
  svc.package.individually = true;
  svc.functions[0].package.patterns = {"!lib/**"};
  svc.functions[1].package.patterns = {"!**", "lib/**"};
  auto r = run();
  ASSERT_EQ(r.artifacts.size(), 2u);
  EXPECT_EQ(r.artifacts[0].path, out() / "hello.zip");
  EXPECT_EQ(r.artifacts[0].functions, (std::vector<std::string>{"hello"}));
  EXPECT_EQ(zip_names(r.artifacts[0].path), (std::vector<std::string>{".env", "bootstrap", "handler.js"}));
  EXPECT_EQ(r.artifacts[1].path, out() / "world.zip");
  EXPECT_EQ(zip_names(r.artifacts[1].path), (std::vector<std::string>{"lib/util.js"}));
  EXPECT_FALSE(fs::exists(out() / "api.zip"));
}

TEST_F(PackagerTest, SwitchingToIndividuallyRemovesTheOldServiceZip) {
  run();
  ASSERT_TRUE(fs::exists(out() / "api.zip"));
  t.write(".serverless/other.zip", "not ours");
  svc.package.individually = true;
  run();
  EXPECT_FALSE(fs::exists(out() / "api.zip"));
  EXPECT_TRUE(fs::exists(out() / "other.zip"));
  EXPECT_TRUE(fs::exists(out() / "hello.zip"));
}

TEST_F(PackagerTest, GivenArtifactPassesThrough) {
  t.write("build/app.zip", "PK-not-really");
  svc.package.artifact = "build/app.zip";
  svc.functions.push_back(fn("image"));
  svc.functions.back().image = "repo/image:1";
  RecordingSink sink;
  auto r = run(&sink);
  ASSERT_EQ(r.artifacts.size(), 1u);
  EXPECT_TRUE(r.artifacts[0].given);
  EXPECT_EQ(r.artifacts[0].path, t.path("build/app.zip"));
  EXPECT_EQ(r.artifacts[0].functions, (std::vector<std::string>{"hello", "world"}));
  EXPECT_EQ(r.artifacts[0].sha256, sha256_hex("PK-not-really"));
  EXPECT_EQ(r.artifacts[0].size, 13u);
  EXPECT_EQ(sink.events, (std::vector<std::string>{"end using package.artifact build/app.zip"}));
  EXPECT_FALSE(fs::exists(out()));
}

TEST_F(PackagerTest, MissingGivenArtifactFailsBeforeZipping) {
  svc.functions[1].package.artifact = "build/world.zip";
  svc.functions[0].package.individually = true;
  EXPECT_EQ(error_of(), "functions.world.package.artifact 'build/world.zip' does not exist (looked for " +
                            t.path("build/world.zip").string() + "); build it first or fix the path");
  EXPECT_FALSE(fs::exists(out() / "hello.zip"));
}

TEST_F(PackagerTest, NothingLeftIsAnError) {
  svc.package.patterns = {"!**"};
  EXPECT_EQ(error_of(),
            "no files to package for the service (api.zip): the package patterns exclude every file; check "
            "package.patterns in serverless.yml");
  svc.package.patterns = {};
  svc.package.individually = true;
  svc.functions[1].package.patterns = {"!**"};
  EXPECT_EQ(
      error_of(),
      "no files to package for function 'world' (world.zip): the package patterns exclude every file; check "
      "package.patterns in serverless.yml");
}

TEST_F(PackagerTest, SymlinkOutOfTheServiceIsRefusedUnlessExcluded) {
  TempTree outside;
  outside.write("credentials", "secret");
  t.symlink(outside.path("credentials").string(), "creds");
  std::string target = fs::canonical(outside.path("credentials")).string();
  EXPECT_EQ(error_of(),
            "creds is a symlink to " + target +
                ", outside the service folder; stratus packages only files inside it: exclude it with "
                "'!creds' or replace the link with a copy");
  svc.package.patterns = {"!creds"};
  EXPECT_EQ(zip_names(run().artifacts[0].path),
            (std::vector<std::string>{".env", "bootstrap", "handler.js", "lib/util.js"}));
}

TEST_F(PackagerTest, ExcludedFoldersAreNotWalked) {
  // A folder the walk cannot enter is harmless when every zip excludes it.
  t.symlink("..", "node_modules/loop");
  svc.package.patterns = {"!node_modules/**"};
  EXPECT_EQ(run().artifacts[0].files, 4u);
}

TEST_F(PackagerTest, DevDependenciesLeftOut) {
  t.write("package.json", R"({"dependencies": {"a": "1"}, "devDependencies": {"jest": "1"}})");
  t.write("node_modules/a/package.json", R"({"name": "a"})");
  t.write("node_modules/a/index.js", "1");
  t.write("node_modules/jest/package.json", R"({"name": "jest", "bin": "cli.js"})");
  t.write("node_modules/jest/cli.js", "1");
  t.symlink("../jest/cli.js", "node_modules/.bin/jest");
  auto names = zip_names(run().artifacts[0].path);
  EXPECT_EQ(names, (std::vector<std::string>{".env", "bootstrap", "handler.js", "lib/util.js",
                                             "node_modules/a/index.js", "node_modules/a/package.json",
                                             "package.json"}));
  svc.package.exclude_dev_dependencies = false;
  EXPECT_EQ(run().artifacts[0].files, 10u);
}

TEST_F(PackagerTest, OutputFolderInsideTheServiceIsExcluded) {
  fs::path dist = t.path("dist");
  auto r = package_service(svc, dist);
  EXPECT_EQ(zip_names(r.artifacts[0].path),
            (std::vector<std::string>{".env", "bootstrap", "handler.js", "lib/util.js"}));
  auto again = package_service(svc, dist);
  EXPECT_TRUE(again.artifacts[0].reused);
}

TEST_F(PackagerTest, ParallelZipsMatchSerialOnes) {
  svc.package.individually = true;
  for (int i = 0; i < 6; ++i) svc.functions.push_back(fn("f" + std::to_string(i)));
  PackageOptions serial;
  serial.jobs = 1;
  serial.incremental = false;
  TempTree out1, out2;
  auto one = package_service(svc, out1.root(), nullptr, serial);
  PackageOptions parallel = serial;
  parallel.jobs = 4;
  auto four = package_service(svc, out2.root(), nullptr, parallel);
  ASSERT_EQ(one.artifacts.size(), 8u);
  for (std::size_t i = 0; i < one.artifacts.size(); ++i)
    EXPECT_EQ(one.artifacts[i].sha256, four.artifacts[i].sha256);
}

TEST_F(PackagerTest, UnreadableFileFailsWithoutPartialZip) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads any file";
  t.write("secret.txt", "x", fs::perms::none);
  EXPECT_EQ(error_of(), "cannot read " + t.path("secret.txt").string() +
                            ": Permission denied; fix its permissions or exclude it with '!secret.txt' in "
                            "package.patterns");
  EXPECT_FALSE(fs::exists(out() / "api.zip"));
  EXPECT_TRUE(testing::temp_files(out()).empty());
}

}  // namespace
}  // namespace stratus::package
