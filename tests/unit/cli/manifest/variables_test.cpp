#include "cli/manifest/variables.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <fstream>

#include "cli/manifest/emit.hpp"
#include "cli/manifest/load.hpp"
#include "tests/support/temp_dir.hpp"

namespace stratus::manifest {
namespace {

using stratus::test_support::TempDir;

struct Resolved {
  Value root;
  Sources sources;
  Diagnostics diags;

  // "file:line:col: message" for every diagnostic, in the order reported.
  std::vector<std::string> errors() const {
    std::vector<std::string> out;
    for (const auto& d : diags.items()) out.push_back(location(d.mark) + ": " + d.message);
    return out;
  }
  const Value& at(const char* path) const {
    const Value* v = root.at_path(path);
    static const Value missing("<missing>");
    return v ? *v : missing;
  }
  std::string json(const char* path) const { return to_json(at(path), -1); }
};

Resolved resolve(const std::string& yaml, const VariableContext& ctx = {}) {
  Resolved r;
  r.root = parse_document(yaml, "serverless.yml", r.sources, r.diags);
  EXPECT_FALSE(r.diags.has_errors()) << "test input does not parse";
  resolve_variables(r.root, ctx, r.sources, r.diags);
  return r;
}

VariableContext with_options(std::map<std::string, std::string> options) {
  VariableContext ctx;
  ctx.options = std::move(options);
  return ctx;
}

using Errors = std::vector<std::string>;

// --- self -----------------------------------------------------------------------------------

TEST(Variables, SelfReferencesPathsAndSequenceIndexes) {
  Resolved r = resolve(
      "custom:\n"
      "  table: users\n"
      "  list: [a, b, {deep: c}]\n"
      "out:\n"
      "  table: ${self:custom.table}\n"
      "  second: ${self:custom.list.1}\n"
      "  deep: ${self:custom.list.2.deep}\n"
      "  text: 'name-${self:custom.table}-x'\n");
  EXPECT_EQ(r.errors(), Errors{});
  EXPECT_EQ(r.json("out"), R"({"table":"users","second":"b","deep":"c","text":"name-users-x"})");
}

TEST(Variables, SelfReferencesResolveTheTargetFirstInAnyOrder) {
  Resolved r = resolve(
      "early: ${self:custom.later}\n"
      "custom:\n"
      "  later: ${self:custom.base}-${opt:stage, 'dev'}\n"
      "  base: svc\n"
      "  obj:\n"
      "    name: ${self:custom.base}\n"
      "late: ${self:custom.obj}\n",
      with_options({{"stage", "prod"}}));
  EXPECT_EQ(r.errors(), Errors{});
  EXPECT_EQ(r.json("early"), R"("svc-prod")");
  EXPECT_EQ(r.json("late"), R"({"name":"svc"})");
}

TEST(Variables, SelfMissingWithDidYouMean) {
  Resolved r = resolve(
      "custom:\n"
      "  tableName: users\n"
      "table: ${self:custom.tablename}\n"
      "other: ${self:custm.tableName}\n"
      "none: ${self:custom.nothing}\n");
  EXPECT_EQ(
      r.errors(),
      (Errors{
          "serverless.yml:3:8: ${self:custom.tablename} cannot be resolved: 'custom.tablename' is not set in "
          "serverless.yml (did you mean 'custom.tableName'?)",
          "serverless.yml:4:8: ${self:custm.tableName} cannot be resolved: 'custm.tableName' is not set in "
          "serverless.yml (did you mean 'custom.tableName'?)",
          "serverless.yml:5:7: ${self:custom.nothing} cannot be resolved: 'custom.nothing' is not set in "
          "serverless.yml; set it, or give a fallback: ${self:custom.nothing, 'value'}"}));
  EXPECT_EQ(r.json("table"), R"("${self:custom.tablename}")");  // left as written
  ASSERT_EQ(r.diags.items().size(), 3u);
  EXPECT_EQ(r.diags.items()[0].path, "table");
}

TEST(Variables, WholeSelfIsACycleFromInside) {
  Resolved r = resolve("service: a\ncustom:\n  all: ${self:}\n");
  EXPECT_EQ(r.errors(),
            (Errors{"serverless.yml:3:8: variable cycle: custom.all -> ${self:} -> custom.all; give one "
                    "of these a value that does not refer back"}));
}

// --- opt, env, sls, aws ----------------------------------------------------------------------

TEST(Variables, OptionsAndTheirAbsence) {
  Resolved r =
      resolve("a: ${opt:stage}\nb: ${opt:region}\nall: ${opt:}\n", with_options({{"stage", "prod"}}));
  EXPECT_EQ(r.json("a"), R"("prod")");
  EXPECT_EQ(r.json("all"), R"({"stage":"prod"})");
  EXPECT_EQ(r.errors(),
            (Errors{"serverless.yml:2:4: ${opt:region} cannot be resolved: option --region is not "
                    "given; pass --region, or give a fallback: ${opt:region, 'value'}"}));
}

TEST(Variables, EnvironmentVariables) {
  VariableContext ctx;
  ctx.env = {{"DB_URL", "postgres://x"}, {"EMPTY", ""}, {"dev_URL", "http://dev"}};
  Resolved r = resolve(
      "a: ${env:DB_URL}\n"
      "b: ${env:MISSING}\n"
      "c: ${env:EMPTY, 'was-empty'}\n"
      "d: ${env:${opt:stage, 'dev'}_URL}\n"
      "e: ${env:}\n",
      ctx);
  EXPECT_EQ(r.json("a"), R"("postgres://x")");
  EXPECT_EQ(r.json("c"), R"("was-empty")");
  EXPECT_EQ(r.json("d"), R"("http://dev")");
  EXPECT_EQ(
      r.errors(),
      (Errors{"serverless.yml:2:4: ${env:MISSING} cannot be resolved: environment variable 'MISSING' is not "
              "set; set it, or give a fallback: ${env:MISSING, 'value'}",
              "serverless.yml:5:4: ${env:} needs the name of an environment variable: ${env:NAME}"}));
}

TEST(Variables, EnvErrorMatchesTheDocumentedStyle) {
  Resolved r = resolve("provider:\n  environment:\n    DB: ${env:DB_URL}\n");
  EXPECT_EQ(r.errors(), (Errors{"serverless.yml:3:9: ${env:DB_URL} cannot be resolved: environment variable "
                                "'DB_URL' is not set; set it, or give a fallback: ${env:DB_URL, 'value'}"}));
  EXPECT_EQ(r.diags.items()[0].path, "provider.environment.DB");
}

TEST(Variables, SlsStage) {
  const char* doc =
      "provider:\n  stage: ${opt:stage, 'beta'}\nname: svc-${sls:stage}\nid: ${sls:instanceId}\n";
  VariableContext ctx;
  ctx.instance_id = "abc123";
  Resolved fromProvider = resolve(doc, ctx);
  EXPECT_EQ(fromProvider.errors(), Errors{});
  EXPECT_EQ(fromProvider.json("name"), R"("svc-beta")");
  EXPECT_EQ(fromProvider.json("id"), R"("abc123")");

  ctx.options["stage"] = "prod";
  EXPECT_EQ(resolve(doc, ctx).json("name"), R"("svc-prod")");
  EXPECT_EQ(resolve("name: ${sls:stage}\n").json("name"), R"("dev")");
  EXPECT_EQ(resolve("provider:\n  stage: ''\nname: ${sls:stage}\n").json("name"), R"("dev")");
}

TEST(Variables, SlsUnknownAddress) {
  Resolved r = resolve("a: ${sls:stag}\n");
  EXPECT_EQ(r.errors(),
            (Errors{"serverless.yml:1:4: ${sls:stag} cannot be resolved: sls has no 'stag' (did you "
                    "mean 'stage'?); use ${sls:stage} or ${sls:instanceId}"}));
}

TEST(Variables, AwsRegionAndAccountId) {
  Resolved r = resolve(
      "provider:\n  region: eu-west-1\n"
      "r: ${aws:region}\n"
      "a: ${aws:accountId}\n"
      "b: ${aws:accountId, '000000000000'}\n"
      "c: ${aws:acountId}\n");
  EXPECT_EQ(r.json("r"), R"("eu-west-1")");
  EXPECT_EQ(r.json("b"), R"("000000000000")");
  EXPECT_EQ(
      r.errors(),
      (Errors{
          "serverless.yml:4:4: ${aws:accountId} cannot be resolved: the AWS account id is not known; give "
          "a fallback: ${aws:accountId, 'value'}",
          "serverless.yml:6:4: ${aws:acountId} cannot be resolved: aws has no 'acountId' (did you mean "
          "'accountId'?); use ${aws:region} or ${aws:accountId}"}));

  VariableContext ctx;
  ctx.account_id = "123456789012";
  ctx.options["region"] = "ap-south-1";
  Resolved known = resolve("a: ${aws:accountId}\nr: ${aws:region}\n", ctx);
  EXPECT_EQ(known.json("a"), R"("123456789012")");
  EXPECT_EQ(known.json("r"), R"("ap-south-1")");
  EXPECT_EQ(resolve("r: ${aws:region}\n").json("r"), R"("us-east-1")");
}

TEST(Variables, OldStyleProviderStageFallbackMeansTheDefaultStage) {
  Resolved r = resolve(
      "custom:\n"
      "  stage: ${opt:stage, self:provider.stage}\n"
      "  region: ${opt:region, self:provider.region}\n");
  EXPECT_EQ(r.errors(), Errors{});
  EXPECT_EQ(r.json("custom"), R"({"stage":"dev","region":"us-east-1"})");
  Resolved set = resolve("provider:\n  stage: qa\ncustom:\n  stage: ${opt:stage, self:provider.stage}\n");
  EXPECT_EQ(set.json("custom.stage"), R"("qa")");
}

// --- param -----------------------------------------------------------------------------------

TEST(Variables, ParamLookupOrder) {
  const char* doc =
      "params:\n"
      "  prod:\n    domain: prod.example.com\n    count: 3\n"
      "  default:\n    domain: example.com\n    only_default: d\n    count: 1\n"
      "a: ${param:domain}\n"
      "b: ${param:only_default}\n"
      "c: ${param:count}\n";
  Resolved dev = resolve(doc);
  EXPECT_EQ(dev.errors(), Errors{});
  EXPECT_EQ(dev.json("a"), R"("example.com")");
  EXPECT_EQ(dev.json("c"), "1");

  Resolved prod = resolve(doc, with_options({{"stage", "prod"}}));
  EXPECT_EQ(prod.json("a"), R"("prod.example.com")");
  EXPECT_EQ(prod.json("b"), R"("d")");
  EXPECT_EQ(prod.json("c"), "3");  // keeps its type

  VariableContext cli = with_options({{"stage", "prod"}});
  cli.params = {{"domain", "cli.example.com"}};
  EXPECT_EQ(resolve(doc, cli).json("a"), R"("cli.example.com")");
}

TEST(Variables, ParamMissing) {
  Resolved r = resolve("a: ${param:dbUrl}\nb: ${param:dbUrl, 'local'}\n");
  EXPECT_EQ(r.json("b"), R"("local")");
  EXPECT_EQ(r.errors(),
            (Errors{"serverless.yml:1:4: ${param:dbUrl} cannot be resolved: param 'dbUrl' is not set "
                    "(not in --param, params.dev or params.default); pass --param dbUrl=... or set "
                    "params.default.dbUrl, or give a fallback: ${param:dbUrl, 'value'}"}));
}

TEST(Variables, ParamValuesMayHoldVariables) {
  Resolved r = resolve(
      "params:\n  default:\n    url: https://${self:custom.host}\ncustom:\n  host: h\na: ${param:url}\n");
  EXPECT_EQ(r.errors(), Errors{});
  EXPECT_EQ(r.json("a"), R"("https://h")");
}

// --- fallbacks ---------------------------------------------------------------------------------

TEST(Variables, EveryFallbackKind) {
  Resolved r = resolve(
      "s: ${opt:x, 'single'}\n"
      "d: ${opt:x, \"double\"}\n"
      "i: ${opt:x, 12}\n"
      "f: ${opt:x, 1.5}\n"
      "t: ${opt:x, true}\n"
      "n: ${opt:x, null}\n"
      "old: ${opt:x, self:custom.v}\n"
      "nested: ${opt:x, ${self:custom.v}}\n"
      "chain: ${opt:x, env:NOPE, self:custom.v}\n"
      "custom:\n  v: from-self\n");
  EXPECT_EQ(r.errors(), Errors{});
  EXPECT_EQ(
      to_json(r.root, -1),
      R"({"s":"single","d":"double","i":12,"f":1.5,"t":true,"n":null,"old":"from-self","nested":"from-self",)"
      R"("chain":"from-self","custom":{"v":"from-self"}})");
}

TEST(Variables, AllSourcesMissingNamesEachReason) {
  Resolved r = resolve("a: ${opt:stage, env:STAGE}\nb: ${opt:stage, ${env:STAGE}}\n");
  EXPECT_EQ(
      r.errors(),
      (Errors{
          "serverless.yml:1:4: ${opt:stage, env:STAGE} cannot be resolved: option --stage is not given, "
          "and environment variable 'STAGE' is not set; give a fallback that always works: ${opt:stage, "
          "env:STAGE, 'value'}",
          "serverless.yml:2:4: ${opt:stage, ${env:STAGE}} cannot be resolved: option --stage is not given, "
          "and environment variable 'STAGE' is not set; give a fallback that always works: ${opt:stage, "
          "${env:STAGE}, 'value'}"}));
}

// Serverless v3 has no free-form options: the fix offered for one is a parameter, not a flag that
// the CLI would refuse.
TEST(Variables, AnOptionOtherThanStageOrRegionPointsToParameters) {
  Resolved r = resolve("a: ${opt:tableName}\n");
  EXPECT_EQ(r.errors(), (Errors{"serverless.yml:1:4: ${opt:tableName} cannot be resolved: stratus has no "
                                "--tableName option (only --stage and --region reach ${opt:}); write "
                                "${param:tableName} and pass --param tableName=VALUE, or give a fallback: "
                                "${opt:tableName, 'value'}"}));
}

// --- interpolation and whole values -----------------------------------------------------------

TEST(Variables, InterpolationWritesScalarsAsText) {
  Resolved r = resolve(
      "custom:\n  n: 5\n  f: 2.5\n  b: false\n"
      "s: 'n=${self:custom.n} f=${self:custom.f} b=${self:custom.b} ${strToBool(1)}'\n");
  EXPECT_EQ(r.json("s"), R"("n=5 f=2.5 b=false true")");
}

TEST(Variables, InterpolatingObjectsArraysAndNullIsAnError) {
  Resolved r = resolve(
      "custom:\n  obj: {a: 1}\n  arr: [1]\n"
      "a: x-${self:custom.obj}\n"
      "b: x-${self:custom.arr}\n"
      "c: x-${opt:none, null}\n");
  EXPECT_EQ(
      r.errors(),
      (Errors{
          "serverless.yml:4:4: ${self:custom.obj} is an object, which cannot be put into a string; make the "
          "variable the whole value, or point it at one of the object's fields",
          "serverless.yml:5:4: ${self:custom.arr} is an array, which cannot be put into a string; make the "
          "variable the whole value, or point it at one of its items",
          "serverless.yml:6:4: ${opt:none, null} is null, which cannot be put into a string; give it a "
          "value, "
          "or a fallback that is not null"}));
  EXPECT_EQ(r.json("a"), R"("x-${self:custom.obj}")");
}

TEST(Variables, WholeValueSubstitutionKeepsTypesAndMarks) {
  Resolved r = resolve(
      "custom:\n"
      "  num: 42\n"
      "  yes: true\n"
      "  obj:\n"
      "    inner: v\n"
      "  arr:\n"
      "    - 1\n"
      "out:\n"
      "  num: ${self:custom.num}\n"
      "  yes: ${self:custom.yes}\n"
      "  obj: ${self:custom.obj}\n"
      "  arr: ${self:custom.arr}\n");
  EXPECT_EQ(r.errors(), Errors{});
  EXPECT_TRUE(r.at("out.num").is_int());
  EXPECT_TRUE(r.at("out.yes").is_bool());
  EXPECT_EQ(r.json("out.obj"), R"({"inner":"v"})");
  EXPECT_EQ(r.json("out.arr"), "[1]");
  // The substituted root takes the place (and mark) of the string; what is inside keeps its own.
  EXPECT_EQ(r.at("out.obj").mark.line, 11);
  EXPECT_EQ(r.at("out.obj").mark.column, 8);
  EXPECT_EQ(r.at("out.obj.inner").mark.line, 5);
  EXPECT_EQ(r.at("out.num").mark.line, 9);
  EXPECT_EQ(r.at("out.arr.0").mark.line, 7);
}

TEST(Variables, ValuesInSequencesAndResourcesButNotKeys) {
  Resolved r = resolve(
      "custom:\n  k: key\n"
      "list:\n  - ${self:custom.k}\n  - [x, '${self:custom.k}2']\n"
      "resources:\n  Resources:\n    ${self:custom.k}:\n      Type: ${self:custom.k}\n");
  EXPECT_EQ(r.errors(), Errors{});
  EXPECT_EQ(r.json("list"), R"(["key",["x","key2"]])");
  EXPECT_EQ(r.json("resources"), R"({"Resources":{"${self:custom.k}":{"Type":"key"}}})");
}

TEST(Variables, CloudFormationPlaceholdersAreLeftAlone) {
  const char* doc =
      "resources:\n"
      "  Resources:\n"
      "    Policy:\n"
      "      Value: !Sub 'arn:aws:s3:::${MyBucket}/${AWS::Region}/${AWS::AccountId}/${MyBucket.Arn}'\n"
      "      Other:\n"
      "        Fn::Sub: '${AWS::StackName}-${sls:stage}'\n";
  Resolved r = resolve(doc);
  EXPECT_EQ(r.errors(), Errors{});
  EXPECT_EQ(r.json("resources.Resources.Policy.Value"),
            R"({"Fn::Sub":"arn:aws:s3:::${MyBucket}/${AWS::Region}/${AWS::AccountId}/${MyBucket.Arn}"})");
  EXPECT_EQ(r.json("resources.Resources.Policy.Other"), R"({"Fn::Sub":"${AWS::StackName}-dev"})");
}

TEST(Variables, UnknownSourceSuggestsTheClosest) {
  Resolved r = resolve("a: ${slf:custom.x}\nb: ${environment:X}\n");
  EXPECT_EQ(
      r.errors(),
      (Errors{
          "serverless.yml:1:4: ${slf:custom.x} uses an unknown variable source 'slf' (did you mean "
          "'self'?); the sources are self, opt, env, sls, aws, param, file, strToBool, ssm, cf, s3",
          "serverless.yml:2:4: ${environment:X} uses an unknown variable source 'environment'; the sources "
          "are self, opt, env, sls, aws, param, file, strToBool, ssm, cf, s3"}));
}

TEST(Variables, SyntaxErrorsAreReportedWithTheirPlace) {
  Resolved r = resolve("custom:\n  a: 'x ${opt:stage, dev}'\n");
  EXPECT_EQ(r.errors(),
            (Errors{"serverless.yml:2:6: '${opt:stage, dev}' is not a valid variable: the fallback dev is "
                    "not quoted text, a number, true, false, null or a variable (to use it as text, "
                    "quote it: 'dev')"}));
  EXPECT_EQ(r.diags.items()[0].path, "custom.a");
}

TEST(Variables, ReportsEveryProblemAndResolvesTheRest) {
  Resolved r = resolve(
      "a: ${env:ONE}-${env:TWO}\n"
      "b: ${opt:x, 'fine'}\n"
      "functions:\n"
      "  f:\n"
      "    events:\n"
      "      - http: ok\n"
      "      - http:\n"
      "          path: ${env:THREE}\n");
  ASSERT_EQ(r.diags.error_count(), 3u);
  EXPECT_EQ(r.json("a"), R"("${env:ONE}-${env:TWO}")");
  EXPECT_EQ(r.json("b"), R"("fine")");
  EXPECT_EQ(r.diags.items()[0].path, "a");
  EXPECT_EQ(r.diags.items()[1].path, "a");
  EXPECT_EQ(r.diags.items()[2].path, "functions.f.events.1.http.path");
  EXPECT_EQ(location(r.diags.items()[2].mark), "serverless.yml:8:17");
}

// --- strToBool --------------------------------------------------------------------------------

TEST(Variables, StrToBool) {
  VariableContext ctx;
  ctx.env = {{"FLAG", " TRUE "}};
  Resolved r = resolve(
      "a: ${strToBool(true)}\nb: ${strToBool(false)}\nc: ${strToBool(0)}\nd: ${strToBool('1')}\n"
      "e: ${strToBool(${env:FLAG})}\nf: ${strToBool(yes)}\ng: ${strToBool()}\n",
      ctx);
  EXPECT_EQ(r.json("a"), "true");
  EXPECT_EQ(r.json("b"), "false");
  EXPECT_EQ(r.json("c"), "false");
  EXPECT_EQ(r.json("d"), "true");
  EXPECT_EQ(r.json("e"), "true");
  EXPECT_EQ(
      r.errors(),
      (Errors{
          "serverless.yml:6:4: ${strToBool(yes)} cannot be resolved: strToBool takes true, false, 0 or 1, "
          "not 'yes'",
          "serverless.yml:7:4: ${strToBool()} needs a value: ${strToBool(true)}"}));
}

// --- ssm, cf, s3 --------------------------------------------------------------------------------

TEST(Variables, CloudSourcesTakeTheirFallback) {
  Resolved r = resolve(
      "a: ${ssm:/db/url, 'local'}\n"
      "b: ${cf:stack.Output, 'x'}\n"
      "c: ${s3:bucket/key, 3}\n"
      "d: ${cf(us-east-1):stack.Output, 'y'}\n"
      "e: ${ssm(raw):/p, ${env:NOPE, 'z'}}\n");
  EXPECT_EQ(r.errors(), Errors{});
  EXPECT_EQ(to_json(r.root, -1), R"({"a":"local","b":"x","c":3,"d":"y","e":"z"})");
}

TEST(Variables, CloudSourcesWithoutFallbackSayHowToSupplyTheValue) {
  Resolved r = resolve(
      "a: ${ssm:/db/url}\n"
      "b: ${cf:my-stack.BucketName}\n"
      "c: ${s3:bucket/key.txt}\n"
      "d: ${cf.us-east-1:stack.Out}\n"
      "e: ${env:URL, ssm:/x}\n");
  EXPECT_EQ(
      r.errors(),
      (Errors{
          "serverless.yml:1:4: ${ssm:/db/url} needs AWS Systems Manager, which stratus does not read; give a "
          "fallback (${ssm:/db/url, 'value'}) or pass --param db_url=... and use ${param:db_url}",
          "serverless.yml:2:4: ${cf:my-stack.BucketName} needs CloudFormation stack outputs, which stratus "
          "does not read; give a fallback (${cf:my-stack.BucketName, 'value'}) or pass --param "
          "my_stack_BucketName=... and use ${param:my_stack_BucketName}",
          "serverless.yml:3:4: ${s3:bucket/key.txt} needs Amazon S3, which stratus does not read; give a "
          "fallback (${s3:bucket/key.txt, 'value'}) or pass --param bucket_key_txt=... and use "
          "${param:bucket_key_txt}",
          "serverless.yml:4:4: ${cf.us-east-1:stack.Out} needs CloudFormation stack outputs, which stratus "
          "does not read; give a fallback (${cf.us-east-1:stack.Out, 'value'}) or pass --param "
          "stack_Out=... and use ${param:stack_Out}",
          "serverless.yml:5:4: ${env:URL, ssm:/x} cannot be resolved: environment variable 'URL' is not "
          "set, and stratus does not read AWS Systems Manager; give a fallback that always works: "
          "${env:URL, ssm:/x, 'value'}"}));
}

// --- cycles and limits -------------------------------------------------------------------------

TEST(Variables, Cycles) {
  Resolved two = resolve("custom:\n  a: ${self:custom.b}\n  b: ${self:custom.a}\n");
  EXPECT_EQ(two.errors(),
            (Errors{"serverless.yml:2:6: variable cycle: custom.a -> custom.b -> custom.a; give one of "
                    "these a value that does not refer back"}));

  Resolved three =
      resolve("custom:\n  a: x-${self:custom.b}\n  b: ${self:custom.c}\n  c: ${self:custom.a}\n");
  EXPECT_EQ(three.errors(),
            (Errors{"serverless.yml:2:6: variable cycle: custom.a -> custom.b -> custom.c -> custom.a; "
                    "give one of these a value that does not refer back"}));
  EXPECT_EQ(three.json("custom.c"), R"("${self:custom.a}")");

  Resolved self = resolve("custom:\n  a: ${self:custom.a}\n");
  EXPECT_EQ(self.errors(),
            (Errors{"serverless.yml:2:6: variable cycle: custom.a -> custom.a; give one of these a "
                    "value that does not refer back"}));

  Resolved inside = resolve("custom:\n  x: 1\n  copy: ${self:custom}\n");
  EXPECT_EQ(inside.errors(),
            (Errors{"serverless.yml:3:9: variable cycle: custom.copy -> custom -> custom.copy; give "
                    "one of these a value that does not refer back"}));

  Resolved stage = resolve("provider:\n  stage: ${sls:stage}\n");
  EXPECT_EQ(stage.errors(),
            (Errors{"serverless.yml:2:10: variable cycle: provider.stage -> provider.stage; give one "
                    "of these a value that does not refer back"}));
}

TEST(Variables, CycleThroughAFallbackIsStillACycle) {
  Resolved r =
      resolve("custom:\n  a: ${opt:x, self:custom.b}\n  b: ${self:custom.a}\n  c: ${self:custom.b, 'fb'}\n");
  EXPECT_EQ(r.diags.error_count(), 1u);
  EXPECT_EQ(r.json("custom.c"), R"("${self:custom.b, 'fb'}")");  // a failed reference does not fall back
}

TEST(Variables, LongReferenceChainsStopWithAnError) {
  std::string doc = "custom:\n";
  for (int i = 0; i < 300; ++i)
    doc += "  a" + std::to_string(i) + ": ${self:custom.a" + std::to_string(i + 1) + "}\n";
  doc += "  a300: end\n";
  Resolved r = resolve(doc);
  ASSERT_TRUE(r.diags.has_errors());
  EXPECT_NE(
      r.errors()[0].find("variables refer to variables more than 128 levels deep here; simplify the chain of "
                         "references"),
      std::string::npos);

  std::string ok = "custom:\n";
  for (int i = 0; i < 40; ++i)
    ok += "  a" + std::to_string(i) + ": ${self:custom.a" + std::to_string(i + 1) + "}\n";
  ok += "  a40: end\n";
  Resolved fine = resolve(ok);
  EXPECT_EQ(fine.errors(), Errors{});
  EXPECT_EQ(fine.json("custom.a0"), R"("end")");
}

TEST(Variables, DoublingReferencesStopAtTheBudget) {
  std::string doc = "custom:\n";
  for (int i = 0; i < 40; ++i)
    doc += "  l" + std::to_string(i) + ": ['${self:custom.l" + std::to_string(i + 1) +
           "}', '${self:custom.l" + std::to_string(i + 1) + "}']\n";
  doc += "  l40: x\n";
  auto start = std::chrono::steady_clock::now();
  Resolved r = resolve(doc);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
  ASSERT_TRUE(r.diags.has_errors());
  EXPECT_NE(r.errors()[0].find("cannot be resolved: variables expand to more than 500,000 values in all"),
            std::string::npos);

  std::string text = "custom:\n";
  for (int i = 0; i < 40; ++i)
    text += "  s" + std::to_string(i) + ": '${self:custom.s" + std::to_string(i + 1) + "}${self:custom.s" +
            std::to_string(i + 1) + "}'\n";
  text += "  s40: xxxxxxxx\n";
  Resolved s = resolve(text);
  ASSERT_TRUE(s.diags.has_errors());
  EXPECT_NE(s.errors()[0].find("grows beyond 4 MiB"), std::string::npos);
}

TEST(Variables, DeeplyNestedInputTerminates) {
  std::string deep;
  for (int i = 0; i < 10000; ++i) deep += "${env:";
  Resolved r = resolve("a: '" + deep + "'\n");
  ASSERT_EQ(r.diags.error_count(), 1u);
  EXPECT_NE(r.errors()[0].find("variables nest deeper than 32 levels"), std::string::npos);
}

// --- file() ------------------------------------------------------------------------------------

TEST(Variables, FileYamlAndJson) {
  TempDir dir;
  dir.write("config.yml", "db:\n  host: localhost\n  port: 5432\nlist: [a, b]\n");
  dir.write("config.dev.json", R"({"KEY": "json-value", "n": 7})");
  VariableContext ctx;
  ctx.service_dir = dir.path();
  Resolved r = resolve(
      "whole: ${file(./config.yml)}\n"
      "host: ${file(./config.yml):db.host}\n"
      "port: ${file(config.yml):db.port}\n"
      "item: ${file(./config.yml):list.1}\n"
      "json: ${file(./config.${opt:stage, 'dev'}.json):KEY}\n"
      "n: ${file(./config.dev.json):n}\n",
      ctx);
  EXPECT_EQ(r.errors(), Errors{});
  EXPECT_EQ(r.json("whole"), R"({"db":{"host":"localhost","port":5432},"list":["a","b"]})");
  EXPECT_EQ(r.json("host"), R"("localhost")");
  EXPECT_EQ(r.json("port"), "5432");
  EXPECT_EQ(r.json("item"), R"("b")");
  EXPECT_EQ(r.json("json"), R"("json-value")");
  EXPECT_EQ(r.json("n"), "7");
  // Values from the file keep their marks in it.
  EXPECT_EQ(r.at("whole.db.port").mark.file, "config.yml");
  EXPECT_EQ(r.at("whole.db.port").mark.line, 3);
  EXPECT_EQ(r.at("whole").mark.file, "serverless.yml");
}

TEST(Variables, FileContentIsSubstitutedThenResolvedInPlace) {
  // As in the Serverless Framework: custom: ${file(./shared.yml):custom} whose values refer to
  // ${self:custom.x} resolves, because the content stands at `custom` before its variables resolve.
  TempDir dir;
  dir.write("shared.yml",
            "custom:\n  stage: ${opt:stage, 'dev'}\n  hosts: {dev: d.example, qa: q.example}\n"
            "  domain: ${self:custom.hosts.${self:custom.stage}}\n");
  VariableContext ctx;
  ctx.service_dir = dir.path();
  ctx.options["stage"] = "qa";
  Resolved r = resolve("service: svc\ncustom: ${file(./shared.yml):custom}\n", ctx);
  EXPECT_EQ(r.errors(), Errors{});
  EXPECT_EQ(r.json("custom.domain"), R"("q.example")");
  // A real cycle through file content is still one.
  dir.write("loop.yml", "a: ${self:custom.b}\nb: ${self:custom.a}\n");
  Resolved loop = resolve("service: svc\ncustom: ${file(./loop.yml)}\n", ctx);
  ASSERT_FALSE(loop.errors().empty());
  EXPECT_NE(loop.errors()[0].find("variable cycle: "), std::string::npos) << loop.errors()[0];
}

TEST(Variables, FileVariablesResolveInTheContextOfTheManifest) {
  TempDir dir;
  dir.write("custom.yml", "name: ${self:service}-${sls:stage}\nbad: ${env:NOT_SET}\nfine: ok\n");
  VariableContext ctx;
  ctx.service_dir = dir.path();
  ctx.options["stage"] = "qa";
  Resolved r =
      resolve("service: svc\ncustom: ${file(./custom.yml)}\nname: ${file(./custom.yml):name}\n", ctx);
  EXPECT_EQ(r.json("name"), R"("svc-qa")");
  // The error in the file points into the file.
  EXPECT_EQ(r.errors(),
            (Errors{"custom.yml:2:6: ${env:NOT_SET} cannot be resolved: environment variable 'NOT_SET' "
                    "is not set; set it, or give a fallback: ${env:NOT_SET, 'value'}"}));
  // The content was substituted first, so the failing value is named where it now stands.
  EXPECT_EQ(r.diags.items()[0].path, "custom.bad");
  // ...and the file's text is known, so the error can quote its line.
  EXPECT_EQ(r.sources.line("custom.yml", 2).value_or(""), "bad: ${env:NOT_SET}");
  // The address `name` resolved although `bad` did not; the whole-file copy keeps what failed as written.
  EXPECT_EQ(r.json("custom"), R"({"name":"svc-qa","bad":"${env:NOT_SET}","fine":"ok"})");
}

TEST(Variables, FileMissingFileAndMissingAddress) {
  TempDir dir;
  dir.write("config.yml", "db:\n  host: h\n");
  VariableContext ctx;
  ctx.service_dir = dir.path();
  Resolved r = resolve(
      "a: ${file(./nope.yml):x, 'fallback'}\n"
      "b: ${file(./nope.yml):x}\n"
      "c: ${file(./config.yml):db.hots}\n"
      "d: ${file(./config.yml):db.port, 5432}\n",
      ctx);
  EXPECT_EQ(r.json("a"), R"("fallback")");
  EXPECT_EQ(r.json("d"), "5432");
  EXPECT_EQ(
      r.errors(),
      (Errors{
          "serverless.yml:2:4: ${file(./nope.yml):x} cannot be resolved: file './nope.yml' does not exist; "
          "create it, or give a fallback: ${file(./nope.yml):x, 'value'}",
          "serverless.yml:3:4: ${file(./config.yml):db.hots} cannot be resolved: 'db.hots' is not set in "
          "config.yml (did you mean 'db.host'?)"}));
}

TEST(Variables, FileJavaScriptAndBadUses) {
  TempDir dir;
  dir.write("config.js", "module.exports = {}");
  dir.write("sub/x.yml", "a: 1\n");
  VariableContext ctx;
  ctx.service_dir = dir.path();
  Resolved r = resolve(
      "a: ${file(./config.js):rate}\n"
      "b: ${file(./config.js):rate, 'fb'}\n"
      "c: ${file:./sub/x.yml}\n"
      "d: ${file(./sub)}\n"
      "e: ${file(sub/x.yml):a}\n",
      ctx);
  EXPECT_EQ(r.json("e"), "1");
  EXPECT_EQ(
      r.errors(),
      (Errors{
          "serverless.yml:1:4: ${file(./config.js):rate} reads a JavaScript file, which stratus does not "
          "run; put the values in a .yml or .json file instead: ${file(./config.yml):rate}",
          "serverless.yml:2:4: ${file(./config.js):rate, 'fb'} reads a JavaScript file, which stratus does "
          "not run; put the values in a .yml or .json file instead: ${file(./config.yml):rate, 'fb'}",
          "serverless.yml:3:4: ${file:./sub/x.yml} needs its path in parentheses: ${file(./sub/x.yml)}",
          "serverless.yml:4:4: ${file(./sub)} cannot read ./sub: it is a folder"}));
}

TEST(Variables, FileSyntaxErrorsAreReportedOnceInTheFile) {
  TempDir dir;
  dir.write("broken.yml", "a: [1, 2\n");
  VariableContext ctx;
  ctx.service_dir = dir.path();
  Resolved r = resolve("a: ${file(./broken.yml):a}\nb: ${file(./broken.yml):a}\n", ctx);
  ASSERT_EQ(r.diags.error_count(), 1u);
  EXPECT_EQ(r.diags.items()[0].mark.file, "broken.yml");
  EXPECT_EQ(r.json("b"), R"("${file(./broken.yml):a}")");
}

TEST(Variables, FilePathsAreRelativeToTheServiceEvenInsideAFile) {
  TempDir dir;
  dir.write("conf/a.yml", "x: ${file(./conf/b.yml):y}\n");
  dir.write("conf/b.yml", "y: from-b\n");
  dir.write("shared.yml", "s: shared\n");
  VariableContext ctx;
  ctx.service_dir = dir.path() / "conf" / "..";
  Resolved r = resolve("a: ${file(./conf/a.yml):x}\nb: ${file(conf/../shared.yml):s}\n", ctx);
  EXPECT_EQ(r.errors(), Errors{});
  EXPECT_EQ(r.json("a"), R"("from-b")");
  EXPECT_EQ(r.json("b"), R"("shared")");
}

TEST(Variables, FileOtherExtensionsAreText) {
  TempDir dir;
  dir.write("cert.pem", "-----BEGIN-----\n");
  VariableContext ctx;
  ctx.service_dir = dir.path();
  EXPECT_EQ(resolve("a: ${file(./cert.pem)}\n", ctx).json("a"), R"("-----BEGIN-----\n")");
}

TEST(Variables, FileCycleThroughAFile) {
  TempDir dir;
  dir.write("a.yml", "x: ${file(./a.yml):y}\ny: ${file(./a.yml):x}\n");
  VariableContext ctx;
  ctx.service_dir = dir.path();
  Resolved r = resolve("v: ${file(./a.yml):x}\n", ctx);
  EXPECT_EQ(r.errors(),
            (Errors{"a.yml:1:4: variable cycle: file(a.yml):x -> file(a.yml):y -> file(a.yml):x; give one "
                    "of these a value that does not refer back"}));
}

// --- .env --------------------------------------------------------------------------------------

TEST(Variables, DotenvIsReadWhenAskedFor) {
  TempDir dir;
  dir.write(".env", "FROM_FILE=file\nSHARED=file\nURL=https://${FROM_FILE}\n");
  VariableContext ctx;
  ctx.service_dir = dir.path();
  ctx.env = {{"SHARED", "process"}};
  const char* doc = "a: ${env:FROM_FILE, 'unset'}\nb: ${env:SHARED}\nc: ${env:URL, 'unset'}\n";
  Resolved off = resolve(doc, ctx);
  EXPECT_EQ(off.json("a"), R"("unset")");

  Resolved on = resolve(std::string("useDotenv: true\n") + doc, ctx);
  EXPECT_EQ(on.errors(), Errors{});
  EXPECT_EQ(on.json("a"), R"("file")");
  EXPECT_EQ(on.json("b"), R"("process")");  // the process environment wins
  EXPECT_EQ(on.json("c"), R"("https://file")");
}

TEST(Variables, DotenvStageFileReplacesTheDefaultOne) {
  TempDir dir;
  dir.write(".env", "A=default\nONLY_DEFAULT=1\n");
  dir.write(".env.prod", "A=prod\n");
  VariableContext ctx;
  ctx.service_dir = dir.path();
  const char* doc =
      "useDotenv: true\nprovider:\n  stage: ${env:STAGE_NAME, 'prod'}\n"
      "a: ${env:A}\nb: ${env:ONLY_DEFAULT, 'absent'}\n";
  Resolved prod = resolve(doc, ctx);  // provider.stage resolves to prod
  EXPECT_EQ(prod.errors(), Errors{});
  EXPECT_EQ(prod.json("a"), R"("prod")");
  EXPECT_EQ(prod.json("b"), R"("absent")");

  ctx.options["stage"] = "dev";
  Resolved dev = resolve(doc, ctx);
  EXPECT_EQ(dev.json("a"), R"("default")");
  EXPECT_EQ(dev.json("b"), R"("1")");
}

TEST(Variables, DotenvThatCannotBeRead) {
  TempDir dir;
  std::filesystem::create_directory(dir.path() / ".env");
  VariableContext ctx;
  ctx.service_dir = dir.path();
  Resolved r = resolve("useDotenv: true\n", ctx);
  EXPECT_EQ(r.errors(), (Errors{".env: cannot read .env: Is a directory"}));
}

// --- effective stage and region, speed ---------------------------------------------------------

TEST(Variables, EffectiveStageAndRegion) {
  Value root = Value::map();
  VariableContext ctx;
  EXPECT_EQ(effective_stage(root, ctx), "dev");
  EXPECT_EQ(effective_region(root, ctx), "us-east-1");
  root.set("provider", Value::map()).set("stage", Value("qa"));
  root.find("provider")->set("region", Value("eu-central-1"));
  EXPECT_EQ(effective_stage(root, ctx), "qa");
  EXPECT_EQ(effective_region(root, ctx), "eu-central-1");
  ctx.options = {{"stage", "prod"}, {"region", "us-west-2"}};
  EXPECT_EQ(effective_stage(root, ctx), "prod");
  EXPECT_EQ(effective_region(root, ctx), "us-west-2");
}

TEST(Variables, EffectiveStageAfterResolution) {
  Resolved r = resolve("provider:\n  stage: ${opt:s, 'beta'}\n  region: ${opt:r, 'eu-west-3'}\n");
  EXPECT_EQ(effective_stage(r.root, {}), "beta");
  EXPECT_EQ(effective_region(r.root, {}), "eu-west-3");
}

TEST(Variables, ANonMapDocumentIsFine) {
  Resolved r = resolve("${opt:x, 'top'}\n");
  EXPECT_EQ(r.json(""), R"("top")");
  Resolved empty = resolve("");
  EXPECT_TRUE(empty.root.is_null());
  EXPECT_EQ(empty.errors(), Errors{});
}

TEST(Variables, AFewHundredLinesResolveQuickly) {
  std::string doc = "service: svc\nprovider:\n  stage: ${opt:stage, 'dev'}\ncustom:\n  base: b\nfunctions:\n";
  for (int i = 0; i < 100; ++i) {
    std::string n = std::to_string(i);
    doc += "  f" + n + ":\n    handler: h.f" + n + "\n    name: ${self:service}-${sls:stage}-f" + n +
           "\n    environment:\n      T: ${self:custom.base}\n      R: ${aws:region}\n";
  }
  Sources sources;
  Diagnostics diags;
  Value root = parse_document(doc, "serverless.yml", sources, diags);
  auto start = std::chrono::steady_clock::now();
  resolve_variables(root, {}, sources, diags);
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_FALSE(diags.has_errors());
  EXPECT_EQ(root.at_path("functions.f99.name")->as_string(), "svc-dev-f99");
  EXPECT_LT(took, std::chrono::milliseconds(50));  // typically well under 1 ms
}

}  // namespace
}  // namespace stratus::manifest
