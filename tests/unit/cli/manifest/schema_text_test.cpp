#include "cli/manifest/schema_text.hpp"

#include <gtest/gtest.h>

namespace stratus::manifest::schema_detail {
namespace {

TEST(SchemaText, CodePoints) {
  EXPECT_EQ(code_points(""), 0u);
  EXPECT_EQ(code_points("abc"), 3u);
  EXPECT_EQ(code_points("é€💩"), 3u);
}

TEST(SchemaText, ValuesAsAUserWroteThem) {
  EXPECT_EQ(show_value(Value("big")), "'big'");
  EXPECT_EQ(show_value(Value(1200)), "1200");
  EXPECT_EQ(show_value(Value(1.5)), "1.5");
  EXPECT_EQ(show_value(Value(true)), "true");
  EXPECT_EQ(show_value(Value()), "null");
  Value list = Value::sequence();
  list.push_back(Value("a"));
  EXPECT_EQ(show_value(list), "[\"a\"]");
  EXPECT_EQ(show_value(Value(std::string(70, 'x'))), "'" + std::string(60, 'x') + "...'");
  EXPECT_EQ(show_value(Value(std::string(59, 'x') + "é€")), "'" + std::string(59, 'x') + "é...'")
      << "never splits a UTF-8 sequence";
  EXPECT_EQ(show_typed(Value("big")), "string 'big'");
  EXPECT_EQ(show_typed(Value(5)), "integer 5");
  EXPECT_EQ(show_typed(list), "array");
  EXPECT_EQ(show_typed(Value::map()), "object");
}

TEST(SchemaText, TypePhrasesAndLists) {
  EXPECT_EQ(type_phrase({"integer"}), "an integer");
  EXPECT_EQ(type_phrase({"string", "object"}), "a string or an object");
  EXPECT_EQ(type_phrase({"string", "number", "boolean", "string"}), "a string, a number or a boolean");
  EXPECT_EQ(type_phrase({"null"}), "null");
  std::vector<Value> values = {Value("x86_64"), Value("arm64"), Value(3), Value()};
  EXPECT_EQ(list_values(values), "x86_64, arm64, 3, null");
  EXPECT_EQ(list_values(values, 2), "x86_64, arm64 and 2 more");
  EXPECT_EQ(count_of(1, "item"), "1 item");
  EXPECT_EQ(count_of(0, "key"), "0 keys");
}

}  // namespace
}  // namespace stratus::manifest::schema_detail
