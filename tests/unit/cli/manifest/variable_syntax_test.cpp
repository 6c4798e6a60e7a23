#include "cli/manifest/variable_syntax.hpp"

#include <gtest/gtest.h>

namespace stratus::manifest::vars {
namespace {

using Kind = Source::Kind;

// The template as text with each variable shown as <index>, e.g. "a-<0>-b".
std::string shape(const Parsed& p, const Template& t) {
  std::string out;
  for (const auto& part : t.parts)
    out += part.variable < 0 ? part.text : "<" + std::to_string(part.variable) + ">";
  (void)p;
  return out;
}

const Variable& only(const Parsed& p) {
  EXPECT_EQ(p.error, "");
  EXPECT_TRUE(p.text.whole());
  return p.variables.at(p.text.parts.at(0).variable);
}

TEST(VariableSyntax, PlainTextHasNoVariables) {
  Parsed p = parse("just text, with $dollars and {braces}");
  EXPECT_EQ(p.error, "");
  EXPECT_FALSE(p.text.has_variables());
  EXPECT_EQ(shape(p, p.text), "just text, with $dollars and {braces}");
  EXPECT_FALSE(may_have_variables("a $ {b}"));
  EXPECT_TRUE(may_have_variables("a ${b}"));
}

TEST(VariableSyntax, SelfReference) {
  Parsed p = parse("${self:custom.tables.0}");
  const Variable& v = only(p);
  EXPECT_EQ(v.text, "${self:custom.tables.0}");
  ASSERT_EQ(v.sources.size(), 1u);
  EXPECT_EQ(v.sources[0].kind, Kind::Reference);
  EXPECT_EQ(v.sources[0].type, "self");
  EXPECT_TRUE(v.sources[0].has_address);
  EXPECT_FALSE(v.sources[0].has_params);
  EXPECT_EQ(shape(p, v.sources[0].address), "custom.tables.0");
}

TEST(VariableSyntax, EmptyAddressIsTheRoot) {
  Parsed p = parse("${self:}");
  const Variable& v = only(p);
  EXPECT_TRUE(v.sources[0].has_address);
  EXPECT_TRUE(v.sources[0].address.parts.empty());
}

TEST(VariableSyntax, InterpolationSplitsTextAndVariables) {
  Parsed p = parse("arn:${sls:stage}-${self:custom.x}!");
  EXPECT_EQ(p.error, "");
  EXPECT_FALSE(p.text.whole());
  EXPECT_EQ(shape(p, p.text), "arn:<0>-<1>!");
  EXPECT_EQ(p.variables[0].text, "${sls:stage}");
  EXPECT_EQ(p.variables[1].text, "${self:custom.x}");
}

TEST(VariableSyntax, EveryKindOfFallback) {
  Parsed p = parse(
      R"(${opt:stage, 'single', "double", 12, -1.5, true, false, null, self:provider.stage, ${env:X}})");
  const Variable& v = only(p);
  ASSERT_EQ(v.sources.size(), 10u);
  EXPECT_EQ(v.sources[1].kind, Kind::Literal);
  EXPECT_EQ(v.sources[1].literal, Value("single"));
  EXPECT_EQ(v.sources[2].literal, Value("double"));
  EXPECT_TRUE(v.sources[3].literal.is_int());
  EXPECT_EQ(v.sources[3].literal.as_int(), 12);
  EXPECT_EQ(v.sources[4].literal.kind(), Value::Kind::Float);
  EXPECT_EQ(v.sources[4].literal.as_double(), -1.5);
  EXPECT_EQ(v.sources[5].literal, Value(true));
  EXPECT_EQ(v.sources[6].literal, Value(false));
  EXPECT_TRUE(v.sources[7].literal.is_null());
  EXPECT_EQ(v.sources[8].kind, Kind::Reference);
  EXPECT_EQ(v.sources[8].type, "self");
  EXPECT_EQ(shape(p, v.sources[8].address), "provider.stage");
  EXPECT_EQ(v.sources[9].kind, Kind::Nested);
  EXPECT_EQ(p.variables.at(v.sources[9].nested).text, "${env:X}");
}

TEST(VariableSyntax, CommasInsideQuotesNestedVariablesAndParensDoNotSplit) {
  Parsed p = parse("${opt:a, 'x,y', ${env:B, 'c,d'}}");
  const Variable& v = only(p);
  ASSERT_EQ(v.sources.size(), 3u);
  EXPECT_EQ(v.sources[1].literal, Value("x,y"));
  EXPECT_EQ(p.variables.at(v.sources[2].nested).sources.at(1).literal, Value("c,d"));

  Parsed f = parse("${file(./a.yml, extra):key, 'fb'}");
  const Variable& fv = only(f);
  ASSERT_EQ(fv.sources.size(), 2u);
  ASSERT_EQ(fv.sources[0].params.size(), 2u);
  EXPECT_EQ(shape(f, fv.sources[0].params[1]), "extra");
  EXPECT_EQ(fv.sources[1].literal, Value("fb"));
}

TEST(VariableSyntax, DoubleQuotedFallbacksTakeJsonEscapes) {
  Parsed p = parse(R"(${opt:a, "say \"hi\"\n\u00e9"})");
  EXPECT_EQ(only(p).sources[1].literal, Value("say \"hi\"\n\xc3\xa9"));
  Parsed s = parse(R"(${opt:a, 'back\slash'})");
  EXPECT_EQ(only(s).sources[1].literal, Value("back\\slash"));
}

TEST(VariableSyntax, NestedVariablesInAddressAndParams) {
  Parsed p = parse("${env:${opt:stage}_URL}");
  const Variable& v = only(p);
  EXPECT_EQ(shape(p, v.sources[0].address), "<0>_URL");
  EXPECT_EQ(p.variables[0].text, "${opt:stage}");

  Parsed f = parse("${file(./config.${opt:stage, 'dev'}.json):KEY}");
  const Variable& fv = only(f);
  EXPECT_EQ(fv.sources[0].type, "file");
  ASSERT_EQ(fv.sources[0].params.size(), 1u);
  EXPECT_EQ(shape(f, fv.sources[0].params[0]), "./config.<0>.json");
  EXPECT_EQ(shape(f, fv.sources[0].address), "KEY");
}

TEST(VariableSyntax, ParamsWithoutAddress) {
  Parsed p = parse("${strToBool( 'true' )}");
  const Variable& v = only(p);
  EXPECT_EQ(v.sources[0].type, "strToBool");
  EXPECT_FALSE(v.sources[0].has_address);
  ASSERT_EQ(v.sources[0].params.size(), 1u);
  EXPECT_EQ(shape(p, v.sources[0].params[0]), "true");
}

TEST(VariableSyntax, RegionQualifiers) {
  Parsed p = parse("${cf(us-east-1):stack.Out}");
  EXPECT_EQ(shape(p, only(p).sources[0].params.at(0)), "us-east-1");
  Parsed q = parse("${cf.us-east-1:stack.Out}");
  EXPECT_EQ(only(q).sources[0].type, "cf");
  EXPECT_EQ(only(q).sources[0].qualifier, "us-east-1");
}

TEST(VariableSyntax, CloudFormationPlaceholdersAreText) {
  for (const char* s : {"${AWS::Region}", "${AWS::AccountId}", "${MyBucket}", "${MyBucket.Arn}", "${myParam}",
                        "${aws::region}", "${ self:custom.x}", "${!Literal}", "${}", "$${x}"}) {
    Parsed p = parse(s);
    EXPECT_EQ(p.error, "") << s;
    EXPECT_FALSE(p.text.has_variables()) << s;
    EXPECT_EQ(shape(p, p.text), s);
  }
  Parsed mixed = parse("arn:aws:s3:::${self:custom.bucket}/${AWS::Region}/${Bucket.Arn}");
  EXPECT_EQ(shape(mixed, mixed.text), "arn:aws:s3:::<0>/${AWS::Region}/${Bucket.Arn}");
}

TEST(VariableSyntax, BackslashKeepsADollarAsText) {
  Parsed p = parse("\\${opt:stage}");
  EXPECT_FALSE(p.text.has_variables());
  EXPECT_EQ(shape(p, p.text), "\\${opt:stage}");
}

TEST(VariableSyntax, SpacesAroundPartsAreIgnored) {
  Parsed p = parse("${opt:stage ,  'dev' }");
  const Variable& v = only(p);
  EXPECT_EQ(shape(p, v.sources[0].address), "stage");
  EXPECT_EQ(v.sources[1].literal, Value("dev"));
}

TEST(VariableSyntax, Errors) {
  struct Case {
    const char* input;
    const char* error;
  } cases[] = {
      {"${opt:stage", "'${opt:stage' is not a valid variable: it is missing its closing '}'"},
      {"x ${opt:stage, 'dev'", "'${opt:stage, 'dev'' is not a valid variable: it is missing its closing '}'"},
      {"${opt:stage, dev}",
       "'${opt:stage, dev}' is not a valid variable: the fallback dev is not quoted text, a number, true, "
       "false, "
       "null or a variable (to use it as text, quote it: 'dev')"},
      {"${opt:stage, 'a' 'b'}",
       "'${opt:stage, 'a' 'b'}' is not a valid variable: expected ',' or '}' after \"opt:stage, 'a'\""},
      {"${file(./a.yml) x}",
       "'${file(./a.yml) x}' is not a valid variable: expected ',' or '}' after \"file(./a.yml)\""},
      {"${opt:stage,}", "'${opt:stage,}' is not a valid variable: a fallback is missing after ','"},
      {"${opt:stage, 'dev}",
       "'${opt:stage, 'dev}' is not a valid variable: a quoted value is missing its closing quote"},
      {"${env:${AWS::Region}}",
       "'${env:${AWS::Region}}' is not a valid variable: '${AWS::Region}' inside a variable must be a "
       "variable itself"},
      {"${opt:a, Self:b}",
       "'${opt:a, Self:b}' is not a valid variable: 'Self' is not a variable source (sources are lowercase: "
       "self, "
       "opt, env, ...)"},
      {"${file(./a.yml", "'${file(./a.yml' is not a valid variable: it is missing its closing ')'"},
  };
  for (const auto& c : cases) {
    Parsed p = parse(c.input);
    EXPECT_EQ(p.error, c.error) << c.input;
    EXPECT_TRUE(p.variables.empty());
  }
}

TEST(VariableSyntax, DeepNestingIsAnErrorNotACrash) {
  std::string s;
  for (int i = 0; i < 5000; ++i) s += "${env:";
  for (int i = 0; i < 5000; ++i) s += "}";
  Parsed p = parse(s);
  EXPECT_NE(p.error.find("variables nest deeper than 32 levels"), std::string::npos);

  std::string ok;
  for (int i = 0; i < 32; ++i) ok += "${env:";
  ok += "X";
  for (int i = 0; i < 32; ++i) ok += "}";
  EXPECT_EQ(parse(ok).error, "");
}

}  // namespace
}  // namespace stratus::manifest::vars
