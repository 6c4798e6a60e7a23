#include "cli/manifest/schema_values.hpp"

#include <gtest/gtest.h>

#include "cli/manifest/diagnostics.hpp"

namespace stratus::manifest::schema_detail {
namespace {

TEST(SchemaValues, NumbersInStrings) {
  EXPECT_EQ(number_in("30"), Value(30));
  EXPECT_TRUE(number_in("30")->is_int());
  EXPECT_EQ(number_in("-1.5"), Value(-1.5));
  EXPECT_EQ(number_in("1e3"), Value(1000.0));
  for (const char* s : {"", " 30", "30 ", "0x1F", "nan", "inf", "1,5", "30s", "--1"})
    EXPECT_FALSE(number_in(s).has_value()) << s;
}

TEST(SchemaValues, TypesAndComparison) {
  EXPECT_TRUE(has_type(kInteger, Value(2.0)));
  EXPECT_FALSE(has_type(kInteger, Value(2.5)));
  EXPECT_TRUE(has_type(kNumber, Value(2)));
  EXPECT_FALSE(has_type(kString | kObject, Value(true)));
  EXPECT_EQ(compare(Value(std::int64_t{9007199254740993}), Value(std::int64_t{9007199254740992})), 1);
  EXPECT_EQ(compare(Value(1), Value(1.0)), 0);
  EXPECT_EQ(compare(Value(0.5), Value(1)), -1);
  EXPECT_TRUE(is_multiple(Value(0.0075), Value(0.0001)));
  EXPECT_FALSE(is_multiple(Value(0.00751), Value(0.0001)));
  EXPECT_TRUE(is_multiple(Value(10), Value(5)));
  EXPECT_FALSE(is_multiple(Value(1e308), Value(0.123456789)));
  EXPECT_TRUE(is_multiple(Value(0.3), Value(0.1)));
  EXPECT_TRUE(is_multiple(Value(1e20), Value(0.5)));
  EXPECT_FALSE(is_multiple(Value(7.5), Value(2)));
}

TEST(SchemaValues, CoercionFollowsAjv) {
  EXPECT_EQ(coerce(kInteger, Value("42")), Value(42));
  EXPECT_FALSE(coerce(kInteger, Value("4.2")).has_value());
  EXPECT_EQ(coerce(kNumber, Value("4.2")), Value(4.2));
  EXPECT_EQ(coerce(kString, Value(12)), Value("12"));
  EXPECT_EQ(coerce(kString, Value(1.5)), Value("1.5"));
  EXPECT_EQ(coerce(kString, Value(true)), Value("true"));
  EXPECT_EQ(coerce(kBoolean, Value("false")), Value(false));
  EXPECT_EQ(coerce(kBoolean, Value(1)), Value(true));
  EXPECT_FALSE(coerce(kBoolean, Value(2)).has_value());
  Value wrapped = *coerce(kArray, Value("x"));
  ASSERT_TRUE(wrapped.is_sequence());
  EXPECT_EQ(wrapped.items().at(0), Value("x"));
  EXPECT_FALSE(coerce(kArray, Value::map()).has_value()) << "objects are never wrapped";
  EXPECT_FALSE(coerce(kArray, Value()).has_value());
  EXPECT_FALSE(coerce(kString, Value()).has_value()) << "null is never converted";
  Value one = Value::sequence();
  one.push_back(Value("x"));
  EXPECT_FALSE(coerce(kString, one).has_value()) << "one-item arrays are not unwrapped";
}

TEST(SchemaValues, IntrinsicsAndSuggestions) {
  Value ref = Value::map();
  ref.set("Ref", Value("X"));
  EXPECT_TRUE(is_intrinsic(ref));
  Value sub = Value::map();
  sub.set("Fn::Sub", Value("${AWS::Region}"));
  EXPECT_TRUE(is_intrinsic(sub));
  sub.set("Other", Value(1));
  EXPECT_FALSE(is_intrinsic(sub));
  EXPECT_FALSE(is_intrinsic(Value("Ref")));
  const std::vector<std::string> names = {"handler", "httpApi", "arm64", "x86_64"};
  EXPECT_EQ(did_you_mean("handlr", names), "handler");
  EXPECT_EQ(did_you_mean("arm", names), "arm64");
  EXPECT_EQ(did_you_mean("h", names), std::nullopt);
  EXPECT_EQ(did_you_mean("zzz", names), std::nullopt);
}

}  // namespace
}  // namespace stratus::manifest::schema_detail
