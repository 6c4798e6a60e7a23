#include "emulator/platform/unzip.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <zlib.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tests/support/temp_dir.hpp"

namespace stratus::platform {
namespace {

namespace fs = std::filesystem;
using test_support::TempDir;

// Builds zips byte by byte, so a test can write what no honest zip tool would: names with "..",
// absolute paths, devices, duplicate names, sizes in the headers that lie.
class ZipBuilder {
 public:
  // A regular file (unix mode 0100000 | perm) holding `data`, deflated unless `stored`.
  ZipBuilder& file(const std::string& name, const std::string& data, unsigned perm = 0644,
                   bool stored = false) {
    Entry e{name,        0100000u | perm, static_cast<std::uint16_t>(stored ? 0 : 8), {}, crc32_of(data),
            data.size(), std::nullopt};
    e.compressed = stored ? data : deflate_bytes(data);
    m_entries.push_back(std::move(e));
    return *this;
  }
  // A file of `size` zero bytes. Deflating 300 MB takes seconds, so one MiB is deflated after a
  // full flush (which empties the window) and that output repeated: each repeat decodes alike.
  // `declared_size` overrides the uncompressed size the headers state.
  ZipBuilder& zeros(const std::string& name, std::uint64_t size,
                    std::optional<std::uint64_t> declared_size = {}) {
    constexpr std::size_t kChunk = 1 << 20;
    const std::string chunk(kChunk, '\0');
    const std::string block = raw_deflate(chunk, Z_FULL_FLUSH);
    Entry e{name, 0100644u, 8, {}, static_cast<std::uint32_t>(crc32(0, nullptr, 0)), size, declared_size};
    uLong crc = crc32(0, nullptr, 0);
    for (std::uint64_t i = 0; i < size / kChunk; ++i) {
      e.compressed += block;
      crc = crc32(crc, reinterpret_cast<const Bytef*>(chunk.data()), kChunk);
    }
    const std::string rest(size % kChunk, '\0');
    crc = crc32(crc, reinterpret_cast<const Bytef*>(rest.data()), static_cast<uInt>(rest.size()));
    e.compressed += raw_deflate(rest, Z_FINISH);
    e.crc = static_cast<std::uint32_t>(crc);
    m_entries.push_back(std::move(e));
    return *this;
  }
  ZipBuilder& folder(const std::string& name) {
    m_entries.push_back(Entry{name, 040755u, 0, {}, 0, 0, std::nullopt});
    return *this;
  }
  ZipBuilder& symlink(const std::string& name, const std::string& target) {
    m_entries.push_back(Entry{name, 0120777u, 0, target, crc32_of(target), target.size(), std::nullopt});
    return *this;
  }
  // Any unix mode, for devices and fifos.
  ZipBuilder& special(const std::string& name, unsigned mode) {
    m_entries.push_back(Entry{name, mode, 0, {}, 0, 0, std::nullopt});
    return *this;
  }

  std::string build() const {
    std::string out, central;
    for (const auto& e : m_entries) {
      const auto offset = static_cast<std::uint32_t>(out.size());
      const auto usize = static_cast<std::uint32_t>(e.declared_size.value_or(e.size));
      const auto csize = static_cast<std::uint32_t>(e.compressed.size());
      put32(out, 0x04034b50);
      put16(out, 20);
      put16(out, 0x0800);  // UTF-8 names
      put16(out, e.method);
      put16(out, 0);
      put16(out, 0x5821);  // 2024-01-01
      put32(out, e.crc);
      put32(out, csize);
      put32(out, usize);
      put16(out, static_cast<std::uint16_t>(e.name.size()));
      put16(out, 0);
      out += e.name;
      out += e.compressed;

      put32(central, 0x02014b50);
      put16(central, (3 << 8) | 20);  // made by unix: the high half of the attributes is st_mode
      put16(central, 20);
      put16(central, 0x0800);
      put16(central, e.method);
      put16(central, 0);
      put16(central, 0x5821);
      put32(central, e.crc);
      put32(central, csize);
      put32(central, usize);
      put16(central, static_cast<std::uint16_t>(e.name.size()));
      put16(central, 0);
      put16(central, 0);
      put16(central, 0);
      put16(central, 0);
      put32(central, e.mode << 16);
      put32(central, offset);
      central += e.name;
    }
    const auto central_offset = static_cast<std::uint32_t>(out.size());
    out += central;
    put32(out, 0x06054b50);
    put16(out, 0);
    put16(out, 0);
    put16(out, static_cast<std::uint16_t>(m_entries.size()));
    put16(out, static_cast<std::uint16_t>(m_entries.size()));
    put32(out, static_cast<std::uint32_t>(central.size()));
    put32(out, central_offset);
    put16(out, 0);
    return out;
  }

 private:
  struct Entry {
    std::string name;
    std::uint32_t mode;
    std::uint16_t method;
    std::string compressed;
    std::uint32_t crc;
    std::uint64_t size;
    std::optional<std::uint64_t> declared_size;
  };

  static std::uint32_t crc32_of(const std::string& data) {
    return static_cast<std::uint32_t>(crc32(crc32(0, nullptr, 0), reinterpret_cast<const Bytef*>(data.data()),
                                            static_cast<uInt>(data.size())));
  }
  static std::string deflate_bytes(const std::string& data) { return raw_deflate(data, Z_FINISH); }
  // Raw deflate (no zlib header, as zip stores it) of `data` in a fresh stream, ended by `flush`.
  static std::string raw_deflate(const std::string& data, int flush) {
    z_stream z{};
    deflateInit2(&z, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY);
    std::string out(deflateBound(&z, data.size()) + 16, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z.avail_in = static_cast<uInt>(data.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    deflate(&z, flush);
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
  }
  static void put16(std::string& out, unsigned v) {
    out += static_cast<char>(v & 0xff);
    out += static_cast<char>((v >> 8) & 0xff);
  }
  static void put32(std::string& out, std::uint32_t v) {
    put16(out, v & 0xffff);
    put16(out, v >> 16);
  }

  std::vector<Entry> m_entries;
};

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

unsigned perm_of(const fs::path& p) {
  struct stat st {};
  if (::lstat(p.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

std::set<std::string> children(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.insert(e.path().filename().string());
  return names;
}

// A test folder holding the destination "code"; sentinel names an escaping entry could reach.
class Unzip : public ::testing::Test {
 protected:
  fs::path dest() const { return m_dir.path() / "code"; }

  // A failure leaves the test folder as it was: no destination (or the old one), no temp folder,
  // and nothing where the escaping names in these tests would have landed.
  void expect_nothing_left(const std::set<std::string>& before = {}) const {
    EXPECT_EQ(children(m_dir.path()), before);
    for (const fs::path& p :
         {m_dir.path().parent_path() / "stratus_unzip_evil", fs::path("/stratus_unzip_evil"),
          m_dir.path() / "stratus_unzip_evil", fs::path("/etc/stratus_unzip_evil")})
      EXPECT_FALSE(fs::exists(fs::symlink_status(p))) << p;
  }

  UnzipError expect_rejected(const std::string& zip, UnzipProblem problem, const UnzipLimits& limits = {}) {
    UnzipResult result = unpack_zip(zip, dest(), limits);
    EXPECT_FALSE(result.ok());
    EXPECT_TRUE(result.files.empty());
    if (!result.error) return UnzipError{UnzipProblem::Io, "", "(no error)"};
    EXPECT_EQ(static_cast<int>(result.error->problem), static_cast<int>(problem)) << result.error->message;
    return *result.error;
  }

  TempDir m_dir;
};

TEST_F(Unzip, UnpacksNestedFoldersAnExecutableAndAnInsideSymlink) {
  const std::string zip = ZipBuilder()
                              .file("index.py", "def handler(e, c): return 1\n")
                              .folder("lib/")
                              .file("lib/pkg/deep/mod.py", "X = 1\n", 0600)
                              .file("bin/tool", "#!/bin/sh\necho hi\n", 0700)
                              .file("./data//table.csv", "a,b\n", 0444, true)
                              .symlink("node_modules/.bin/tool", "../../bin/tool")
                              .symlink("current", "lib/pkg")
                              .symlink("dangling", "not-there-yet")
                              .build();
  UnzipResult result = unpack_zip(zip, dest());
  ASSERT_TRUE(result.ok()) << result.error->message;
  EXPECT_EQ(result.files,
            (std::vector<std::string>{"bin/tool", "current", "dangling", "data/table.csv", "index.py",
                                      "lib/pkg/deep/mod.py", "node_modules/.bin/tool"}));
  EXPECT_EQ(read(dest() / "index.py"), "def handler(e, c): return 1\n");
  EXPECT_EQ(read(dest() / "lib/pkg/deep/mod.py"), "X = 1\n");
  EXPECT_EQ(read(dest() / "data/table.csv"), "a,b\n");
  EXPECT_EQ(read(dest() / "node_modules/.bin/tool"), "#!/bin/sh\necho hi\n");  // through the link
  EXPECT_EQ(fs::read_symlink(dest() / "current"), "lib/pkg");
  EXPECT_EQ(result.unpacked_bytes, 28u + 6u + 18u + 4u + 14u + 7u + 13u);  // files, then link targets

  EXPECT_EQ(perm_of(dest()), 0755u);
  EXPECT_EQ(perm_of(dest() / "lib/pkg/deep"), 0755u);
  EXPECT_EQ(perm_of(dest() / "index.py"), 0644u);
  EXPECT_EQ(perm_of(dest() / "lib/pkg/deep/mod.py"), 0644u);  // 0600 in the zip
  EXPECT_EQ(perm_of(dest() / "data/table.csv"), 0644u);       // 0444 in the zip
  EXPECT_EQ(perm_of(dest() / "bin/tool"), 0755u);             // 0700 in the zip
  EXPECT_EQ(children(m_dir.path()), std::set<std::string>{"code"});
}

TEST_F(Unzip, EmptyZipGivesAnEmptyFolder) {
  UnzipResult result = unpack_zip(ZipBuilder().build(), dest());
  ASSERT_TRUE(result.ok()) << result.error->message;
  EXPECT_TRUE(result.files.empty());
  EXPECT_TRUE(fs::is_directory(dest()));
  EXPECT_TRUE(fs::is_empty(dest()));
}

TEST_F(Unzip, FromAFile) {
  const fs::path zip = m_dir.path() / "upload.zip";
  std::ofstream(zip, std::ios::binary) << ZipBuilder().file("a.txt", "A").build();
  UnzipResult result = unpack_zip_file(zip, dest());
  ASSERT_TRUE(result.ok()) << result.error->message;
  EXPECT_EQ(read(dest() / "a.txt"), "A");

  UnzipResult missing = unpack_zip_file(m_dir.path() / "nope.zip", m_dir.path() / "other");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error->problem, UnzipProblem::Io);
  EXPECT_EQ(missing.error->http_status(), 500);
  EXPECT_EQ(children(m_dir.path()), (std::set<std::string>{"code", "upload.zip"}));
}

TEST_F(Unzip, RejectsDotDot) {
  const auto e = expect_rejected(ZipBuilder().file("ok.txt", "x").file("../stratus_unzip_evil", "x").build(),
                                 UnzipProblem::Escapes);
  EXPECT_EQ(e.message, "zip entry '../stratus_unzip_evil' escapes the folder: its path contains '..'");
  EXPECT_EQ(e.entry, "../stratus_unzip_evil");
  EXPECT_EQ(e.http_status(), 400);
  EXPECT_STREQ(e.aws_error_code(), "InvalidParameterValueException");
  expect_nothing_left();
}

TEST_F(Unzip, RejectsDotDotInsideAPath) {
  const auto e =
      expect_rejected(ZipBuilder().file("a/../../stratus_unzip_evil", "x").build(), UnzipProblem::Escapes);
  EXPECT_EQ(e.message, "zip entry 'a/../../stratus_unzip_evil' escapes the folder: its path contains '..'");
  expect_nothing_left();
}

TEST_F(Unzip, RejectsAbsolutePath) {
  const auto e =
      expect_rejected(ZipBuilder().file("/stratus_unzip_evil", "x").build(), UnzipProblem::Escapes);
  EXPECT_EQ(e.message, "zip entry '/stratus_unzip_evil' escapes the folder: its path is absolute");
  expect_nothing_left();
}

TEST_F(Unzip, RejectsDriveLettersAndBackslashes) {
  auto e = expect_rejected(ZipBuilder().file("C:/stratus_unzip_evil", "x").build(), UnzipProblem::Escapes);
  EXPECT_EQ(e.message,
            "zip entry 'C:/stratus_unzip_evil' escapes the folder: its path starts with a drive letter");
  // Backslashes are separators (Windows tools write them), so the ".." is what is refused.
  e = expect_rejected(ZipBuilder().file("a\\..\\..\\stratus_unzip_evil", "x").build(), UnzipProblem::Escapes);
  EXPECT_EQ(e.message, "zip entry 'a/../../stratus_unzip_evil' escapes the folder: its path contains '..'");
  e = expect_rejected(ZipBuilder().file("\\stratus_unzip_evil", "x").build(), UnzipProblem::Escapes);
  EXPECT_EQ(e.message, "zip entry '/stratus_unzip_evil' escapes the folder: its path is absolute");
  expect_nothing_left();
}

TEST_F(Unzip, RejectsOverlongNames) {
  auto e = expect_rejected(ZipBuilder().file(std::string(256, 'n'), "x").build(), UnzipProblem::InvalidName);
  EXPECT_EQ(e.message,
            "zip entry '" + std::string(256, 'n') + "' has a path component longer than 255 bytes");
  std::string deep;
  for (int i = 0; i < 1100; ++i) deep += "d/";
  e = expect_rejected(ZipBuilder().file(deep + "x", "x").build(), UnzipProblem::InvalidName);
  EXPECT_EQ(e.message, "zip entry '" + deep.substr(0, 64) + "...' has a path longer than 2048 bytes");
  expect_nothing_left();
}

TEST_F(Unzip, RejectsASymlinkToAnAbsolutePathBeforeAnythingIsWrittenThroughIt) {
  const auto e = expect_rejected(
      ZipBuilder().symlink("etc", "/etc").file("etc/stratus_unzip_evil", "x").build(), UnzipProblem::Escapes);
  EXPECT_EQ(e.message, "zip entry 'etc' escapes the folder: it is a symlink to the absolute path '/etc'");
  expect_nothing_left();
}

TEST_F(Unzip, RejectsAFileWrittenThroughASymlinkCreatedEarlier) {
  // `out -> ..` is caught at the entry that tries to use it, before its own check at the end.
  const auto e = expect_rejected(
      ZipBuilder().symlink("out", "..").file("out/stratus_unzip_evil", "x").build(), UnzipProblem::Escapes);
  EXPECT_EQ(
      e.message,
      "zip entry 'out/stratus_unzip_evil' escapes the folder: it would be written through the symlink 'out'");
  expect_nothing_left();
}

TEST_F(Unzip, RejectsWritesThroughASymlinkEvenWhenItPointsInside) {
  const auto e =
      expect_rejected(ZipBuilder().folder("sub/").symlink("alias", "sub").file("alias/x", "x").build(),
                      UnzipProblem::Escapes);
  EXPECT_EQ(e.message,
            "zip entry 'alias/x' escapes the folder: it would be written through the symlink 'alias'");
  expect_nothing_left();
}

TEST_F(Unzip, RejectsASymlinkToTheParent) {
  const auto e =
      expect_rejected(ZipBuilder().file("a.txt", "x").symlink("link", "..").build(), UnzipProblem::Escapes);
  EXPECT_EQ(e.message,
            "zip entry 'link' escapes the folder: it is a symlink to '..', which leads outside it");
  expect_nothing_left();
}

TEST_F(Unzip, RejectsASymlinkThatEscapesThroughAnotherSymlinkInEitherOrder) {
  // d/x -> .. is the folder itself (fine); y -> d/x/.. is then the folder's parent.
  auto e = expect_rejected(ZipBuilder().symlink("d/x", "..").symlink("y", "d/x/..").build(),
                           UnzipProblem::Escapes);
  EXPECT_EQ(e.message,
            "zip entry 'y' escapes the folder: it is a symlink to 'd/x/..', which leads outside it");
  expect_nothing_left();
  e = expect_rejected(ZipBuilder().symlink("y", "d/x/..").symlink("d/x", "..").build(),
                      UnzipProblem::Escapes);
  EXPECT_EQ(e.entry, "y");
  expect_nothing_left();

  UnzipResult inside = unpack_zip(ZipBuilder().symlink("d/x", "..").symlink("y", "d/x/d").build(), dest());
  EXPECT_TRUE(inside.ok()) << inside.error->message;
}

TEST_F(Unzip, RejectsASymlinkLoop) {
  const auto e =
      expect_rejected(ZipBuilder().symlink("a", "b").symlink("b", "a").build(), UnzipProblem::InvalidName);
  EXPECT_EQ(e.message, "zip entry 'a' is a symlink that never resolves (a loop of links)");
  expect_nothing_left();
}

TEST_F(Unzip, RejectsDuplicates) {
  auto e =
      expect_rejected(ZipBuilder().file("a.txt", "1").file("a.txt", "2").build(), UnzipProblem::Duplicate);
  EXPECT_EQ(e.message, "zip entry 'a.txt' appears twice in the archive");
  e = expect_rejected(ZipBuilder().file("a", "1").file("a/b", "2").build(), UnzipProblem::Duplicate);
  EXPECT_EQ(e.message, "zip entry 'a/b' needs a folder 'a', but an earlier entry is a file of that name");
  e = expect_rejected(ZipBuilder().file("a/b", "1").file("a", "2").build(), UnzipProblem::Duplicate);
  EXPECT_EQ(e.message, "zip entry 'a' is a file, but earlier entries are inside a folder of that name");
  e = expect_rejected(ZipBuilder().folder("d/").folder("d/").build(), UnzipProblem::Duplicate);
  EXPECT_EQ(e.message, "zip entry 'd/' appears twice in the archive");
  e = expect_rejected(ZipBuilder().file("./x", "1").symlink("x", "y").build(), UnzipProblem::Duplicate);
  EXPECT_EQ(e.message, "zip entry 'x' appears twice in the archive");
  expect_nothing_left();
}

TEST_F(Unzip, RejectsDevicesAndSockets) {
  auto e = expect_rejected(ZipBuilder().file("ok", "x").special("dev", 0020644).build(),
                           UnzipProblem::Unsupported);
  EXPECT_EQ(e.message, "zip entry 'dev' is a character device; only files, folders and symlinks are allowed");
  e = expect_rejected(ZipBuilder().special("disk", 0060644).build(), UnzipProblem::Unsupported);
  EXPECT_EQ(e.message, "zip entry 'disk' is a block device; only files, folders and symlinks are allowed");
  e = expect_rejected(ZipBuilder().special("sock", 0140644).build(), UnzipProblem::Unsupported);
  EXPECT_EQ(e.message, "zip entry 'sock' is a socket; only files, folders and symlinks are allowed");
  expect_nothing_left();
}

TEST_F(Unzip, AFifoEntryBecomesAnEmptyFile) {
  // libarchive's zip reader hands a fifo over as a regular file: no fifo is ever made.
  UnzipResult result = unpack_zip(ZipBuilder().special("pipe", 0010644).build(), dest());
  ASSERT_TRUE(result.ok()) << result.error->message;
  EXPECT_TRUE(fs::is_regular_file(fs::symlink_status(dest() / "pipe")));
  EXPECT_EQ(fs::file_size(dest() / "pipe"), 0u);
}

TEST_F(Unzip, RejectsTooManyEntries) {
  UnzipLimits limits;
  limits.max_entries = 3;
  ZipBuilder zip;
  for (int i = 0; i < 4; ++i) zip.file("f" + std::to_string(i), "x");
  auto e = expect_rejected(zip.build(), UnzipProblem::TooManyEntries, limits);
  EXPECT_EQ(e.message, "zip has more than 3 entries");
  expect_nothing_left();
  // One entry, but four paths to make.
  e = expect_rejected(ZipBuilder().file("a/b/c/d", "x").build(), UnzipProblem::TooManyEntries, limits);
  EXPECT_EQ(e.message, "zip has more than 3 entries, counting the folders their paths imply");
  expect_nothing_left();
}

TEST_F(Unzip, StopsAtTheSizeLimitWhileWriting) {
  // 300 MB of zeros, ~300 KB zipped; a 1 MiB limit must stop it after ~1 MiB, not after 300 MB.
  const std::string zip = ZipBuilder().file("small.txt", "x").zeros("zeros.bin", 300'000'000).build();
  UnzipLimits limits;
  limits.max_unpacked_bytes = 1 << 20;
  limits.max_expansion_ratio = 0;
  const auto start = std::chrono::steady_clock::now();
  const auto e = expect_rejected(zip, UnzipProblem::TooLarge, limits);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_EQ(e.message,
            "zip entry 'zeros.bin' makes the archive unpack to more than 1048576 bytes "
            "(Unzipped size must be smaller than 1048576 bytes)");
  expect_nothing_left();
}

TEST_F(Unzip, SizesInTheHeadersAreNotTrusted) {
  // The headers say 10 bytes; the data inflates to 5 MB.
  const std::string zip = ZipBuilder().zeros("liar.bin", 5'000'000, 10).build();
  UnzipLimits limits;
  limits.max_unpacked_bytes = 1 << 20;
  const auto e = expect_rejected(zip, UnzipProblem::TooLarge, limits);
  EXPECT_EQ(e.entry, "liar.bin");
  expect_nothing_left();
}

TEST_F(Unzip, StopsAtLambdasLimitByDefault) {
  // The real default (262,144,000 bytes) with the ratio rule off, so that only the size stops it.
  const std::string zip = ZipBuilder().zeros("zeros.bin", 300'000'000).build();
  UnzipLimits limits;
  limits.max_expansion_ratio = 0;
  const auto e = expect_rejected(zip, UnzipProblem::TooLarge, limits);
  EXPECT_EQ(e.message,
            "zip entry 'zeros.bin' makes the archive unpack to more than 262144000 bytes "
            "(Unzipped size must be smaller than 262144000 bytes)");
  expect_nothing_left();
}

TEST_F(Unzip, ZerosBombIsCaughtByTheRatioAtDefaultLimits) {
  const std::string zip = ZipBuilder()
                              .file("index.js", "exports.handler = async () => 1;\n")
                              .zeros("bomb.bin", 300'000'000)
                              .build();
  const auto start = std::chrono::steady_clock::now();
  const auto e = expect_rejected(zip, UnzipProblem::Bomb);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_EQ(e.message,
            "zip entry 'bomb.bin' makes the archive a zip bomb: it unpacks to more than 100 times its own " +
                std::to_string(zip.size()) + " bytes");
  expect_nothing_left();
}

TEST_F(Unzip, AbsurdRatioEntryWhoseHeadersLie) {
  // 40 MB of zeros (~40 KB) that claims to be 100 bytes: the ratio is measured against the
  // archive's real size, so the lie changes nothing.
  const std::string zip = ZipBuilder().zeros("model.bin", 40'000'000, 100).build();
  const auto e = expect_rejected(zip, UnzipProblem::Bomb);
  EXPECT_EQ(e.entry, "model.bin");
  expect_nothing_left();
}

TEST_F(Unzip, RatioAllowsCompressibleFilesUnderTheGrace) {
  // 4 MB of zeros is a 1000:1 entry, but under ratio_grace_bytes it is harmless.
  UnzipResult result = unpack_zip(ZipBuilder().zeros("sparse.db", 4'000'000).build(), dest());
  ASSERT_TRUE(result.ok()) << result.error->message;
  EXPECT_EQ(fs::file_size(dest() / "sparse.db"), 4'000'000u);
}

TEST_F(Unzip, RejectsCorruptAndNonZipInput) {
  const std::string good = ZipBuilder().file("a.txt", std::string(10000, 'a')).file("b.txt", "bbb").build();
  auto e = expect_rejected(good.substr(0, good.size() / 2), UnzipProblem::Corrupt);
  EXPECT_EQ(e.message.rfind("zip archive cannot be read (not a zip, truncated or damaged): ", 0), 0u)
      << e.message;
  expect_nothing_left();

  e = expect_rejected("this is not a zip file at all, just some text.", UnzipProblem::Corrupt);
  expect_nothing_left();
  e = expect_rejected("", UnzipProblem::Corrupt);
  EXPECT_EQ(e.message, "zip is empty (0 bytes): not a zip");
  expect_nothing_left();

  // Damage inside the deflated data of the first entry (the CRC no longer matches).
  std::string damaged = good;
  damaged[30 + 5 + 3] = static_cast<char>(damaged[30 + 5 + 3] ^ 0x55);
  e = expect_rejected(damaged, UnzipProblem::Corrupt);
  EXPECT_EQ(e.entry, "a.txt");
  expect_nothing_left();
}

TEST_F(Unzip, ExistingDestinationIsReplacedOnSuccess) {
  fs::create_directories(dest() / "old");
  std::ofstream(dest() / "old/stale.py") << "old";
  UnzipResult result = unpack_zip(ZipBuilder().file("new.py", "new").build(), dest());
  ASSERT_TRUE(result.ok()) << result.error->message;
  EXPECT_EQ(children(dest()), std::set<std::string>{"new.py"});
  EXPECT_EQ(read(dest() / "new.py"), "new");
  EXPECT_EQ(children(m_dir.path()), std::set<std::string>{"code"});  // the old tree is gone too
}

TEST_F(Unzip, ExistingDestinationIsUntouchedOnFailure) {
  fs::create_directories(dest());
  std::ofstream(dest() / "app.py") << "keep me";
  for (const std::string& zip :
       {ZipBuilder().file("new.py", "new").file("../stratus_unzip_evil", "x").build(),
        ZipBuilder().file("new.py", "new").symlink("out", "..").file("out/stratus_unzip_evil", "x").build(),
        ZipBuilder().file("new.py", "new").zeros("bomb", 100'000'000).build(), std::string("garbage")}) {
    UnzipResult result = unpack_zip(zip, dest());
    EXPECT_FALSE(result.ok());
    EXPECT_EQ(children(dest()), std::set<std::string>{"app.py"});
    EXPECT_EQ(read(dest() / "app.py"), "keep me");
    expect_nothing_left({"code"});
  }
}

TEST_F(Unzip, MissingParentFolderIsAnIoError) {
  UnzipResult result = unpack_zip(ZipBuilder().file("a", "a").build(), m_dir.path() / "no/such/code");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error->problem, UnzipProblem::Io);
  EXPECT_EQ(result.error->http_status(), 500);
  EXPECT_STREQ(result.error->aws_error_code(), "ServiceException");
  expect_nothing_left();
}

}  // namespace
}  // namespace stratus::platform
