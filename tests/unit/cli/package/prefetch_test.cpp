#include "cli/package/prefetch.hpp"

#include <gtest/gtest.h>

#include "tests/unit/cli/package/test_tree.hpp"

namespace stratus::package {
namespace {

namespace fs = std::filesystem;
using testing::TempTree;

std::string text_of(const Prefetched& p) {
  return std::string(p.data.begin(), p.data.end());
}

TEST(ReadWholeFile, ExactSizeGrownShrunkMissing) {
  TempTree t;
  t.write("a", "hello");
  auto ok = read_whole_file(t.path("a"), 5);
  EXPECT_EQ(ok.error, 0);
  EXPECT_FALSE(ok.changed);
  EXPECT_EQ(text_of(ok), "hello");
  EXPECT_TRUE(read_whole_file(t.path("a"), 4).changed);  // grew since listed
  EXPECT_TRUE(read_whole_file(t.path("a"), 6).changed);  // shrank since listed
  t.write("empty", "");
  auto empty = read_whole_file(t.path("empty"), 0);
  EXPECT_FALSE(empty.changed);
  EXPECT_TRUE(empty.data.empty());
  EXPECT_EQ(read_whole_file(t.path("missing"), 1).error, ENOENT);
  EXPECT_EQ(read_whole_file(t.root(), 1).error, EISDIR);
}

TEST(Prefetcher, DeliversInOrderWithinItsBudget) {
  TempTree t;
  std::vector<PrefetchFile> files;
  for (int i = 0; i < 300; ++i) {
    std::string name = "f" + std::to_string(i);
    t.write(name, std::string(static_cast<std::size_t>(i * 10), static_cast<char>('a' + i % 26)));
    files.push_back({t.path(name), static_cast<std::uint64_t>(i * 10)});
  }
  t.write("big", std::string(5000, 'x'));
  files.push_back({t.path("big"), 5000});
  Prefetcher p(files, 4096, 1000);  // a tight budget: the reader has to wait for the consumer
  for (int i = 0; i < 300; ++i) {
    Prefetched item = p.next();
    ASSERT_FALSE(item.streamed);
    ASSERT_EQ(item.data.size(), static_cast<std::size_t>(i * 10));
    if (i > 0) {
      ASSERT_EQ(item.data[0], static_cast<unsigned char>('a' + i % 26));
    }
  }
  Prefetched big = p.next();
  EXPECT_TRUE(big.streamed);
  EXPECT_TRUE(big.data.empty());
}

TEST(Prefetcher, StopsEarlyWhenDestroyed) {
  TempTree t;
  std::vector<PrefetchFile> files;
  for (int i = 0; i < 100; ++i) {
    t.write("f" + std::to_string(i), "x");
    files.push_back({t.path("f" + std::to_string(i)), 1});
  }
  Prefetcher p(files, 4096, 1);
  EXPECT_EQ(text_of(p.next()), "x");
  // The destructor must not wait for the 99 files nobody asked for.
}

}  // namespace
}  // namespace stratus::package
