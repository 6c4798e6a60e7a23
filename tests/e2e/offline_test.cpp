// stratus offline's Lambda Invoke API, driven by clients nobody here wrote: the aws CLI and boto3.
#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "tests/e2e/harness.hpp"

namespace stratus::e2e {
namespace {

using nlohmann::json;

const std::map<std::string, std::string> kAwsEnv = {{"AWS_ACCESS_KEY_ID", "test"},
                                                    {"AWS_SECRET_ACCESS_KEY", "test"},
                                                    {"AWS_DEFAULT_REGION", "us-east-1"},
                                                    {"AWS_MAX_ATTEMPTS", "1"},
                                                    {"AWS_RETRY_MODE", "standard"}};

class OfflineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir.write("serverless.yml",
                "service: svc\n"
                "provider:\n"
                "  name: aws\n"
                "  runtime: python3.12\n"
                "  region: us-east-1\n"
                "functions:\n"
                "  echo:\n"
                "    handler: handler.echo\n"
                "  fail:\n"
                "    handler: handler.fail\n"
                "  mark:\n"
                "    handler: handler.mark\n"
                "  off:\n"
                "    handler: handler.echo\n"
                "    reservedConcurrency: 0\n"
                "  node:\n"
                "    handler: index.handler\n"
                "    runtime: nodejs22.x\n"
                "  callback:\n"
                "    handler: callback.handler\n"
                "    runtime: nodejs22.x\n"
                "    timeout: 3\n");
    m_dir.write("handler.py",
                "import os\n"
                "def echo(event, context):\n"
                "    print('echo got', event)\n"
                "    return {'event': event, 'fn': context.function_name, 'pid': os.getpid()}\n"
                "def fail(event, context):\n"
                "    raise KeyError('missing')\n"
                "def mark(event, context):\n"
                "    open(os.path.join(os.environ['LAMBDA_TASK_ROOT'], 'marker-' + event['id']), "
                "'w').write(context.aws_request_id)\n"
                "    return 'ok'\n");
    m_dir.write("index.js",
                "exports.handler = async (event, context) => ({ node: event, fn: context.functionName });\n");
    m_dir.write("callback.js",
                "exports.handler = (event, context, callback) => {\n"
                "  if (event.plain) return 'ignored';\n"
                "  setTimeout(() => callback(null, { n: event.n }), 10);\n"
                "};\n");
    m_offline = std::make_unique<Background>(
        m_dir.path(), std::vector<std::string>{"offline", "--lambda-port", "0", "--aws-port", "0", "--json"});
    const std::string banner = m_offline->first_line();
    ASSERT_FALSE(banner.empty()) << m_offline->err();
    m_endpoint = json::parse(banner).at("lambdaEndpoint").get<std::string>();
  }
  void TearDown() override {
    if (!m_offline) return;
    m_offline->signal(SIGINT);
    EXPECT_EQ(m_offline->wait(), 0) << m_offline->err();
  }

  RunResult aws(std::vector<std::string> args) {
    args.insert(args.begin(), "aws");
    args.insert(args.end(), {"--endpoint-url", m_endpoint, "--region", "us-east-1", "--output", "json"});
    return run_program(m_dir.path(), args, kAwsEnv);
  }
  RunResult boto3(const std::string& script) {
    return run_program(
        m_dir.path(),
        {"python3", "-c",
         "import base64, json, boto3, botocore\n"
         "c = boto3.client('lambda', endpoint_url='" +
             m_endpoint +
             "', region_name='us-east-1', config=botocore.config.Config(retries={'max_attempts': 1}))\n" +
             script},
        kAwsEnv);
  }

  TempDir m_dir;
  std::unique_ptr<Background> m_offline;
  std::string m_endpoint;
};

TEST_F(OfflineTest, AwsCliInvokeTailLogsErrorsAndListFunctions) {
  // aws CLI v1 sends --payload as is (v2 would need --cli-binary-format raw-in-base64-out).
  RunResult r = aws({"lambda", "invoke", "--function-name", "echo", "--payload", R"({"a":1})", "--log-type",
                     "Tail", "out.json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json meta = json::parse(r.out);
  EXPECT_EQ(meta.at("StatusCode"), 200);
  EXPECT_EQ(meta.at("ExecutedVersion"), "$LATEST");
  const json payload = json::parse(read_file(m_dir.path() / "out.json"));
  EXPECT_EQ(payload.at("event"), json::parse(R"({"a":1})"));
  EXPECT_EQ(payload.at("fn"), "svc-dev-echo");
  const RunResult log =
      run_program(m_dir.path(), {"base64", "-d"}, {}, meta.at("LogResult").get<std::string>());
  EXPECT_TRUE(std::regex_search(log.out, std::regex("START RequestId: [0-9a-f-]{36} Version: \\$LATEST\n"
                                                    "echo got \\{'a': 1\\}\nEND RequestId: [0-9a-f-]{36}\n"
                                                    "REPORT RequestId: [0-9a-f-]{36}\tDuration: ")))
      << log.out;

  r = aws({"lambda", "invoke", "--function-name", "svc-dev-fail", "out.json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out).at("FunctionError"), "Unhandled");
  const json error = json::parse(read_file(m_dir.path() / "out.json"));
  EXPECT_EQ(error.at("errorType"), "KeyError");

  r = aws({"lambda", "invoke", "--function-name", "nope", "out.json"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("ResourceNotFoundException"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope"),
            std::string::npos)
      << r.err;

  r = aws({"lambda", "list-functions"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> names;
  const json listed = json::parse(r.out);
  for (const auto& f : listed.at("Functions")) names.push_back(f.at("FunctionName"));
  EXPECT_EQ(names, (std::vector<std::string>{"svc-dev-echo", "svc-dev-fail", "svc-dev-mark", "svc-dev-off",
                                             "svc-dev-node", "svc-dev-callback"}))
      << r.out;
}

TEST_F(OfflineTest, Boto3InvokeEventThrottleAndGetFunction) {
  const RunResult r = boto3(
      "r = c.invoke(FunctionName='svc-dev-node', Payload=b'[1]')\n"
      "print(r['StatusCode'], r['Payload'].read().decode())\n"
      "r = c.invoke(FunctionName='mark', InvocationType='Event', Payload=json.dumps({'id': 'x1'}))\n"
      "print(r['StatusCode'], r['ResponseMetadata']['RequestId'])\n"
      "try:\n"
      "    c.invoke(FunctionName='off', Payload=b'{}')\n"
      "except c.exceptions.TooManyRequestsException as e:\n"
      "    print('throttled', e.response['Reason'])\n"
      "try:\n"
      "    c.invoke(FunctionName='ghost')\n"
      "except c.exceptions.ResourceNotFoundException:\n"
      "    print('not found')\n"
      "f = c.get_function(FunctionName='arn:aws:lambda:us-east-1:000000000000:function:svc-dev-echo')\n"
      "print(f['Configuration']['FunctionName'], f['Configuration']['Runtime'], "
      "f['Configuration']['MemorySize'])\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream lines(r.out);
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(line, R"(200 {"node":[1],"fn":"svc-dev-node"})");
  std::getline(lines, line);
  ASSERT_EQ(line.substr(0, 4), "202 ");
  const std::string event_id = line.substr(4);
  std::getline(lines, line);
  EXPECT_EQ(line, "throttled ReservedFunctionConcurrentInvocationLimitExceeded");
  std::getline(lines, line);
  EXPECT_EQ(line, "not found");
  std::getline(lines, line);
  EXPECT_EQ(line, "svc-dev-echo python3.12 1024");
  // The Event invocation ran, with the request id the 202 carried.
  std::string marker;
  for (int i = 0; i < 200 && marker.empty(); ++i) {
    marker = read_file(m_dir.path() / "marker-x1");
    if (marker.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  EXPECT_EQ(marker, event_id);
}

// InvokeAsync (2014-11-13), Lambda's deprecated async API, which serverless-offline serves too.
TEST_F(OfflineTest, Boto3InvokeAsyncRunsTheFunction) {
  const RunResult r = boto3(
      "print(c.invoke_async(FunctionName='mark', InvokeArgs=json.dumps({'id': 'legacy'}))['Status'])\n"
      "try:\n"
      "    c.invoke_async(FunctionName='ghost', InvokeArgs='{}')\n"
      "except c.exceptions.ResourceNotFoundException:\n"
      "    print('not found')\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "202\nnot found\n");
  std::string marker;
  for (int i = 0; i < 200 && marker.empty(); ++i) {
    marker = read_file(m_dir.path() / "marker-legacy");
    if (marker.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  EXPECT_EQ(marker.size(), 36u) << "the function ran, with a request id: '" << marker << "'";
}

// Lambda answers a callback-style handler, or one that neither calls back nor returns a promise, once
// the event loop is empty; the instance's own connection to the Runtime API must not count. Each of
// these timed out at 3 s while it did. The same warm instance answers them all.
TEST_F(OfflineTest, NodeCallbackHandlersAnswerOnceTheEventLoopIsEmpty) {
  const RunResult r = boto3(
      "for event in ({'n': 1}, {'n': 2}, {'plain': True}, {'n': 3}):\n"
      "    out = c.invoke(FunctionName='callback', Payload=json.dumps(event))\n"
      "    print(out.get('FunctionError', '-'), out['Payload'].read().decode())\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "- {\"n\":1}\n- {\"n\":2}\n- null\n- {\"n\":3}\n");
  const std::string log = m_offline->err();
  const auto cold = log.find("Init Duration");
  EXPECT_NE(cold, std::string::npos) << log;
  EXPECT_EQ(log.find("Init Duration", cold + 1), std::string::npos) << "one cold start only:\n" << log;
}

TEST_F(OfflineTest, InterruptStopsEveryInstance) {
  const RunResult r = boto3("print(json.loads(c.invoke(FunctionName='echo')['Payload'].read())['pid'])\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const int pid = std::stoi(r.out);
  EXPECT_EQ(::kill(pid, 0), 0);
  m_offline->signal(SIGINT);
  EXPECT_EQ(m_offline->wait(), 0) << m_offline->err();
  m_offline.reset();
  EXPECT_EQ(::kill(pid, 0), -1) << "the instance outlived stratus offline";
  // Everything it ran is in the ledger stratus billing reads.
  const RunResult billing = run_stratus(m_dir.path(), {"billing", "--json"});
  ASSERT_EQ(billing.exit_code, 0) << billing.err;
  const json doc = json::parse(billing.out);
  ASSERT_EQ(doc.at("functions").size(), 1u) << billing.out;
  EXPECT_EQ(doc["functions"][0]["function"], "svc-dev-echo");
  EXPECT_EQ(doc["functions"][0]["invocations"], 1);
  EXPECT_EQ(doc["functions"][0]["cold_starts"], 1);
}

TEST(OfflineErrors, PortInUseIsAClearError) {
  TempDir dir;
  dir.write(
      "serverless.yml",
      "service: svc\nprovider:\n  name: aws\n  runtime: python3.12\nfunctions:\n  f:\n    handler: h.f\n");
  Background first(dir.path(), {"offline", "--lambda-port", "0", "--aws-port", "0", "--json"});
  const std::string banner = first.first_line();
  ASSERT_FALSE(banner.empty()) << first.err() << first.out();
  const std::string endpoint = json::parse(banner).at("lambdaEndpoint");
  const std::string port = endpoint.substr(endpoint.rfind(':') + 1);
  const RunResult second = run_stratus(dir.path(), {"offline", "--lambda-port", port, "--aws-port", "0"});
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_NE(second.err.find("127.0.0.1:" + port + " is already in use; pass --lambda-port to choose another"),
            std::string::npos)
      << second.err;
  first.signal(SIGTERM);
  EXPECT_EQ(first.wait(), 0);
}

}  // namespace
}  // namespace stratus::e2e

namespace stratus::e2e {
namespace {

TEST(OfflineErrors, ARuntimeThatCannotRunStopsBeforeListening) {
  TempDir dir;
  dir.write("serverless.yml",
            "service: svc\nprovider:\n  name: aws\n  runtime: java21\nfunctions:\n  f:\n    handler: "
            "example.Handler\n");
  const RunResult r = run_stratus(dir.path(), {"offline", "--lambda-port", "0", "--aws-port", "0"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("function 'f': runtime 'java21' cannot run locally"), std::string::npos) << r.err;
}

TEST(OfflineErrors, BadEnvOptionIsAUsageError) {
  TempDir dir;
  dir.write(
      "serverless.yml",
      "service: svc\nprovider:\n  name: aws\n  runtime: python3.12\nfunctions:\n  f:\n    handler: h.f\n");
  const RunResult r =
      run_stratus(dir.path(), {"offline", "--lambda-port", "0", "--aws-port", "0", "--env", "=x"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--env '=x' must be KEY=VALUE"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace stratus::e2e

namespace stratus::e2e {
namespace {

// The service's queue and bucket on the AWS endpoint, fed by the aws CLI: an SQS message reaches
// the function through its event source mapping, an upload through its S3 notification, and the
// functions' own SDKs are pointed at the endpoint; references to the service's queues in their
// environment resolve to the local queues.
TEST(OfflineEvents, SqsMessagesAndS3UploadsReachTheirFunctions) {
  TempDir dir;
  dir.write(
      "serverless.yml",
      "service: evt\n"
      "provider:\n  name: aws\n  runtime: python3.12\n  region: us-east-1\n"
      "  environment:\n    JOBS_URL: !Ref Jobs\n    DLQ_ARN: !GetAtt Dlq.Arn\n"
      "functions:\n"
      "  worker:\n    handler: handler.worker\n"
      "    events:\n      - sqs:\n          arn: { 'Fn::GetAtt': [Jobs, Arn] }\n          batchSize: 5\n"
      "  uploads:\n    handler: handler.uploads\n"
      "    events:\n      - s3:\n          bucket: photos\n          rules:\n            - prefix: in/\n"
      "resources:\n  Resources:\n"
      "    Jobs:\n      Type: AWS::SQS::Queue\n      Properties:\n        QueueName: jobs\n"
      "        RedrivePolicy:\n          deadLetterTargetArn: { 'Fn::GetAtt': [Dlq, Arn] }\n"
      "          maxReceiveCount: 3\n"
      "    Dlq:\n      Type: AWS::SQS::Queue\n      Properties:\n        QueueName: jobs-dlq\n");
  dir.write(
      "handler.py",
      "import json, os\n"
      "def out(name, value):  # whole or not at all: the test reads it as soon as it exists\n"
      "    path = os.path.join(os.environ['LAMBDA_TASK_ROOT'], name)\n"
      "    with open(path + '.tmp', 'w') as f:\n"
      "        json.dump(value, f)\n"
      "    os.replace(path + '.tmp', path)\n"
      "def worker(event, context):\n"
      "    out('worker.json', {'bodies': [r['body'] for r in event['Records']],\n"
      "                        'source': event['Records'][0]['eventSource'],\n"
      "                        'arn': event['Records'][0]['eventSourceARN'],\n"
      "                        'endpoint': os.environ.get('AWS_ENDPOINT_URL'),\n"
      "                        'jobs_url': os.environ.get('JOBS_URL'), 'dlq_arn': "
      "os.environ.get('DLQ_ARN')})\n"
      "def uploads(event, context):\n"
      "    r = event['Records'][0]\n"
      "    out('uploads.json', {'name': r['eventName'], 'bucket': r['s3']['bucket']['name'],\n"
      "                         'key': r['s3']['object']['key'], 'size': r['s3']['object']['size']})\n");
  dir.write("photo one.txt", "12345");
  Background offline(dir.path(), {"offline", "--lambda-port", "0", "--aws-port", "0", "--json"});
  const std::string banner = offline.first_line();
  ASSERT_FALSE(banner.empty()) << offline.err();
  const json doc = json::parse(banner);
  const std::string endpoint = doc.at("awsEndpoint");
  EXPECT_EQ(doc.at("queues"), json::parse(R"(["jobs-dlq", "jobs"])"));
  EXPECT_EQ(doc.at("buckets"), json::parse(R"(["photos"])"));
  auto aws = [&](std::vector<std::string> args) {
    args.insert(args.begin(), "aws");
    args.insert(args.end(), {"--endpoint-url", endpoint, "--output", "json"});
    return run_program(dir.path(), args, kAwsEnv);
  };
  auto wait_for = [&](const std::string& name) {
    for (int i = 0; i < 200 && !std::filesystem::exists(dir.path() / name); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    return std::filesystem::exists(dir.path() / name) ? json::parse(read_file(dir.path() / name)) : json();
  };

  RunResult r = aws({"sqs", "get-queue-attributes", "--queue-url", endpoint + "/000000000000/jobs",
                     "--attribute-names", "RedrivePolicy"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json redrive =
      json::parse(json::parse(r.out).at("Attributes").at("RedrivePolicy").get<std::string>());
  EXPECT_EQ(redrive.at("deadLetterTargetArn"), "arn:aws:sqs:us-east-1:000000000000:jobs-dlq");

  r = aws({"sqs", "send-message", "--queue-url", endpoint + "/000000000000/jobs", "--message-body", "hello"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json worker = wait_for("worker.json");
  ASSERT_FALSE(worker.is_null()) << offline.err();
  EXPECT_EQ(worker.at("bodies"), json::parse(R"(["hello"])"));
  EXPECT_EQ(worker.at("source"), "aws:sqs");
  EXPECT_EQ(worker.at("arn"), "arn:aws:sqs:us-east-1:000000000000:jobs");
  EXPECT_EQ(worker.at("endpoint"), endpoint);
  EXPECT_EQ(worker.at("jobs_url"), endpoint + "/000000000000/jobs");
  EXPECT_EQ(worker.at("dlq_arn"), "arn:aws:sqs:us-east-1:000000000000:jobs-dlq");
  EXPECT_EQ(offline.err().find("CloudFormation expression"), std::string::npos) << offline.err();
  // Handled: the mapping deleted it.
  r = aws({"sqs", "get-queue-attributes", "--queue-url", endpoint + "/000000000000/jobs", "--attribute-names",
           "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (int i = 0; i < 40 && json::parse(r.out)["Attributes"]["ApproximateNumberOfMessagesNotVisible"] != "0";
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    r = aws({"sqs", "get-queue-attributes", "--queue-url", endpoint + "/000000000000/jobs",
             "--attribute-names", "ApproximateNumberOfMessagesNotVisible"});
  }
  EXPECT_EQ(json::parse(r.out)["Attributes"]["ApproximateNumberOfMessagesNotVisible"], "0") << r.out;

  r = aws({"s3", "cp", "photo one.txt", "s3://photos/out/skip.txt"});  // outside the rule's prefix
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = aws({"s3", "cp", "photo one.txt", "s3://photos/in/photo one.txt"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json upload = wait_for("uploads.json");
  ASSERT_FALSE(upload.is_null()) << offline.err();
  EXPECT_EQ(upload.at("name"), "ObjectCreated:Put");
  EXPECT_EQ(upload.at("bucket"), "photos");
  EXPECT_EQ(upload.at("key"), "in/photo+one.txt");
  EXPECT_EQ(upload.at("size"), 5);
  r = aws({"s3", "ls", "s3://photos/", "--recursive"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("in/photo one.txt"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("out/skip.txt"), std::string::npos) << r.out;

  offline.signal(SIGINT);
  EXPECT_EQ(offline.wait(), 0) << offline.err();
  // The objects are files under .stratus/, their metadata in stratus.db: both survive the restart.
  Background again(dir.path(), {"offline", "--lambda-port", "0", "--aws-port", "0", "--json"});
  const std::string banner2 = again.first_line();
  ASSERT_FALSE(banner2.empty()) << again.err();
  const std::string endpoint2 = json::parse(banner2).at("awsEndpoint");
  r = run_program(dir.path(),
                  {"aws", "s3", "cp", "s3://photos/in/photo one.txt", "-", "--endpoint-url", endpoint2},
                  kAwsEnv);
  EXPECT_EQ(r.exit_code, 0) << r.err << again.err();
  EXPECT_EQ(r.out, "12345");
  again.signal(SIGTERM);
  EXPECT_EQ(again.wait(), 0) << again.err();
}

}  // namespace
}  // namespace stratus::e2e

namespace stratus::e2e {
namespace {

// An Event invocation that fails past its retries: Lambda's record goes to destinations.onFailure
// and the event itself to the onError dead-letter queue, both queues of the service.
TEST(OfflineEvents, FailedEventInvocationsReachTheirDestinations) {
  TempDir dir;
  dir.write(
      "serverless.yml",
      "service: dst\n"
      "provider:\n  name: aws\n  runtime: python3.12\n  region: us-east-1\n"
      "functions:\n"
      "  flaky:\n    handler: handler.flaky\n    maximumRetryAttempts: 0\n"
      "    destinations:\n      onFailure: { 'Fn::GetAtt': [Failures, Arn] }\n"
      "    onError: arn:aws:sqs:us-east-1:000000000000:dead-letters\n"
      "resources:\n  Resources:\n"
      "    Failures:\n      Type: AWS::SQS::Queue\n      Properties:\n        QueueName: failures\n"
      "    DeadLetters:\n      Type: AWS::SQS::Queue\n      Properties:\n        QueueName: dead-letters\n");
  dir.write("handler.py", "def flaky(event, context):\n    raise ValueError('no luck')\n");
  Background offline(dir.path(), {"offline", "--lambda-port", "0", "--aws-port", "0", "--json"});
  const std::string banner = offline.first_line();
  ASSERT_FALSE(banner.empty()) << offline.err();
  const std::string endpoint = json::parse(banner).at("awsEndpoint");
  auto aws = [&](std::vector<std::string> args) {
    args.insert(args.begin(), "aws");
    args.insert(args.end(), {"--endpoint-url", endpoint, "--output", "json"});
    return run_program(dir.path(), args, kAwsEnv);
  };
  RunResult r = aws({"lambda", "invoke", "--function-name", "flaky", "--invocation-type", "Event",
                     "--payload", R"({"order":7})", "out.json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out).at("StatusCode"), 202);

  auto receive = [&](const std::string& queue) {
    RunResult got = aws({"sqs", "receive-message", "--queue-url", endpoint + "/000000000000/" + queue,
                         "--wait-time-seconds", "10", "--message-attribute-names", "All"});
    EXPECT_EQ(got.exit_code, 0) << got.err;
    const json doc = got.out.empty() ? json() : json::parse(got.out);
    return doc.contains("Messages") ? doc["Messages"][0] : json();
  };
  const json failure = receive("failures");
  ASSERT_FALSE(failure.is_null()) << offline.err();
  const json record = json::parse(failure.at("Body").get<std::string>());
  EXPECT_EQ(record.at("requestContext").at("condition"), "RetriesExhausted");
  EXPECT_EQ(record.at("requestContext").at("approximateInvokeCount"), 1);
  EXPECT_EQ(record.at("requestContext").at("functionArn"),
            "arn:aws:lambda:us-east-1:000000000000:function:dst-dev-flaky:$LATEST");
  EXPECT_EQ(record.at("requestPayload"), json::parse(R"({"order":7})"));
  EXPECT_EQ(record.at("responseContext").at("functionError"), "Unhandled");
  EXPECT_EQ(record.at("responsePayload").at("errorType"), "ValueError");

  const json dead = receive("dead-letters");
  ASSERT_FALSE(dead.is_null()) << offline.err();
  EXPECT_EQ(json::parse(dead.at("Body").get<std::string>()), json::parse(R"({"order":7})"));
  EXPECT_EQ(dead.at("MessageAttributes").at("RequestID").at("StringValue"),
            record.at("requestContext").at("requestId"));
  EXPECT_EQ(dead.at("MessageAttributes").at("ErrorCode").at("StringValue"), "200");

  offline.signal(SIGINT);
  EXPECT_EQ(offline.wait(), 0) << offline.err();
}

}  // namespace
}  // namespace stratus::e2e

namespace stratus::e2e {
namespace {

// Durability: 1,000 messages accepted by SendMessageBatch, the emulator killed with SIGKILL while
// it works through them, restarted: every message reaches the function (at least once).
TEST(OfflineEvents, KillNineLosesNoAcceptedMessage) {
  TempDir dir;
  dir.write("serverless.yml",
            "service: dur\n"
            "provider:\n  name: aws\n  runtime: python3.12\n  region: us-east-1\n"
            "functions:\n"
            "  sink:\n    handler: handler.sink\n"
            "    events:\n      - sqs:\n          arn: arn:aws:sqs:us-east-1:000000000000:work\n"
            "          batchSize: 10\n");
  dir.write("handler.py",
            "import os, time\n"
            "def sink(event, context):\n"
            "    time.sleep(0.05)\n"
            "    with open(os.path.join(os.environ['LAMBDA_TASK_ROOT'], 'seen.txt'), 'a') as f:\n"
            "        f.write(''.join(r['body'] + '\\n' for r in event['Records']))\n");
  auto start = [&](std::unique_ptr<Background>& offline) {
    offline = std::make_unique<Background>(
        dir.path(), std::vector<std::string>{"offline", "--lambda-port", "0", "--aws-port", "0", "--json"});
    const std::string banner = offline->first_line();
    EXPECT_FALSE(banner.empty()) << offline->err();
    return banner.empty() ? std::string() : json::parse(banner).at("awsEndpoint").get<std::string>();
  };
  auto seen = [&] {
    std::set<std::string> bodies;
    std::istringstream lines(
        std::filesystem::exists(dir.path() / "seen.txt") ? read_file(dir.path() / "seen.txt") : "");
    for (std::string line; std::getline(lines, line);) bodies.insert(line);
    return bodies;
  };

  std::unique_ptr<Background> offline;
  const std::string endpoint = start(offline);
  ASSERT_FALSE(endpoint.empty());
  const RunResult sent =
      run_program(dir.path(),
                  {"python3", "-c",
                   "import boto3, botocore, sys\n"
                   "c = boto3.client('sqs', endpoint_url=sys.argv[1], region_name='us-east-1',\n"
                   "                 config=botocore.config.Config(retries={'max_attempts': 1}))\n"
                   "url = c.get_queue_url(QueueName='work')['QueueUrl']\n"
                   "ok = 0\n"
                   "for b in range(100):\n"
                   "    r = c.send_message_batch(QueueUrl=url, Entries=[{'Id': str(i), 'MessageBody': "
                   "'m%04d' % (b * 10 + i)}\n"
                   "                                                    for i in range(10)])\n"
                   "    ok += len(r.get('Successful', []))\n"
                   "print(ok)\n",
                   endpoint},
                  kAwsEnv);
  ASSERT_EQ(sent.exit_code, 0) << sent.err;
  ASSERT_EQ(sent.out, "1000\n");
  offline->signal(SIGKILL);  // mid-way: some delivered, some in flight, most still queued
  offline->wait();
  const std::size_t before_restart = seen().size();
  EXPECT_LT(before_restart, 1000u) << "the kill came after the work: the test proves nothing";

  ASSERT_FALSE(start(offline).empty());
  std::set<std::string> bodies;
  for (int i = 0; i < 600 && (bodies = seen()).size() < 1000; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(bodies.size(), 1000u) << "delivered before the kill: " << before_restart << "\n"
                                  << offline->err();
  EXPECT_TRUE(bodies.count("m0000") && bodies.count("m0999"));
  offline->signal(SIGINT);
  EXPECT_EQ(offline->wait(), 0) << offline->err();
}

}  // namespace
}  // namespace stratus::e2e

namespace stratus::e2e {
namespace {

TEST(OfflineLogs, JsonLogsAreOneObjectPerLine) {
  TempDir dir;
  dir.write(
      "serverless.yml",
      "service: logs\nprovider:\n  name: aws\n  runtime: python3.12\nfunctions:\n  f:\n    handler: h.f\n");
  dir.write("h.py", "def f(event, context):\n    print('hello there')\n    return 1\n");
  Background offline(dir.path(),
                     {"offline", "--lambda-port", "0", "--aws-port", "0", "--json", "--json-logs"});
  const std::string banner = offline.first_line();
  ASSERT_FALSE(banner.empty()) << offline.err();
  const std::string endpoint = json::parse(banner).at("lambdaEndpoint");
  const RunResult r = run_program(
      dir.path(), {"aws", "lambda", "invoke", "--function-name", "f", "--endpoint-url", endpoint, "out.json"},
      kAwsEnv);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  offline.signal(SIGINT);
  EXPECT_EQ(offline.wait(), 0) << offline.err();
  std::vector<json> lines;
  std::istringstream err(offline.err());
  for (std::string line; std::getline(err, line);)
    if (!line.empty() && line[0] == '{') lines.push_back(json::parse(line));
  ASSERT_EQ(lines.size(), 4u) << offline.err();  // START, the print, END, REPORT
  EXPECT_EQ(lines[1]["message"], "hello there");
  EXPECT_EQ(lines[1]["stream"], "stdout");
  EXPECT_EQ(lines[1]["function"], "f");
  EXPECT_EQ(lines[1]["requestId"], lines[0]["requestId"]);
  EXPECT_TRUE(lines[0]["message"].get<std::string>().starts_with("START RequestId: "));
  EXPECT_EQ(lines[0]["stream"], "platform");
  EXPECT_TRUE(lines[3]["message"].get<std::string>().starts_with("REPORT RequestId: "));
  EXPECT_EQ(lines[0]["time"].get<std::string>().size(), 24u);  // 2026-11-23T02:40:00.123Z
}

}  // namespace
}  // namespace stratus::e2e
