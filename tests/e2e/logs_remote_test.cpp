// `stratus logs -f` against `stratus serve` (the platform keeps its functions' logs and answers
// FilterLogEvents) and against moto's CloudWatch Logs (events put with boto3, more than a page).
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "tests/e2e/platform_fixture.hpp"
#include "tests/support/background_process.hpp"

namespace stratus::e2e {
namespace {

using nlohmann::json;

constexpr const char* kApp =
    "def handler(event, context):\n"
    "    print('handled', event.get('n'))\n"
    "    return {'ok': True}\n";

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1)
    out.push_back(text.substr(start, nl - start));
  return out;
}

std::size_t count_containing(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (const auto& l : lines_of(text))
    if (l.find(needle) != std::string::npos) ++n;
  return n;
}

class LogsRemoteTest : public PlatformTest {
 protected:
  void SetUp() override {
    PlatformTest::SetUp();
    if (HasFatalFailure()) return;
    create_function("app-dev-hello", kApp);
    for (const char* n : {"1", "2"}) {
      RunResult r = stratus({"invoke", "-f", "hello", "-d", std::string(R"({"n":)") + n + "}"});
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
  }
};

TEST_F(LogsRemoteTest, PrintsEveryLineWithItsTime) {
  RunResult r = stratus({"logs", "-f", "hello"});
  ASSERT_EQ(r.exit_code, 0) << r.err << m_serve->err();
  EXPECT_EQ(count_containing(r.out, "handled 1"), 1u) << r.out;
  EXPECT_EQ(count_containing(r.out, "handled 2"), 1u) << r.out;
  EXPECT_EQ(count_containing(r.out, "START RequestId: "), 2u) << r.out;
  EXPECT_EQ(count_containing(r.out, "REPORT RequestId: "), 2u) << r.out;
  const std::regex line(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z .+)");
  for (const auto& l : lines_of(r.out)) EXPECT_TRUE(std::regex_match(l, line)) << l;
  // Oldest first: the first invocation's line before the second's.
  EXPECT_LT(r.out.find("handled 1"), r.out.find("handled 2"));
}

TEST_F(LogsRemoteTest, FilterStartTimeAndJson) {
  RunResult r = stratus({"logs", "-f", "hello", "--filter", "\"handled 2\""});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(lines_of(r.out).size(), 1u) << r.out;
  EXPECT_NE(r.out.find("handled 2"), std::string::npos);

  r = stratus({"logs", "-f", "hello", "--startTime", "4102444800000"});  // 2100: nothing yet
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  r = stratus({"logs", "-f", "hello", "--startTime", "1h", "--filter", "handled"});
  EXPECT_EQ(lines_of(r.out).size(), 2u) << r.out;
  r = stratus({"logs", "-f", "hello", "--startTime", "soon"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--startTime: expected a span such as 30m"), std::string::npos) << r.err;

  // --json: one document, the events in it.
  r = stratus({"logs", "-f", "hello", "--json", "--filter", "handled"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json doc = json::parse(r.out);
  EXPECT_EQ(doc["logGroup"], "/aws/lambda/app-dev-hello");
  ASSERT_EQ(doc["events"].size(), 2u) << r.out;
  const json first = doc["events"][0];
  EXPECT_EQ(first["message"], "handled 1\n");
  EXPECT_TRUE(first["timestamp"].is_number_integer());
  EXPECT_TRUE(first["eventId"].is_string());
  EXPECT_TRUE(first["logStreamName"].get<std::string>().find("/[$LATEST]") != std::string::npos) << first;
}

TEST_F(LogsRemoteTest, UnknownGroupAndOtherAccount) {
  RunResult r = stratus({"logs", "-f", "renamed"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(
      r.err.find("no logs for renamed (custom-name): the log group /aws/lambda/custom-name does not exist "
                 "(The specified log group does not exist.)\n  the function is not deployed there, or has "
                 "never been invoked"),
      std::string::npos)
      << r.err;
  r = stratus({"logs", "-f", "hello"}, "bob");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("the log group /aws/lambda/app-dev-hello does not exist"), std::string::npos) << r.err;
  r = stratus({"logs", "-f", "nope"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("function 'nope' is not in serverless.yml"), std::string::npos) << r.err;
}

TEST_F(LogsRemoteTest, AwsCliFilterLogEventsAndDescribeLogGroups) {
  RunResult r = aws({"logs", "filter-log-events", "--log-group-name", "/aws/lambda/app-dev-hello",
                     "--filter-pattern", "handled"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json out = json::parse(r.out);
  ASSERT_EQ(out["events"].size(), 2u) << out;
  EXPECT_EQ(out["events"][1]["message"], "handled 2\n");
  // The CLI pages itself: one event a page, every event in the end.
  r = aws({"logs", "filter-log-events", "--log-group-name", "/aws/lambda/app-dev-hello", "--page-size", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GE(json::parse(r.out)["events"].size(), 8u);
  r = aws({"logs", "describe-log-groups"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["logGroups"][0]["logGroupName"], "/aws/lambda/app-dev-hello");
  r = aws({"logs", "filter-log-events", "--log-group-name", "/aws/lambda/app-dev-hello"}, "bob");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(
      r.err.find("(ResourceNotFoundException) when calling the FilterLogEvents operation: The specified log "
                 "group does not exist."),
      std::string::npos)
      << r.err;
}

TEST_F(LogsRemoteTest, TailShowsNewLinesAndEndsCleanlyOnCtrlC) {
  Background tail(m_dir.path() / "svc", {"logs", "-f", "hello", "--tail", "--interval", "200"}, keys());
  auto wait_for = [&](const std::string& needle) {
    for (int i = 0; i < 150; ++i) {  // 15 s at most
      if (tail.out().find(needle) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  };
  ASSERT_TRUE(wait_for("handled 2")) << tail.out() << tail.err();
  RunResult r = stratus({"invoke", "-f", "hello", "-d", R"({"n":"tail-777"})"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(wait_for("handled tail-777")) << tail.out() << tail.err();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // a few more polls: nothing twice
  tail.signal(SIGINT);
  EXPECT_EQ(tail.wait(10000), 0) << tail.err();
  EXPECT_EQ(count_containing(tail.out(), "handled 1"), 1u) << tail.out();
  EXPECT_EQ(count_containing(tail.out(), "handled tail-777"), 1u) << tail.out();
}

// moto's CloudWatch Logs, filled with boto3: 10050 events is more than FilterLogEvents' page (moto's own
// filter-pattern matching is not ours to test: --filter is tested against serve).
TEST(LogsMoto, EveryPageAgainstMoto) {
  TempDir dir;
  const int port = test_support::free_port();
  test_support::BackgroundProcess moto({"moto_server", "-H", "127.0.0.1", "-p", std::to_string(port)},
                                       dir.path() / "moto.log");
  ASSERT_TRUE(test_support::wait_for_port(port, std::chrono::seconds(30)));
  const std::string endpoint = "http://127.0.0.1:" + std::to_string(port);
  const std::map<std::string, std::string> env = {{"AWS_ACCESS_KEY_ID", "testing"},
                                                  {"AWS_SECRET_ACCESS_KEY", "testing"},
                                                  {"AWS_DEFAULT_REGION", "us-east-1"}};
  RunResult put = run_program(
      dir.path(),
      {kPython, "-c",
       "import sys, time, boto3\n"
       "c = boto3.client('logs', endpoint_url=sys.argv[1], region_name='us-east-1')\n"
       "g = '/aws/lambda/app-dev-hello'\n"
       "c.create_log_group(logGroupName=g)\n"
       "c.create_log_stream(logGroupName=g, logStreamName='2026/11/23/[$LATEST]abc')\n"
       "now = int(time.time() * 1000) - 60000\n"
       "for lo, hi in ((0, 6000), (6000, 10050)):\n"
       "    c.put_log_events(logGroupName=g, logStreamName='2026/11/23/[$LATEST]abc',\n"
       "        logEvents=[{'timestamp': now + i, 'message': 'event %05d\\n' % i} for i in range(lo, hi)])\n",
       endpoint},
      env);
  ASSERT_EQ(put.exit_code, 0) << put.err << read_file(dir.path() / "moto.log");
  dir.write("svc/serverless.yml",
            "service: app\nprovider:\n  name: aws\n  region: us-east-1\n  runtime: python3.12\n"
            "functions:\n  hello:\n    handler: app.handler\n  quiet:\n    handler: app.handler\n");
  RunResult r = run_stratus(dir.path() / "svc", {"logs", "-f", "hello", "--endpoint", endpoint}, env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 10050u);
  EXPECT_NE(lines.front().find("Z event 00000"), std::string::npos) << lines.front();
  EXPECT_NE(lines.back().find("Z event 10049"), std::string::npos) << lines.back();

  r = run_stratus(dir.path() / "svc", {"logs", "-f", "quiet", "--endpoint", endpoint}, env);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(
      r.err.find("no logs for quiet (app-dev-quiet): the log group /aws/lambda/app-dev-quiet does not exist"),
      std::string::npos)
      << r.err;
  moto.stop();
}

}  // namespace
}  // namespace stratus::e2e
