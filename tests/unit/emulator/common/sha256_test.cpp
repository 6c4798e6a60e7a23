#include "emulator/common/sha256.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <system_error>

namespace stratus {
namespace {

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, IncrementalEqualsOneShot) {
  Sha256 h;
  h.update("ab");
  h.update("");
  h.update("c");
  EXPECT_EQ(h.finish_hex(), sha256_hex("abc"));
}

TEST(Sha256, FileLargerThanOneBlock) {
  auto path = std::filesystem::temp_directory_path() / "stratus_sha256_test.bin";
  std::string data((3 << 20) + 17, 'x');
  for (std::size_t i = 0; i < data.size(); i += 4096) data[i] = static_cast<char>(i / 4096);
  std::ofstream(path, std::ios::binary) << data;
  EXPECT_EQ(sha256_file_hex(path), sha256_hex(data));
  std::filesystem::remove(path);
}

TEST(Sha256, MissingFileThrowsWithPath) {
  try {
    sha256_file_hex("/nonexistent/stratus/x.zip");
    FAIL() << "no exception";
  } catch (const std::system_error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot open /nonexistent/stratus/x.zip"), std::string::npos);
  }
}

TEST(Sha256, HexOfBytes) {
  const unsigned char b[] = {0x00, 0x0f, 0xa5, 0xff};
  EXPECT_EQ(to_hex(b), "000fa5ff");
}

}  // namespace
}  // namespace stratus
