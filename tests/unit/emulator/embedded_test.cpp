#include "emulator/common/embedded.hpp"

#include <gtest/gtest.h>

namespace stratus {
namespace {

TEST(Embedded, FindsByPath) {
  const EmbeddedFile files[] = {{"a/b.txt", "hello"}, {"c", "x"}};
  ASSERT_NE(find_embedded(files, "a/b.txt"), nullptr);
  EXPECT_EQ(find_embedded(files, "a/b.txt")->data, "hello");
  EXPECT_EQ(find_embedded(files, "nope"), nullptr);
}

}  // namespace
}  // namespace stratus
