// `stratus trigger sqs` and `stratus trigger s3` against a real `stratus offline`: the function
// receives the event Lambda would deliver (built by the poller's and the notifier's code) and its
// result is printed; every error path has its exit code and message.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "tests/e2e/harness.hpp"

namespace stratus::e2e {
namespace {

using nlohmann::json;

const char* kService =
    "service: svc\n"
    "provider:\n"
    "  name: aws\n"
    "  runtime: python3.12\n"
    "  region: eu-west-1\n"
    "functions:\n"
    "  worker:\n"
    "    handler: handler.echo\n"
    "    events:\n"
    "      - sqs: arn:aws:sqs:eu-west-1:000000000000:jobs\n"
    "  thumb:\n"
    "    handler: handler.echo\n"
    "    events:\n"
    "      - s3:\n"
    "          bucket: uploads\n"
    "          event: s3:ObjectCreated:*\n"
    "  plain:\n"
    "    handler: handler.echo\n"
    "  fail:\n"
    "    handler: handler.fail\n";

const char* kHandler =
    "def echo(event, context):\n"
    "    return {'event': event, 'fn': context.function_name}\n"
    "def fail(event, context):\n"
    "    raise KeyError('missing')\n";

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// One offline for every test of the suite (starting one costs about half a second).
class TriggerEvents : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    s_dir = new TempDir();
    s_dir->write("serverless.yml", kService);
    s_dir->write("handler.py", kHandler);
    s_dir->write("message.txt", "from a file\n");
    s_offline = new Background(s_dir->path(), {"offline", "--lambda-port", "0", "--aws-port", "0", "--json"});
    const std::string banner = s_offline->first_line();
    if (banner.empty()) return;
    const std::string endpoint = json::parse(banner).at("lambdaEndpoint");
    s_where = endpoint.substr(7);
  }
  static void TearDownTestSuite() {
    s_offline->signal(SIGINT);
    s_offline->wait();
    delete s_offline;
    delete s_dir;
  }
  void SetUp() override { ASSERT_FALSE(s_where.empty()) << s_offline->err(); }

  static RunResult trigger(std::vector<std::string> args) {
    args.insert(args.begin(), "trigger");
    return run_stratus(s_dir->path(), args);
  }
  // The event the function got, from its echo.
  static json event_of(const RunResult& r) {
    const json out = json::parse(r.out, nullptr, false);
    if (!out.is_object() || !out.contains("event")) {
      ADD_FAILURE() << "not an echo: " << r.out << r.err;
      return json::object();
    }
    return out["event"];
  }

  static TempDir* s_dir;
  static Background* s_offline;
  static std::string s_where;
};
TempDir* TriggerEvents::s_dir = nullptr;
Background* TriggerEvents::s_offline = nullptr;
std::string TriggerEvents::s_where;

TEST_F(TriggerEvents, SqsEventFromTheFunctionsQueue) {
  const RunResult r = trigger({"sqs", "-f", "worker", "--body", "hello"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json out = json::parse(r.out);
  EXPECT_EQ(out.at("fn"), "svc-dev-worker");
  const json event = out.at("event");
  ASSERT_EQ(event.at("Records").size(), 1u) << event;
  const json& record = event["Records"][0];
  EXPECT_EQ(record.at("body"), "hello");
  EXPECT_EQ(record.at("eventSource"), "aws:sqs");
  EXPECT_EQ(record.at("eventSourceARN"), "arn:aws:sqs:eu-west-1:000000000000:jobs");
  EXPECT_EQ(record.at("awsRegion"), "eu-west-1");
  EXPECT_EQ(record.at("md5OfBody"), "5d41402abc4b2a76b9719d911017c592");
  EXPECT_EQ(record.at("attributes").at("ApproximateReceiveCount"), "1");
  EXPECT_TRUE(record.at("attributes").at("SentTimestamp").is_string());
  EXPECT_TRUE(record.at("messageId").is_string());
  EXPECT_TRUE(record.at("receiptHandle").is_string());
  EXPECT_TRUE(record.at("messageAttributes").is_object());
}

TEST_F(TriggerEvents, SqsBodyFromAFileAndAnotherQueue) {
  RunResult r = trigger({"sqs", "-f", "worker", "--path", "message.txt", "--queue", "other"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json record = event_of(r).at("Records")[0];
  EXPECT_EQ(record.at("body"), "from a file\n");
  EXPECT_EQ(record.at("eventSourceARN"), "arn:aws:sqs:eu-west-1:000000000000:other");

  // A function without an sqs event needs --queue.
  r = trigger({"sqs", "-f", "plain"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "stratus: error: function 'plain' has no sqs event; name the queue with --queue\n");
  r = trigger({"sqs", "-f", "plain", "--queue", "q1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(event_of(r).at("Records")[0].at("body"), "");

  r = trigger({"sqs", "-f", "worker", "--path", "missing.txt"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "stratus: error: --path missing.txt: cannot read the file\n");
  r = trigger({"sqs", "-f", "worker", "--path", "message.txt", "--body", "x"});
  EXPECT_EQ(r.exit_code, 2) << "--body and --path exclude each other";
  r = trigger({"sqs"});
  EXPECT_EQ(r.exit_code, 2) << "-f is required";
}

TEST_F(TriggerEvents, SqsJsonOutput) {
  const RunResult r = run_stratus(s_dir->path(), {"trigger", "sqs", "-f", "worker", "--body", "x", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json out = json::parse(r.out);
  EXPECT_EQ(out.at("function"), "worker");
  EXPECT_EQ(out.at("status"), "ok");
  EXPECT_TRUE(out.at("requestId").is_string());
  EXPECT_EQ(out.at("payload").at("event").at("Records")[0].at("body"), "x");
}

TEST_F(TriggerEvents, S3CreatedAndRemovedEvents) {
  RunResult r = trigger({"s3", "-f", "thumb", "--key", "in/my photo.jpg", "--size", "1234"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json record = event_of(r).at("Records")[0];
  EXPECT_EQ(record.at("eventSource"), "aws:s3");
  EXPECT_EQ(record.at("eventVersion"), "2.1");
  EXPECT_EQ(record.at("eventName"), "ObjectCreated:Put");
  EXPECT_EQ(record.at("awsRegion"), "eu-west-1");
  EXPECT_EQ(record.at("s3").at("bucket").at("name"), "uploads");
  EXPECT_EQ(record.at("s3").at("bucket").at("arn"), "arn:aws:s3:::uploads");
  EXPECT_EQ(record.at("s3").at("configurationId"), "svc-dev-thumb-uploads");
  EXPECT_EQ(record.at("s3").at("object").at("key"), "in/my+photo.jpg");
  EXPECT_EQ(record.at("s3").at("object").at("size"), 1234);
  EXPECT_EQ(record.at("s3").at("object").at("eTag").get<std::string>().size(), 32u);

  r = trigger({"s3", "-f", "thumb", "--key", "old.txt", "--event", "s3:ObjectRemoved:Delete"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  record = event_of(r).at("Records")[0];
  EXPECT_EQ(record.at("eventName"), "ObjectRemoved:Delete");
  EXPECT_FALSE(record.at("s3").at("object").contains("size"));
  EXPECT_FALSE(record.at("s3").at("object").contains("eTag"));

  r = trigger({"s3", "-f", "plain", "--bucket", "other", "--key", "k"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  record = event_of(r).at("Records")[0];
  EXPECT_EQ(record.at("s3").at("bucket").at("name"), "other");
  EXPECT_EQ(record.at("s3").at("object").at("size"), 0);
  EXPECT_EQ(record.at("s3").at("object").at("eTag"), "d41d8cd98f00b204e9800998ecf8427e");
}

TEST_F(TriggerEvents, S3UsageErrors) {
  RunResult r = trigger({"s3", "-f", "plain", "--key", "k"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "stratus: error: function 'plain' has no s3 event; name the bucket with --bucket\n");
  r = trigger({"s3", "-f", "thumb"});
  EXPECT_EQ(r.exit_code, 2) << "--key is required";
  r = trigger({"s3", "-f", "thumb", "--key", "k", "--event", "s3:ObjectCreated:*"});
  EXPECT_EQ(r.exit_code, 2) << "one concrete event";
  r = trigger({"s3", "-f", "thumb", "--key", "k", "--size", "-1"});
  EXPECT_EQ(r.exit_code, 2);
}

TEST_F(TriggerEvents, FunctionErrorIsExitOneWithItsErrorJson) {
  RunResult r = trigger({"sqs", "-f", "fail", "--queue", "q"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  const json error = json::parse(r.out);
  EXPECT_EQ(error.at("errorType"), "KeyError");
  EXPECT_EQ(error.at("errorMessage"), "'missing'");
  r = trigger({"s3", "-f", "fail", "--bucket", "b", "--key", "k"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(json::parse(r.out).at("errorType"), "KeyError");
  r = run_stratus(s_dir->path(), {"trigger", "sqs", "-f", "fail", "--queue", "q", "--json"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(json::parse(r.out).at("status"), "error");
}

TEST_F(TriggerEvents, UnknownFunctionListsTheKnownOnes) {
  const std::string expected = "stratus: error: no function named 'nope' in stratus offline on " + s_where +
                               "; its functions: worker, thumb, plain, fail\n";
  RunResult r = trigger({"sqs", "-f", "nope", "--queue", "q"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, expected);
  r = trigger({"sqs", "-f", "nope"});  // before "no sqs event"
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, expected);
  r = trigger({"s3", "-f", "nope", "--key", "k"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, expected);
  r = trigger({"s3", "-f", "nope", "--bucket", "b", "--key", "k"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, expected);
}

TEST_F(TriggerEvents, EndpointGivenExplicitly) {
  const RunResult r = trigger({"sqs", "-f", "worker", "--body", "b", "--endpoint", "http://" + s_where});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string port = s_where.substr(s_where.rfind(':') + 1);
  EXPECT_EQ(trigger({"s3", "-f", "thumb", "--key", "k", "--lambda-port", port}).exit_code, 0);
}

TEST(TriggerEventsWithoutOffline, NoOfflineIsExitOne) {
  TempDir dir;
  const std::string port = std::to_string(free_port());
  const std::string expected =
      "stratus: error: no stratus offline on 127.0.0.1:" + port + "; start it or pass --lambda-port\n";
  RunResult r =
      run_stratus(dir.path(), {"trigger", "sqs", "-f", "worker", "--queue", "q", "--lambda-port", port});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, expected);
  // No manifest here and no --queue: the missing offline is said first.
  r = run_stratus(dir.path(), {"trigger", "sqs", "-f", "worker", "--lambda-port", port});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, expected);
  r = run_stratus(dir.path(), {"trigger", "s3", "-f", "thumb", "--bucket", "b", "--key", "k", "--endpoint",
                               "http://127.0.0.1:" + port});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, expected);
  r = run_stratus(dir.path(), {"trigger", "s3", "-f", "thumb", "--key", "k", "--lambda-port", port});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, expected);
  r = run_stratus(dir.path(), {"trigger", "sqs", "-f", "w", "--queue", "q", "--endpoint", "localhost"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "stratus: error: --endpoint localhost: expected http://HOST:PORT, e.g. http://127.0.0.1:3002\n");
}

}  // namespace
}  // namespace stratus::e2e
