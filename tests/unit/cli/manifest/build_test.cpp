#include "cli/manifest/build.hpp"

#include <gtest/gtest.h>

#include "cli/manifest/emit.hpp"
#include "cli/manifest/load.hpp"

namespace stratus::manifest {
namespace {

struct Built {
  Service service;
  Diagnostics diags;
};

Built build(const std::string& text, const std::string& stage = "dev") {
  Sources sources;
  Built b;
  Value root = parse_document(text, "serverless.yml", sources, b.diags);
  b.service = build_service(root, "/svc/serverless.yml", stage, "us-east-1", b.diags);
  return b;
}

std::string first_error(const Built& b) {
  for (const auto& d : b.diags.items())
    if (d.severity == Severity::Error) return d.message;
  return "";
}

const std::string kHeader = "service: shop\nprovider:\n  name: aws\n  runtime: python3.12\n";

TEST(Build, DefaultsFromProviderAndLambda) {
  auto b = build(kHeader +
                 "  memorySize: 256\n  environment: {A: a, B: b}\nfunctions:\n  hello:\n"
                 "    handler: h.hello\n    environment: {B: override}\n");
  ASSERT_FALSE(b.diags.has_errors()) << first_error(b);
  const Function& f = b.service.functions.at(0);
  EXPECT_EQ(f.name, "shop-dev-hello");
  EXPECT_EQ(f.memory_size, 256);
  EXPECT_EQ(f.timeout, 6);
  EXPECT_EQ(f.runtime, "python3.12");
  EXPECT_EQ(f.architecture, "x86_64");
  EXPECT_EQ(f.ephemeral_storage_size, 512);
  EXPECT_EQ(to_json(f.environment, -1), R"({"A":"a","B":"override"})");
  EXPECT_EQ(b.service.dir, "/svc");
}

TEST(Build, HttpShorthandAndObjectForms) {
  auto b = build(kHeader +
                 "functions:\n  f:\n    handler: h.f\n    events:\n      - http: get users/{id}\n"
                 "      - http:\n          path: /x\n          method: POST\n          cors: true\n"
                 "          integration: AWS_PROXY\n");
  ASSERT_FALSE(b.diags.has_errors()) << first_error(b);
  const auto& e0 = std::get<HttpEvent>(b.service.functions[0].events[0].detail);
  EXPECT_EQ(e0.method, "GET");
  EXPECT_EQ(e0.path, "/users/{id}");
  const auto& e1 = std::get<HttpEvent>(b.service.functions[0].events[1].detail);
  EXPECT_EQ(e1.method, "POST");
  EXPECT_TRUE(e1.cors);
  EXPECT_EQ(e1.integration, "lambda-proxy");
}

TEST(Build, HttpApiRoutesAndPayload) {
  auto b = build(kHeader +
                 "  httpApi:\n    payload: '1.0'\nfunctions:\n  f:\n    handler: h.f\n    events:\n"
                 "      - httpApi: '*'\n      - httpApi:\n          path: /p\n      - httpApi: DELETE /d\n");
  ASSERT_FALSE(b.diags.has_errors()) << first_error(b);
  const auto& ev = b.service.functions[0].events;
  EXPECT_EQ(std::get<HttpApiEvent>(ev[0].detail).path, "*");
  EXPECT_EQ(std::get<HttpApiEvent>(ev[1].detail).method, "*");
  EXPECT_EQ(std::get<HttpApiEvent>(ev[2].detail).method, "DELETE");
  EXPECT_EQ(std::get<HttpApiEvent>(ev[2].detail).payload, "1.0");
}

TEST(Build, AFunctionsHttpApiPayloadOverridesTheProviders) {
  auto b = build(kHeader +
                 "  httpApi:\n    payload: '1.0'\nfunctions:\n"
                 "  legacy:\n    handler: h.f\n    httpApi:\n      payload: '2.0'\n    events:\n"
                 "      - httpApi: GET /a\n"
                 "  other:\n    handler: h.f\n    events:\n      - httpApi: GET /b\n");
  ASSERT_FALSE(b.diags.has_errors()) << first_error(b);
  EXPECT_EQ(std::get<HttpApiEvent>(b.service.functions[0].events[0].detail).payload, "2.0");
  EXPECT_EQ(std::get<HttpApiEvent>(b.service.functions[1].events[0].detail).payload, "1.0");
  b = build(kHeader +
            "functions:\n  f:\n    handler: h.f\n    httpApi:\n      payload: '1.0'\n"
            "    events:\n      - httpApi: GET /a\n");
  EXPECT_EQ(std::get<HttpApiEvent>(b.service.functions[0].events[0].detail).payload, "1.0");
}

TEST(Build, BadMethodSuggestsTheClosest) {
  auto b = build(kHeader + "functions:\n  f:\n    handler: h.f\n    events:\n      - http: GETT /users\n");
  EXPECT_EQ(
      first_error(b),
      "functions.f.events.0.http: unknown HTTP method 'GETT' (did you mean 'GET'?); use one of GET, POST, "
      "PUT, PATCH, DELETE, HEAD, OPTIONS, ANY");
}

TEST(Build, ScheduleExpressionsAreChecked) {
  auto ok = build(
      kHeader +
      "functions:\n  f:\n    handler: h.f\n    events:\n      - schedule: rate(5 minutes)\n"
      "      - schedule:\n          rate:\n            - cron(0 1 * * ? *)\n            - rate(1 hour)\n"
      "          input: {a: 1}\n");
  ASSERT_FALSE(ok.diags.has_errors()) << first_error(ok);
  const auto& s = std::get<ScheduleEvent>(ok.service.functions[0].events[1].detail);
  EXPECT_EQ(s.expressions.size(), 2u);
  ASSERT_TRUE(s.input.has_value());

  auto bad =
      build(kHeader + "functions:\n  f:\n    handler: h.f\n    events:\n      - schedule: rate(5 minute)\n");
  EXPECT_EQ(first_error(bad).rfind("invalid rate expression 'rate(5 minute)'", 0), 0u) << first_error(bad);
  EXPECT_EQ(bad.diags.items()[0].mark.line, 9);
}

TEST(Build, SqsArnsFromStringsAndIntrinsics) {
  auto b = build(kHeader +
                 "functions:\n  f:\n    handler: h.f\n    events:\n"
                 "      - sqs: arn:aws:sqs:us-east-1:123456789012:jobs.fifo\n"
                 "      - sqs:\n          arn: !GetAtt Queue.Arn\n          batchSize: 100\n"
                 "          maximumBatchingWindow: 5\n"
                 "resources:\n  Resources:\n    Queue:\n      Type: AWS::SQS::Queue\n"
                 "      Properties:\n        QueueName: work\n");
  ASSERT_FALSE(b.diags.has_errors()) << first_error(b);
  EXPECT_EQ(std::get<SqsEvent>(b.service.functions[0].events[0].detail).queue_name, "jobs.fifo");
  const auto& s = std::get<SqsEvent>(b.service.functions[0].events[1].detail);
  EXPECT_EQ(s.queue_name, "work");
  EXPECT_EQ(s.batch_size, 100);
}

TEST(Build, SqsBatchRules) {
  auto b = build(kHeader +
                 "functions:\n  f:\n    handler: h.f\n    events:\n"
                 "      - sqs:\n          arn: arn:aws:sqs:us-east-1:1:q\n          batchSize: 50\n");
  EXPECT_EQ(first_error(b),
            "functions.f.events.0.sqs.batchSize above 10 needs maximumBatchingWindow of at least 1 second "
            "(AWS rule)");
}

TEST(Build, S3EventsWithRules) {
  auto b = build(kHeader +
                 "functions:\n  f:\n    handler: h.f\n    events:\n      - s3:\n          bucket: up\n"
                 "          event: s3:ObjectRemoved:*\n          rules:\n            - prefix: in/\n"
                 "            - suffix: .csv\n          existing: true\n");
  ASSERT_FALSE(b.diags.has_errors()) << first_error(b);
  const auto& s = std::get<S3Event>(b.service.functions[0].events[0].detail);
  EXPECT_EQ(s.bucket, "up");
  EXPECT_EQ(s.event, "s3:ObjectRemoved:*");
  EXPECT_EQ(s.prefix, "in/");
  EXPECT_EQ(s.suffix, ".csv");
  EXPECT_TRUE(s.existing);
}

TEST(Build, OtherEventTypesAreKept) {
  auto b = build(kHeader +
                 "functions:\n  f:\n    handler: h.f\n    events:\n      - sns: topic\n"
                 "      - eventBridge:\n          pattern: {source: [a]}\n");
  ASSERT_FALSE(b.diags.has_errors());
  EXPECT_EQ(b.service.functions[0].events[0].type, "sns");
  EXPECT_TRUE(std::holds_alternative<OtherEvent>(b.service.functions[0].events[1].detail));
  EXPECT_EQ(to_json(b.service.functions[0].events[1].raw, -1), R"({"pattern":{"source":["a"]}})");
}

TEST(Build, IncludeExcludeFoldIntoPatternsWithAWarning) {
  auto b = build(kHeader +
                 "package:\n  exclude: [tests/**]\n  include: [tests/keep.py]\n  patterns: ['!x']\n"
                 "functions:\n  f:\n    handler: h.f\n");
  EXPECT_FALSE(b.diags.has_errors());
  EXPECT_EQ(b.service.package.patterns, (std::vector<std::string>{"!tests/**", "tests/keep.py", "!x"}));
  ASSERT_EQ(b.diags.items().size(), 1u);
  EXPECT_EQ(
      b.diags.items()[0].message,
      "package.include and package.exclude are deprecated; use package.patterns (excludes as '!pattern')");
}

TEST(Build, HandlerShapeAndDeployedNameLength) {
  auto b = build(kHeader + "functions:\n  f:\n    handler: justafile\n");
  EXPECT_EQ(first_error(b),
            "functions.f.handler must be 'file.function' (e.g. handler.hello for hello() in handler.py or "
            "handler.js), got 'justafile'");
  auto n = build("service: " + std::string(60, 'a') +
                 "\nprovider: {name: aws}\nfunctions:\n  f:\n    handler: h.f\n");
  EXPECT_EQ(first_error(n).rfind("the deployed name of functions.f is '", 0), 0u);
}

TEST(Build, IntrinsicRecognition) {
  Sources sources;
  Diagnostics diags;
  Value v = parse_document("a: {Ref: X}\nb: {'Fn::Sub': s}\nc: {Ref: X, Other: y}\nd: {Condition: C}\n", "f",
                           sources, diags);
  EXPECT_TRUE(is_intrinsic(*v.find("a")));
  EXPECT_TRUE(is_intrinsic(*v.find("b")));
  EXPECT_FALSE(is_intrinsic(*v.find("c")));
  EXPECT_TRUE(is_intrinsic(*v.find("d")));
}

}  // namespace
}  // namespace stratus::manifest
