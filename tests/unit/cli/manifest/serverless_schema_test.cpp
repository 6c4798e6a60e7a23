// schemas/serverless.schema.json, as embedded and compiled by serverless_schema(): realistic
// manifests validate clean, mistakes give the exact messages a user will read.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cli/manifest/load.hpp"
#include "cli/manifest/schema.hpp"
#include "emulator/common/embedded.hpp"
#include "tests/support/parse.hpp"

namespace stratus::manifest {
namespace {

Value yaml(const std::string& text) {
  return test_support::parse_yaml(text);
}

std::vector<SchemaError> errors_of(const std::string& manifest) {
  std::vector<SchemaError> errors;
  bool ok = serverless_schema().validate(yaml(manifest), errors);
  EXPECT_EQ(ok, errors.empty());
  return errors;
}

std::vector<std::string> messages_of(const std::string& manifest) {
  std::vector<std::string> out;
  for (const auto& e : errors_of(manifest)) out.push_back(e.message);
  return out;
}

using Messages = std::vector<std::string>;

// A Node.js service: HTTP API with a JWT authorizer, SQS worker on an intrinsic ARN, schedules,
// S3 notifications, IAM statements and CloudFormation resources in long and short form.
const char* kOrdersService = R"(
service: orders-api
frameworkVersion: '3'
configValidationMode: error
useDotenv: true

provider:
  name: aws
  runtime: nodejs20.x
  architecture: arm64
  stage: dev
  region: eu-west-1
  memorySize: 512
  timeout: 10
  logRetentionInDays: 14
  tracing:
    lambda: true
    apiGateway: true
  environment:
    TABLE_NAME: !Ref OrdersTable
    QUEUE_URL: !GetAtt OrdersQueue.QueueUrl
    STAGE: dev
    DEBUG: false
    MAX_ITEMS: 25
    TOPIC_ARN:
      Fn::Join: [':', ['arn:aws:sns', {Ref: 'AWS::Region'}, {Ref: 'AWS::AccountId'}, 'orders']]
  httpApi:
    cors: true
    authorizers:
      jwt:
        type: jwt
        identitySource: $request.header.Authorization
        issuerUrl: https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc
        audience: [abc]
  iam:
    role:
      statements:
        - Effect: Allow
          Action: [dynamodb:GetItem, dynamodb:PutItem, dynamodb:Query]
          Resource:
            - !GetAtt OrdersTable.Arn
            - Fn::Join: ['/', [!GetAtt OrdersTable.Arn, 'index/*']]
        - Effect: Allow
          Action: sqs:SendMessage
          Resource: !GetAtt OrdersQueue.Arn
  deploymentBucket:
    name: my-deployments-bucket
    serverSideEncryption: AES256
  tags:
    team: payments
    cost-center: 1234
  stackTags:
    project: orders

package:
  individually: true
  patterns:
    - '!**/*.test.js'
    - '!.git/**'

functions:
  createOrder:
    handler: src/orders/create.handler
    description: Creates an order
    memorySize: 1024
    events:
      - httpApi:
          method: POST
          path: /orders
          authorizer:
            name: jwt
            scopes: [orders/write]
  getOrder:
    handler: src/orders/get.handler
    events:
      - httpApi: 'GET /orders/{id}'
  processOrder:
    handler: src/orders/process.handler
    timeout: 60
    reservedConcurrency: 5
    maximumRetryAttempts: 1
    maximumEventAge: 3600
    destinations:
      onFailure: arn:aws:sqs:eu-west-1:123456789012:orders-dlq
    events:
      - sqs:
          arn:
            Fn::GetAtt: [OrdersQueue, Arn]
          batchSize: 10
          maximumBatchingWindow: 5
          functionResponseType: ReportBatchItemFailures
          filterPatterns:
            - body: {kind: [order]}
  nightlyReport:
    handler: src/reports/nightly.handler
    events:
      - schedule: cron(0 2 * * ? *)
      - schedule:
          rate: [rate(12 hours)]
          enabled: false
          input:
            kind: catch-up
  thumbnails:
    handler: src/media/thumbs.handler
    ephemeralStorageSize: 2048
    events:
      - s3:
          bucket: media-uploads-dev
          event: s3:ObjectCreated:*
          rules:
            - prefix: uploads/
            - suffix: .jpg

resources:
  Resources:
    OrdersTable:
      Type: AWS::DynamoDB::Table
      DeletionPolicy: Retain
      Properties:
        BillingMode: PAY_PER_REQUEST
        AttributeDefinitions:
          - AttributeName: id
            AttributeType: S
        KeySchema:
          - AttributeName: id
            KeyType: HASH
    OrdersQueue:
      Type: AWS::SQS::Queue
      Properties:
        VisibilityTimeout: 360
        RedrivePolicy:
          deadLetterTargetArn: !GetAtt OrdersDLQ.Arn
          maxReceiveCount: 3
    OrdersDLQ:
      Type: AWS::SQS::Queue
  Outputs:
    OrdersQueueUrl:
      Value: !Ref OrdersQueue
      Export:
        Name: dev-orders-queue-url
  Conditions:
    IsProd:
      Fn::Equals: [dev, prod]

plugins:
  - serverless-offline
  - serverless-esbuild

custom:
  esbuild:
    bundle: true
    minify: false
  serverless-offline:
    httpPort: 4000
)";

// A Python service in older styles: service object form, REST API events, deprecated
// iamRoleStatements and package include/exclude, VPC, layers, a function URL, container image,
// resources as a list, plugins as an object, and loosely checked event types.
const char* kLegacyReports = R"(
service:
  name: legacy-reports
frameworkVersion: '>=3.0.0 <4.0.0'
provider:
  name: aws
  runtime: python3.12
  region: us-east-1
  profile: prod
  stage: prod
  endpointType: REGIONAL
  apiGateway:
    binaryMediaTypes: ['image/png']
    apiKeys:
      - reports-key
    usagePlan:
      quota:
        limit: 5000
        period: MONTH
  iamRoleStatements:
    - Effect: Allow
      Action:
        - s3:GetObject
      Resource: arn:aws:s3:::reports-bucket/*
  vpc:
    securityGroupIds:
      - sg-0123456789abcdef0
    subnetIds:
      - subnet-0123456789abcdef0
      - subnet-0fedcba9876543210
  layers:
    - arn:aws:lambda:us-east-1:123456789012:layer:pandas:3
  environment:
    BUCKET: reports-bucket
    LOG_LEVEL: INFO
    EMPTY:
  logs:
    restApi: true
  versionFunctions: false
functions:
  report:
    handler: reports/handler.main
    timeout: '29'
    url:
      authorizer: aws_iam
      cors:
        allowedOrigins: ['https://example.com']
    layers:
      - {Ref: CommonLambdaLayer}
    events:
      - http:
          path: reports/{id}
          method: get
          cors: true
          private: true
          request:
            parameters:
              paths:
                id: true
      - http: POST /reports
      - http:
          path: reports/legacy
          method: ANY
          integration: LAMBDA
          async: true
      - sns: arn:aws:sns:us-east-1:123456789012:reports
      - stream:
          type: dynamodb
          arn: !GetAtt ReportsTable.StreamArn
      - eventBridge:
          pattern:
            source: [aws.s3]
  warmer:
    image:
      name: warmer
    events:
      - schedule: rate(5 minutes)
      - cloudwatchLog: /aws/lambda/report
      - websocket: $connect
layers:
  common:
    path: layers/common
    compatibleRuntimes: [python3.12]
package:
  exclude: [tests/**]
  include: [reports/**]
  excludeDevDependencies: false
resources:
  - Resources:
      ReportsTable:
        Type: AWS::DynamoDB::Table
        Properties:
          StreamSpecification:
            StreamViewType: NEW_IMAGE
  - Outputs:
      TableName:
        Value: !Ref ReportsTable
plugins:
  localPath: ./plugins
  modules: [local-plugin]
)";

// The smallest manifest, to which each bad case below adds one mistake.
std::string minimal(const std::string& provider_extra, const std::string& function_extra,
                    const std::string& top_extra = "") {
  return "service: demo\nprovider:\n  name: aws\n  runtime: nodejs20.x\n" + provider_extra +
         "functions:\n  hello:\n    handler: handler.main\n" + function_extra + top_extra;
}

TEST(ServerlessSchema, EmbeddedSchemaCompilesWithDefaults) {
  const EmbeddedFile* file = find_embedded(embedded_schemas(), "serverless.schema.json");
  ASSERT_NE(file, nullptr);
  Value doc = yaml(std::string(file->data));
  EXPECT_EQ(doc.at_path("$schema")->as_string(), "http://json-schema.org/draft-07/schema#");
  EXPECT_EQ(doc.at_path("definitions.memorySize.default")->as_int(), 1024);
  EXPECT_EQ(doc.at_path("definitions.timeout.default")->as_int(), 6);
  EXPECT_NO_THROW(Schema{doc}) << "every pattern builds (the CLI builds them lazily)";
  EXPECT_EQ(&serverless_schema(), &serverless_schema()) << "compiled once";
}

TEST(ServerlessSchema, RealisticManifestsValidateClean) {
  EXPECT_EQ(messages_of(kOrdersService), Messages{});
  EXPECT_EQ(messages_of(kLegacyReports), Messages{});
  EXPECT_EQ(messages_of(minimal("", "")), Messages{});
}

TEST(ServerlessSchema, TypesAndRanges) {
  EXPECT_EQ(messages_of(minimal("  memorySize: big\n", "")),
            Messages{"provider.memorySize must be an integer (got string 'big')"});
  EXPECT_EQ(messages_of(minimal("", "    timeout: 1200\n")),
            Messages{"functions.hello.timeout must be at most 900 (got 1200)"});
  EXPECT_EQ(messages_of(minimal("", "    memorySize: 64\n")),
            Messages{"functions.hello.memorySize must be at least 128 (got 64)"});
  EXPECT_EQ(messages_of(minimal("", "    ephemeralStorageSize: 20000\n")),
            Messages{"functions.hello.ephemeralStorageSize must be at most 10240 (got 20000)"});
  EXPECT_EQ(messages_of(minimal("", "    maximumRetryAttempts: 3\n")),
            Messages{"functions.hello.maximumRetryAttempts must be at most 2 (got 3)"});
  EXPECT_EQ(
      messages_of(minimal("  logRetentionInDays: 10\n", "")),
      Messages{
          "provider.logRetentionInDays must be a retention CloudWatch Logs allows: 1, 3, 5, 7, 14, 30, 60, "
          "90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653 days (got 10)"});
  EXPECT_EQ(
      messages_of(minimal("  environment:\n    MY-VAR: x\n", "")),
      Messages{
          "key 'MY-VAR' in provider.environment must be a valid environment variable name: letters, digits "
          "and underscores, not starting with a digit (got 'MY-VAR')"});
  EXPECT_EQ(
      messages_of(minimal("  environment:\n    LIST: [a, b]\n", "")),
      Messages{
          "provider.environment.LIST must be a string, a number, a boolean or a CloudFormation intrinsic "
          "(got array)"});
}

TEST(ServerlessSchema, EnumsSuggestTheIntendedValue) {
  EXPECT_EQ(
      messages_of(minimal("  architecture: arm\n", "")),
      Messages{"provider.architecture must be one of: x86_64, arm64 (got 'arm'; did you mean 'arm64'?)"});
  EXPECT_EQ(
      messages_of(minimal("", "    runtime: nodejs12.x\n")),
      Messages{"functions.hello.runtime must be a Lambda runtime such as nodejs22.x, python3.13, java21 or "
               "provided.al2023 (got 'nodejs12.x'; did you mean 'nodejs22.x'?)"});
  EXPECT_EQ(
      messages_of(minimal("", "    events:\n      - http: {path: /x, method: get, integration: lamda}\n")),
      Messages{"functions.hello.events.0.http.integration must be one of: lambda-proxy, lambda, http-proxy, "
               "http, mock (got 'lamda'; did you mean 'lambda'?)"});
  EXPECT_EQ(messages_of("service: demo\nprovider:\n  name: azure\n"),
            Messages{"provider.name must be aws or stratus (got 'azure')"});
  EXPECT_EQ(messages_of("service: my service\nprovider: {name: aws}\n"),
            Messages{"service must be at least 2 characters, start with a letter and contain only letters, "
                     "digits and hyphens (got 'my service')"});
  EXPECT_EQ(messages_of("service: a\nprovider: {name: aws}\n"),
            Messages{"service must be at least 2 characters, start with a letter and contain only letters, "
                     "digits and hyphens (got 'a')"});
}

TEST(ServerlessSchema, UnknownKeysAreWarningsWithSuggestions) {
  auto errors = errors_of(minimal("", "    handlr: x\n", "servce: demo2\n"));
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].kind, SchemaError::Kind::UnknownKey);
  EXPECT_EQ(errors[0].message, "unknown key 'handlr' in functions.hello (did you mean 'handler'?)");
  EXPECT_EQ(errors[0].mark.line, 8);
  EXPECT_EQ(errors[0].mark.column, 5);
  EXPECT_EQ(errors[1].kind, SchemaError::Kind::UnknownKey);
  EXPECT_EQ(errors[1].message, "unknown top-level key 'servce' (did you mean 'service'?)");
  EXPECT_EQ(messages_of(minimal("  memorysize: 512\n", "")),
            Messages{"unknown key 'memorysize' in provider (did you mean 'memorySize'?)"});
  // A missing handler is reported too when the key is misspelt.
  EXPECT_EQ(messages_of("service: demo\nprovider: {name: aws}\nfunctions:\n  hello:\n    handlr: x\n"),
            (Messages{"unknown key 'handlr' in functions.hello (did you mean 'handler'?)",
                      "functions.hello is missing required key 'handler'"}));
}

TEST(ServerlessSchema, EventsNameExactlyOneKnownType) {
  auto errors = errors_of(minimal("", "    events:\n      - htpApi: 'GET /'\n"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].kind, SchemaError::Kind::Other);
  EXPECT_EQ(errors[0].message, "unknown event type 'htpApi' (did you mean 'httpApi'?)");
  EXPECT_EQ(errors[0].path, "functions.hello.events.0.htpApi");
  EXPECT_EQ(errors[0].mark.line, 9);
  EXPECT_EQ(errors[0].mark.column, 9);
  EXPECT_EQ(
      messages_of(minimal("", "    events:\n      - httpApi: 'GET /'\n        cors: true\n")),
      (Messages{
          "functions.hello.events.0 must be a mapping with exactly one key, the event type such as httpApi, "
          "sqs or schedule (got 2 keys)",
          "unknown event type 'cors'"}));
  EXPECT_EQ(
      messages_of(minimal("", "    events:\n      - http\n")),
      Messages{
          "functions.hello.events.0 must be a mapping with exactly one key, the event type such as httpApi, "
          "sqs or schedule (got 'http')"});
  EXPECT_EQ(
      messages_of(minimal("", "    events:\n      - 5\n")),
      Messages{
          "functions.hello.events.0 must be a mapping with exactly one key, the event type such as httpApi, "
          "sqs or schedule (got 5)"});
  EXPECT_EQ(
      messages_of(minimal("", "    events:\n      - alexaSkill\n      - alexaSkill: amzn1.ask.skill.1\n")),
      Messages{})
      << "the deprecated bare alexaSkill still works";
}

TEST(ServerlessSchema, EventDetails) {
  EXPECT_EQ(messages_of(minimal(
                "", "    events:\n      - sqs: {arn: 'arn:aws:sqs:us-east-1:1:q', batchSize: 20000}\n")),
            Messages{"functions.hello.events.0.sqs.batchSize must be at most 10000 (got 20000)"});
  EXPECT_EQ(messages_of(minimal("", "    events:\n      - sqs: {batchSize: 5}\n")),
            Messages{"functions.hello.events.0.sqs is missing required key 'arn'"});
  EXPECT_EQ(messages_of(minimal("", "    events:\n      - sqs: [q]\n")),
            Messages{"functions.hello.events.0.sqs must be a queue ARN or an object with arn (got array)"});
  EXPECT_EQ(messages_of(minimal("", "    events:\n      - http: {path: /x}\n")),
            Messages{"functions.hello.events.0.http is missing required key 'method'"});
  EXPECT_EQ(
      messages_of(minimal("", "    events:\n      - schedule: {rate: 'rate(1 hour)', enabeld: true}\n")),
      Messages{"unknown key 'enabeld' in functions.hello.events.0.schedule (did you mean 'enabled'?)"});
  EXPECT_EQ(
      messages_of(minimal("", "    events:\n      - s3: {bucket: b, rules: [{prefix: a, suffix: b}]}\n")),
      Messages{"functions.hello.events.0.s3.rules.0 must have at most 1 key (got 2 keys)"});
  EXPECT_EQ(messages_of(minimal("", "    url: {authorizer: iam}\n")),
            Messages{"functions.hello.url.authorizer must be one of: aws_iam, none (got 'iam')"});
}

TEST(ServerlessSchema, FunctionNamesAndShapes) {
  EXPECT_EQ(messages_of("service: demo\nprovider: {name: aws}\nfunctions:\n  my fn:\n    handler: h.main\n"),
            Messages{"key 'my fn' in functions must contain only letters, digits, hyphens and underscores "
                     "(got 'my fn')"});
  EXPECT_EQ(messages_of("service: demo\nprovider: {name: aws}\nfunctions: hello\n"),
            Messages{"functions must be an object (got string 'hello')"});
  EXPECT_EQ(messages_of("provider: {name: aws}\n"), Messages{"missing required top-level key 'service'"});
}

}  // namespace
}  // namespace stratus::manifest
