#include "cli/package/zip.hpp"

#include <gtest/gtest.h>

#include "cli/errors.hpp"
#include "emulator/common/sha256.hpp"
#include "tests/unit/cli/package/test_tree.hpp"

namespace stratus::package {
namespace {

namespace fs = std::filesystem;

using testing::read_bytes;
using testing::read_zip;
using testing::TempTree;

std::vector<ZipSource> sources_of(const TempTree& t, const std::vector<std::string>& names) {
  std::vector<ZipSource> out;
  for (const auto& n : names) {
    struct stat st {};
    ::stat(t.path(n).c_str(), &st);
    out.push_back({n, t.path(n), static_cast<std::uint64_t>(st.st_size), st.st_mode});
  }
  return out;
}

class ZipTest : public ::testing::Test {
 protected:
  void SetUp() override {
    t.write("src/b.js", "exports.b = 1;\n");
    t.write("src/a.js", std::string(5000, 'a'));
    t.write("bootstrap", "#!/bin/sh\necho hi\n", fs::perms(0700));
    t.write("empty.txt", "");
    t.write("Z.txt", "upper case sorts first\n");
    t.write("data/random.bin", testing::random_bytes(200 * 1024, 7));
    t.write("data/image.png", testing::random_bytes(1000, 8));
    t.mkdir("out");
  }
  std::vector<std::string> names = {"src/b.js", "src/a.js",        "bootstrap",     "empty.txt",
                                    "Z.txt",    "data/random.bin", "data/image.png"};
  TempTree t;
};

TEST_F(ZipTest, SameInputSameBytes) {
  auto one = write_zip(sources_of(t, names), t.path("out/one.zip"));
  auto two = write_zip(sources_of(t, names), t.path("out/two.zip"));
  EXPECT_EQ(read_bytes(t.path("out/one.zip")), read_bytes(t.path("out/two.zip")));
  EXPECT_EQ(one.sha256, two.sha256);
  EXPECT_EQ(one.sha256, sha256_file_hex(t.path("out/one.zip")));
  EXPECT_EQ(one.size, fs::file_size(t.path("out/one.zip")));
  EXPECT_EQ(one.files, names.size());
}

TEST_F(ZipTest, MtimesOwnersAndInputOrderDoNotMatter) {
  write_zip(sources_of(t, names), t.path("out/one.zip"));
  for (const auto& n : names) t.touch(n, std::chrono::hours(1));
  auto reversed = names;
  std::reverse(reversed.begin(), reversed.end());
  write_zip(sources_of(t, reversed), t.path("out/two.zip"));
  EXPECT_EQ(read_bytes(t.path("out/one.zip")), read_bytes(t.path("out/two.zip")));
}

TEST_F(ZipTest, TimeZoneDoesNotMatter) {
  const char* old = std::getenv("TZ");
  std::string saved = old ? old : "";
  ::setenv("TZ", "Asia/Kolkata", 1);
  ::tzset();
  write_zip(sources_of(t, names), t.path("out/one.zip"));
  ::setenv("TZ", "America/Los_Angeles", 1);
  ::tzset();
  write_zip(sources_of(t, names), t.path("out/two.zip"));
  if (old)
    ::setenv("TZ", saved.c_str(), 1);
  else
    ::unsetenv("TZ");
  ::tzset();
  EXPECT_EQ(read_bytes(t.path("out/one.zip")), read_bytes(t.path("out/two.zip")));
}

TEST_F(ZipTest, EntriesSortedByBytesWithNormalisedMetadata) {
  write_zip(sources_of(t, names), t.path("out/x.zip"));
  auto items = read_zip(t.path("out/x.zip"));
  std::vector<std::string> got;
  for (const auto& i : items) got.push_back(i.name);
  EXPECT_EQ(got, (std::vector<std::string>{"Z.txt", "bootstrap", "data/image.png", "data/random.bin",
                                           "empty.txt", "src/a.js", "src/b.js"}));
  for (const auto& i : items) {
    EXPECT_TRUE(i.is_file) << i.name;
    EXPECT_EQ(i.mode, i.name == "bootstrap" ? 0755u : 0644u) << i.name;
    EXPECT_EQ(i.uid, 0) << i.name;
    EXPECT_EQ(i.gid, 0) << i.name;
    EXPECT_EQ(i.content, read_bytes(t.path(i.name))) << i.name;
  }
}

TEST_F(ZipTest, TimestampIsTheZipEpoch) {
  write_zip(sources_of(t, {"Z.txt"}), t.path("out/x.zip"));
  std::string bytes = read_bytes(t.path("out/x.zip"));
  ASSERT_GT(bytes.size(), 14u);
  // Local header: DOS time at offset 10 (0x0000), date at 12 (0x0021 = 1980-01-01).
  EXPECT_EQ(bytes.substr(10, 4), std::string("\x00\x00\x21\x00", 4));
}

TEST_F(ZipTest, StoresIncompressibleAndEmptyFilesDeflatesText) {
  write_zip(sources_of(t, names), t.path("out/x.zip"));
  std::string bytes = read_bytes(t.path("out/x.zip"));
  // Compression method of each local header (offset 8 after "PK\3\4"), by name.
  std::map<std::string, int> method;
  for (std::size_t at = 0; (at = bytes.find(std::string("PK\x03\x04", 4), at)) != std::string::npos;
       at += 4) {
    int m = static_cast<unsigned char>(bytes[at + 8]);
    int name_len = static_cast<unsigned char>(bytes[at + 26]) | static_cast<unsigned char>(bytes[at + 27])
                                                                    << 8;
    method[bytes.substr(at + 30, name_len)] = m;
  }
  EXPECT_EQ(method["data/random.bin"], 0);
  EXPECT_EQ(method["data/image.png"], 0);
  EXPECT_EQ(method["empty.txt"], 0);
  EXPECT_EQ(method["src/a.js"], 8);
  EXPECT_EQ(method["src/b.js"], 8);
}

TEST_F(ZipTest, NonAsciiNamesAreFlaggedUtf8) {
  t.write("h\xc3\xa9llo.txt", "hi");
  write_zip(sources_of(t, {"h\xc3\xa9llo.txt"}), t.path("out/x.zip"));
  std::string bytes = read_bytes(t.path("out/x.zip"));
  EXPECT_EQ(static_cast<unsigned char>(bytes[7]) & 0x08, 0x08);  // general purpose flag bit 11
  EXPECT_EQ(read_zip(t.path("out/x.zip")).at(0).name, "h\xc3\xa9llo.txt");
}

TEST_F(ZipTest, InvalidUtf8NameIsRefused) {
  t.write("bad\xff.txt", "x");
  try {
    write_zip(sources_of(t, {"bad\xff.txt"}), t.path("out/x.zip"));
    FAIL();
  } catch (const UserError& e) {
    EXPECT_EQ(std::string(e.what()),
              "cannot store " + t.path("bad\xff.txt").string() +
                  " in a zip: its name is not valid UTF-8; rename it or exclude it with "
                  "'!bad\xff.txt' in package.patterns");
  }
  EXPECT_FALSE(fs::exists(t.path("out/x.zip")));
}

TEST_F(ZipTest, MissingSourceLeavesNoZipAndNoTempFile) {
  auto sources = sources_of(t, names);
  sources.push_back({"gone.js", t.path("gone.js"), 3, 0100644});
  try {
    write_zip(sources, t.path("out/x.zip"));
    FAIL();
  } catch (const UserError& e) {
    EXPECT_EQ(std::string(e.what()),
              "cannot read " + t.path("gone.js").string() +
                  ": No such file or directory; fix its permissions or exclude it with "
                  "'!gone.js' in package.patterns");
  }
  EXPECT_FALSE(fs::exists(t.path("out/x.zip")));
  EXPECT_TRUE(testing::temp_files(t.path("out")).empty());
}

TEST_F(ZipTest, UnreadableSourceLeavesNoZip) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads any file";
  t.write("secret.txt", "x", fs::perms::none);
  try {
    write_zip(sources_of(t, {"Z.txt", "secret.txt"}), t.path("out/x.zip"));
    FAIL();
  } catch (const UserError& e) {
    EXPECT_EQ(std::string(e.what()), "cannot read " + t.path("secret.txt").string() +
                                         ": Permission denied; fix its permissions or exclude it with "
                                         "'!secret.txt' in package.patterns");
  }
  EXPECT_FALSE(fs::exists(t.path("out/x.zip")));
  EXPECT_TRUE(testing::temp_files(t.path("out")).empty());
}

TEST_F(ZipTest, FileChangedMidwayKeepsThePreviousZip) {
  // Files over 1 MiB are read when their turn comes (smaller ones may already be read ahead).
  t.write("zz/big.bin", std::string(2 << 20, 'b'));
  names.push_back("zz/big.bin");
  write_zip(sources_of(t, names), t.path("out/x.zip"));
  std::string before = read_bytes(t.path("out/x.zip"));
  ZipOptions options;
  // After the first entry ("Z.txt"), the big file shrinks.
  options.on_progress = [&](std::size_t done) {
    if (done == 1) t.write("zz/big.bin", "short");
  };
  try {
    write_zip(sources_of(t, names), t.path("out/x.zip"), options);
    FAIL();
  } catch (const UserError& e) {
    EXPECT_EQ(std::string(e.what()),
              t.path("zz/big.bin").string() + " changed while it was being packaged; run the command again");
  }
  EXPECT_EQ(read_bytes(t.path("out/x.zip")), before);
  EXPECT_TRUE(testing::temp_files(t.path("out")).empty());
}

TEST_F(ZipTest, SmallFileWithAnotherSizeIsChanged) {
  auto sources = sources_of(t, names);
  for (auto& s : sources)
    if (s.name == "src/b.js") s.size += 1;  // listed larger than it is
  try {
    write_zip(sources, t.path("out/x.zip"));
    FAIL();
  } catch (const UserError& e) {
    EXPECT_EQ(std::string(e.what()),
              t.path("src/b.js").string() + " changed while it was being packaged; run the command again");
  }
  EXPECT_FALSE(fs::exists(t.path("out/x.zip")));
}

TEST_F(ZipTest, CancelStopsAndCleansUp) {
  std::atomic<bool> cancel{true};
  ZipOptions options;
  options.cancel = &cancel;
  EXPECT_THROW(write_zip(sources_of(t, names), t.path("out/x.zip"), options), ZipCancelled);
  EXPECT_FALSE(fs::exists(t.path("out/x.zip")));
  EXPECT_TRUE(testing::temp_files(t.path("out")).empty());
}

TEST_F(ZipTest, UnwritableFolderIsAUserError) {
  try {
    write_zip(sources_of(t, names), t.path("missing/x.zip"));
    FAIL();
  } catch (const UserError& e) {
    EXPECT_EQ(std::string(e.what()),
              "cannot write " + t.path("missing/x.zip").string() +
                  ": No such file or directory; check that the folder exists and is writable");
  }
}

TEST_F(ZipTest, DuplicateAndUnsafeNamesAreRefused) {
  auto twice = sources_of(t, {"Z.txt", "Z.txt"});
  EXPECT_THROW(write_zip(twice, t.path("out/x.zip")), UserError);
  auto up = sources_of(t, {"Z.txt"});
  up[0].name = "../Z.txt";
  try {
    write_zip(up, t.path("out/x.zip"));
    FAIL();
  } catch (const UserError& e) {
    EXPECT_EQ(std::string(e.what()), "cannot store '../Z.txt' in a zip: not a relative path");
  }
}

TEST_F(ZipTest, LargeFileAcrossBuffers) {
  std::string big = testing::random_bytes(1 << 20, 3) + std::string(3 << 20, 'x');
  t.write("big.bin", big);
  write_zip(sources_of(t, {"big.bin"}), t.path("out/x.zip"));
  auto items = read_zip(t.path("out/x.zip"));
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].content, big);
}

TEST_F(ZipTest, ReportsProgressPerFile) {
  std::vector<std::size_t> seen;
  ZipOptions options;
  options.on_progress = [&](std::size_t done) { seen.push_back(done); };
  write_zip(sources_of(t, {"Z.txt", "src/b.js"}), t.path("out/x.zip"), options);
  EXPECT_EQ(seen, (std::vector<std::size_t>{1, 2}));
}

}  // namespace
}  // namespace stratus::package
