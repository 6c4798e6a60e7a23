#include "cli/manifest/load.hpp"

#include <gtest/gtest.h>

#include "cli/manifest/emit.hpp"
#include "tests/support/parse.hpp"

namespace stratus::manifest {
namespace {

Value parse(const std::string& text, Diagnostics& diags) {
  Sources sources;
  return parse_document(text, "serverless.yml", sources, diags);
}

Value parse_ok(const std::string& text) {
  return test_support::parse_yaml(text);
}

TEST(Load, PlainScalarsFollowTheYaml12CoreSchema) {
  Value v =
      parse_ok("a: 12\nb: 1.5\nc: true\nd: ~\ne: '12'\nf: yes\ng: 0x1F\nh: 1e3\ni: -7\nj: .inf\nk: 0o17\n");
  EXPECT_TRUE(v.find("a")->is_int());
  EXPECT_EQ(v.find("a")->as_int(), 12);
  EXPECT_EQ(v.find("b")->kind(), Value::Kind::Float);
  EXPECT_TRUE(v.find("c")->as_bool());
  EXPECT_TRUE(v.find("d")->is_null());
  EXPECT_TRUE(v.find("e")->is_string());  // quoted stays a string
  EXPECT_TRUE(v.find("f")->is_string());  // YAML 1.1 booleans are strings, as in js-yaml
  EXPECT_EQ(v.find("g")->as_int(), 31);
  EXPECT_EQ(v.find("h")->as_double(), 1000.0);
  EXPECT_EQ(v.find("i")->as_int(), -7);
  EXPECT_EQ(v.find("k")->as_int(), 15);
}

TEST(Load, MarksAreOneBased) {
  Value v = parse_ok("service: x\nprovider:\n  name: aws\n");
  const Value* name = v.at_path("provider.name");
  ASSERT_NE(name, nullptr);
  EXPECT_EQ(name->mark.line, 3);
  EXPECT_EQ(name->mark.column, 9);
  EXPECT_EQ(v.find("provider")->entries()[0].key_mark.column, 3);
}

TEST(Load, CloudFormationShortFormsBecomeLongForms) {
  Value v = parse_ok(
      "a: !Ref Queue\n"
      "b: !GetAtt Queue.Arn\n"
      "c: !Sub 'arn:${AWS::Region}'\n"
      "d: !Join [':', [a, !Ref B]]\n"
      "e: !GetAtt [Queue, Arn]\n"
      "f: !Condition IsProd\n");
  EXPECT_EQ(to_json(*v.find("a"), -1), R"({"Ref":"Queue"})");
  EXPECT_EQ(to_json(*v.find("b"), -1), R"({"Fn::GetAtt":["Queue","Arn"]})");
  EXPECT_EQ(to_json(*v.find("c"), -1), R"({"Fn::Sub":"arn:${AWS::Region}"})");
  EXPECT_EQ(to_json(*v.find("d"), -1), R"({"Fn::Join":[":",["a",{"Ref":"B"}]]})");
  EXPECT_EQ(to_json(*v.find("e"), -1), R"({"Fn::GetAtt":["Queue","Arn"]})");
  EXPECT_EQ(to_json(*v.find("f"), -1), R"({"Condition":"IsProd"})");
}

TEST(Load, MergeKeysFoldInWithExplicitKeysWinning) {
  Value v = parse_ok("base: &b {x: 1, y: 2}\nmore: &m {z: 3}\nfn:\n  <<: [*b, *m]\n  y: 9\n");
  EXPECT_EQ(to_json(*v.find("fn"), -1), R"({"y":9,"x":1,"z":3})");
}

TEST(Load, DuplicateKeyIsAnErrorAtTheSecondKey) {
  Diagnostics diags;
  parse("a: 1\nb: 2\na: 3\n", diags);
  ASSERT_EQ(diags.items().size(), 1u);
  EXPECT_EQ(diags.items()[0].message, "duplicate key 'a'");
  EXPECT_EQ(diags.items()[0].mark.line, 3);
  EXPECT_EQ(diags.items()[0].mark.column, 1);
}

TEST(Load, UnknownTagIsAnErrorNamingIt) {
  Diagnostics diags;
  parse("a: !Secret x\n", diags);
  ASSERT_EQ(diags.items().size(), 1u);
  EXPECT_EQ(diags.items()[0].message,
            "unknown tag '!Secret' (CloudFormation tags such as !Ref, !GetAtt, !Sub are accepted)");
}

TEST(Load, SyntaxErrorCarriesThePosition) {
  Diagnostics diags;
  parse("a:\n  b: 1\n c: 2\n", diags);
  ASSERT_EQ(diags.items().size(), 1u);
  EXPECT_EQ(diags.items()[0].message.rfind("YAML syntax error: ", 0), 0u);
  EXPECT_EQ(diags.items()[0].mark.line, 3);
}

TEST(Load, AliasBombIsStoppedNotExpanded) {
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  char prev = 'a';
  for (char c = 'b'; c <= 'j'; ++c, ++prev) {
    bomb += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 10; ++i) bomb += std::string(i ? ", *" : "*") + prev;
    bomb += "]\n";
  }
  Diagnostics diags;
  parse(bomb, diags);
  ASSERT_TRUE(diags.has_errors());
  EXPECT_EQ(diags.items()[0].message, "the document expands to more than 2,000,000 values (an alias bomb?)");
}

TEST(Load, JsonDocumentsLoad) {
  Value v = parse_ok(R"({"service": "x", "n": 1, "s": "1", "list": [true, null]})");
  EXPECT_EQ(v.find("service")->as_string(), "x");
  EXPECT_TRUE(v.find("n")->is_int());
  EXPECT_TRUE(v.find("s")->is_string());
  EXPECT_TRUE(v.at_path("list.1")->is_null());
}

TEST(Load, MissingFileIsAnError) {
  Sources sources;
  Diagnostics diags;
  load_file("/nonexistent/serverless.yml", "serverless.yml", sources, diags);
  ASSERT_EQ(diags.items().size(), 1u);
  EXPECT_EQ(diags.items()[0].message, "cannot read the file: No such file or directory");
}

}  // namespace
}  // namespace stratus::manifest
