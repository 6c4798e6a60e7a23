#include "cli/manifest/emit.hpp"

#include <gtest/gtest.h>

#include "cli/manifest/load.hpp"
#include "tests/support/parse.hpp"

namespace stratus::manifest {
namespace {

Value parse(const std::string& text) {
  return test_support::parse_yaml(text, "t.yml");
}

TEST(Emit, JsonPrettyAndCompact) {
  Value v = parse("a: 1\nb: [x, {c: null}]\ne: {}\n");
  EXPECT_EQ(to_json(v, -1), R"({"a":1,"b":["x",{"c":null}],"e":{}})");
  EXPECT_EQ(to_json(v),
            "{\n  \"a\": 1,\n  \"b\": [\n    \"x\",\n    {\n      \"c\": null\n    }\n  ],\n  \"e\": {}\n}");
}

TEST(Emit, JsonEscapes) {
  EXPECT_EQ(json_quote("a\"b\\c\n\x01"), R"("a\"b\\c\n\u0001")");
}

TEST(Emit, YamlQuotesWhatWouldReadBackDifferently) {
  Value v = Value::map();
  for (const char* s : {"true", "12", "1.5", "", "a: b", "- x", "plain", "null", "#c", "x #y", "with'quote:"})
    v.set(s[0] ? s : "empty", Value(s));
  std::string yaml = to_yaml(v);
  EXPECT_EQ(parse(yaml), v) << yaml;
  EXPECT_NE(yaml.find("plain: plain\n"), std::string::npos);
  EXPECT_NE(yaml.find("'true': 'true'\n"), std::string::npos);
}

TEST(Emit, YamlRoundTripsNestedDocuments) {
  const std::string text =
      "service: s\nprovider:\n  name: aws\n  environment:\n    A: '1'\n    B: 2\nfunctions:\n  f:\n    "
      "events:\n"
      "      - httpApi: GET /x\n      - schedule:\n          rate:\n            - rate(1 minute)\n           "
      " - cron(0 1 * * ? *)\n"
      "    layers: []\n    tags: {}\n";
  Value v = parse(text);
  EXPECT_EQ(parse(to_yaml(v)), v) << to_yaml(v);
}

TEST(Emit, NumbersAreShortest) {
  EXPECT_EQ(format_number(0.1), "0.1");
  EXPECT_EQ(format_number(1e21), "1e+21");
  EXPECT_EQ(format_number(2.0), "2");
}

}  // namespace
}  // namespace stratus::manifest
