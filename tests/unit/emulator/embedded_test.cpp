#include "emulator/common/embedded.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace stratus {
namespace {

TEST(Embedded, FindsByPath) {
  const EmbeddedFile files[] = {{"a/b.txt", "hello"}, {"c", "x"}};
  ASSERT_NE(find_embedded(files, "a/b.txt"), nullptr);
  EXPECT_EQ(find_embedded(files, "a/b.txt")->data, "hello");
  EXPECT_EQ(find_embedded(files, "nope"), nullptr);
}

TEST(Embedded, RuntimeBootstrapsShipInTheBinaryAsWritten) {
  for (const char* path : {"python/bootstrap.py", "python/_stratus_bootstrap.py", "node/bootstrap.mjs"}) {
    const EmbeddedFile* f = find_embedded(embedded_runtimes(), path);
    ASSERT_NE(f, nullptr) << path;
    std::ifstream in(std::string(STRATUS_SOURCE_DIR) + "/emulator/runtimes/" + path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    EXPECT_EQ(f->data, text.str()) << path;
  }
}

}  // namespace
}  // namespace stratus
