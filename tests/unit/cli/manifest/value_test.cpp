#include "cli/manifest/value.hpp"

#include <gtest/gtest.h>

#include "cli/manifest/emit.hpp"

namespace stratus::manifest {
namespace {

TEST(Value, SetKeepsOrderAndReplaces) {
  Value m = Value::map();
  m.set("b", Value(1));
  m.set("a", Value(2));
  m.set("b", Value(3));
  ASSERT_EQ(m.entries().size(), 2u);
  EXPECT_EQ(m.entries()[0].key, "b");
  EXPECT_EQ(m.find("b")->as_int(), 3);
}

TEST(Value, AtPathWalksMapsAndSequences) {
  Value root = Value::map();
  Value seq = Value::sequence();
  seq.push_back(Value("x"));
  seq.push_back(Value("y"));
  root.set("a", Value::map()).set("list", seq);
  ASSERT_NE(root.at_path("a.list.1"), nullptr);
  EXPECT_EQ(root.at_path("a.list.1")->as_string(), "y");
  EXPECT_EQ(root.at_path("a.list.2"), nullptr);
  EXPECT_EQ(root.at_path("a.nope"), nullptr);
  EXPECT_EQ(root.at_path("a.list.x"), nullptr);
}

TEST(Value, EqualityIgnoresMarksAndKeyOrder) {
  Value a = Value::map(), b = Value::map();
  a.set("x", Value(1));
  a.set("y", Value("s"));
  b.set("y", Value("s"));
  b.set("x", Value(1.0));
  b.mark.line = 7;
  EXPECT_EQ(a, b);
  b.set("x", Value(2));
  EXPECT_FALSE(a == b);
}

TEST(Value, ToTextOfScalars) {
  EXPECT_EQ(Value(true).to_text(), "true");
  EXPECT_EQ(Value(42).to_text(), "42");
  EXPECT_EQ(Value(1.5).to_text(), "1.5");
  EXPECT_EQ(Value().to_text(), "");
}

}  // namespace
}  // namespace stratus::manifest
