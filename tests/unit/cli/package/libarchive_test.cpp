#include "cli/package/libarchive.hpp"

#include <gtest/gtest.h>

namespace stratus::package {
namespace {

TEST(LibArchive, LoadsEveryFunctionStratusUses) {
  const LibArchive& la = libarchive();
#define STRATUS_EXPECT_LOADED(name) EXPECT_NE(la.name, nullptr) << #name;
  STRATUS_LIBARCHIVE_FUNCTIONS(STRATUS_EXPECT_LOADED)
#undef STRATUS_EXPECT_LOADED
}

TEST(LibArchive, AMissingLibraryNamesThePackageToInstall) {
  LibArchive out;
  std::string error = load_libarchive("libarchive-does-not-exist.so.99", out);
  EXPECT_EQ(error.rfind("libarchive-does-not-exist.so.99 cannot be loaded (", 0), 0u) << error;
  EXPECT_NE(error.find("); install it: apt-get install libarchive13"), std::string::npos) << error;
}

TEST(LibArchive, ALibraryWithoutTheFunctionsIsRefused) {
  LibArchive out;
  // libz is loadable but is not libarchive: the first missing function is named.
  EXPECT_EQ(load_libarchive("libz.so.1", out),
            "libz.so.1 has no archive_write_new; stratus needs libarchive 3.6 or newer");
}

}  // namespace
}  // namespace stratus::package
