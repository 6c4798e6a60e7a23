// Schedules in stratus offline: the banner lists them with their next fire time, `stratus trigger
// schedule` fires one through the running offline (found via .stratus/offline.json), and the
// function receives EventBridge's Scheduled Event (or the rule's input).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "tests/e2e/harness.hpp"

namespace stratus::e2e {
namespace {

using nlohmann::json;

const char* kService =
    "service: svc\n"
    "provider:\n"
    "  name: aws\n"
    "  runtime: python3.12\n"
    "  region: us-east-1\n"
    "functions:\n"
    "  tick:\n"
    "    handler: handler.mark\n"
    "    events:\n"
    "      - schedule: rate(1 day)\n"
    "  report:\n"
    "    handler: handler.mark\n"
    "    events:\n"
    "      - schedule:\n"
    "          rate: cron(0 9 ? * MON *)\n"
    "          name: weekly-report\n"
    "          input:\n"
    "            kind: report\n";

const char* kHandler =
    "import json, os\n"
    "def mark(event, context):\n"
    "    path = os.path.join(os.environ['LAMBDA_TASK_ROOT'], 'marker-' + context.function_name)\n"
    "    open(path + '.tmp', 'w').write(json.dumps(event))\n"
    "    os.rename(path + '.tmp', path)\n"
    "    return 'ok'\n";

// The marker a function wrote, waiting for it up to 20 s; "" if none came.
std::string wait_for_marker(const std::filesystem::path& file) {
  for (int i = 0; i < 200; ++i) {
    if (std::filesystem::exists(file)) return read_file(file);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return "";
}

// A port nothing listens on (bound, then released).
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

TEST(Schedules, BannerTriggerAndShutdown) {
  TempDir dir;
  dir.write("serverless.yml", kService);
  dir.write("handler.py", kHandler);
  Background offline(dir.path(), {"offline", "--lambda-port", "0", "--aws-port", "0", "--json"});
  const std::string line = offline.first_line();
  ASSERT_FALSE(line.empty()) << offline.err();
  const json banner = json::parse(line);
  const std::string endpoint = banner.at("lambdaEndpoint");
  const std::string where = endpoint.substr(std::string("http://").size());

  ASSERT_EQ(banner.at("schedules").size(), 2u) << line;
  const json& tick = banner["schedules"][0];
  EXPECT_EQ(tick.at("name"), "svc-dev-TickEventsRuleSchedule1");
  EXPECT_EQ(tick.at("function"), "svc-dev-tick");
  EXPECT_EQ(tick.at("expression"), "rate(1 day)");
  const std::regex iso("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
  EXPECT_TRUE(std::regex_match(tick.at("next").get<std::string>(), iso)) << tick;
  const json& report = banner["schedules"][1];
  EXPECT_EQ(report.at("name"), "weekly-report");
  EXPECT_EQ(report.at("expression"), "cron(0 9 ? * MON *)");
  EXPECT_TRUE(std::regex_match(report.at("next").get<std::string>(), std::regex(".*T09:00:00Z"))) << report;

  // The run file names this offline.
  const json run_file = json::parse(read_file(dir.path() / ".stratus" / "offline.json"));
  EXPECT_EQ(run_file.at("pid"), offline.pid());
  EXPECT_EQ(run_file.at("lambdaEndpoint"), endpoint);
  EXPECT_EQ(run_file.at("awsEndpoint"), banner.at("awsEndpoint"));

  // No port given: trigger finds the offline through .stratus/offline.json.
  RunResult r = run_stratus(dir.path(), {"trigger", "schedule", "svc-dev-TickEventsRuleSchedule1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::regex_match(
      r.out, std::regex("fired schedule svc-dev-TickEventsRuleSchedule1 -> svc-dev-tick \\(request id "
                        "[0-9a-f-]{36}\\)\n")))
      << r.out;
  const std::string marker = wait_for_marker(dir.path() / "marker-svc-dev-tick");
  ASSERT_FALSE(marker.empty()) << offline.err();
  const json event = json::parse(marker);
  EXPECT_EQ(event.at("version"), "0");
  EXPECT_EQ(event.at("id").get<std::string>().size(), 36u);
  EXPECT_EQ(event.at("detail-type"), "Scheduled Event");
  EXPECT_EQ(event.at("source"), "aws.events");
  EXPECT_EQ(event.at("account"), "000000000000");
  EXPECT_EQ(event.at("region"), "us-east-1");
  EXPECT_TRUE(std::regex_match(event.at("time").get<std::string>(), iso)) << event;
  EXPECT_EQ(event.at("resources"),
            json::array({"arn:aws:events:us-east-1:000000000000:rule/svc-dev-TickEventsRuleSchedule1"}));
  EXPECT_EQ(event.at("detail"), json::object());

  // An explicit endpoint, --json, and a rule with an input.
  r = run_stratus(dir.path(), {"trigger", "schedule", "weekly-report", "--endpoint", endpoint, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json fired = json::parse(r.out);
  EXPECT_EQ(fired.at("schedule"), "weekly-report");
  EXPECT_EQ(fired.at("function"), "svc-dev-report");
  EXPECT_EQ(json::parse(wait_for_marker(dir.path() / "marker-svc-dev-report")),
            json::parse(R"({"kind":"report"})"));

  // An unknown name is a usage error listing the schedules there are.
  const std::string port = where.substr(where.rfind(':') + 1);
  r = run_stratus(dir.path(), {"trigger", "schedule", "nope", "--lambda-port", port});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "stratus: error: no schedule named 'nope' in stratus offline on " + where +
                       "; its schedules: svc-dev-TickEventsRuleSchedule1, weekly-report\n");

  // Something that is not offline's Lambda port (its AWS endpoint) answers otherwise: a failure.
  const std::string aws = banner.at("awsEndpoint");
  r = run_stratus(dir.path(), {"trigger", "schedule", "weekly-report", "--endpoint", aws});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err.rfind("stratus: error: stratus offline on " + aws.substr(7) + " answered ", 0), 0u)
      << r.err;

  offline.signal(SIGINT);
  EXPECT_EQ(offline.wait(), 0) << offline.err();
  EXPECT_FALSE(std::filesystem::exists(dir.path() / ".stratus" / "offline.json"));
}

TEST(Schedules, HumanBannerListsSchedules) {
  TempDir dir;
  dir.write("serverless.yml", kService);
  dir.write("handler.py", kHandler);
  Background offline(dir.path(), {"offline", "--lambda-port", "0", "--aws-port", "0"});
  std::string err;
  for (int i = 0; i < 200 && err.find("Ctrl-C to stop.") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    err = offline.err();
  }
  EXPECT_TRUE(
      std::regex_search(err, std::regex("schedule svc-dev-TickEventsRuleSchedule1   rate\\(1 day\\) -> "
                                        "svc-dev-tick   next \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ")))
      << err;
  EXPECT_NE(err.find("schedule weekly-report   cron(0 9 ? * MON *) -> svc-dev-report   next "),
            std::string::npos)
      << err;
  offline.signal(SIGTERM);
  EXPECT_EQ(offline.wait(), 0) << offline.err();
}

TEST(Schedules, RuleNamedTwiceStopsOfflineBeforeListening) {
  TempDir dir;
  dir.write(
      "serverless.yml",
      "service: svc\nprovider:\n  name: aws\n  runtime: python3.12\nfunctions:\n"
      "  a:\n    handler: handler.mark\n    events:\n      - schedule: {rate: rate(1 day), name: same}\n"
      "  b:\n    handler: handler.mark\n    events:\n      - schedule: {rate: rate(2 days), name: same}\n");
  dir.write("handler.py", kHandler);
  const RunResult r = run_stratus(dir.path(), {"offline", "--lambda-port", "0", "--aws-port", "0"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("stratus: error: schedule rule 'same' is defined twice\n"), std::string::npos)
      << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir.path() / ".stratus" / "offline.json"));
}

TEST(Schedules, TriggerWithoutAnOffline) {
  TempDir dir;
  const int port = free_port();
  RunResult r = run_stratus(dir.path(), {"trigger", "schedule", "x", "--lambda-port", std::to_string(port)});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "stratus: error: no stratus offline on 127.0.0.1:" + std::to_string(port) +
                       "; start it or pass --lambda-port\n");
  r = run_stratus(dir.path(),
                  {"trigger", "schedule", "x", "--endpoint", "http://127.0.0.1:" + std::to_string(port)});
  EXPECT_EQ(r.exit_code, 1);

  // A run file left by an offline that is gone is ignored: the default port is tried instead.
  dir.write(".stratus/offline.json", R"({"pid": 2147483000, "lambdaEndpoint": "http://127.0.0.1:)" +
                                         std::to_string(port) + R"(", "awsEndpoint": "x"})");
  r = run_stratus(dir.path(), {"trigger", "schedule", "x"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("127.0.0.1:3002"), std::string::npos) << r.err;

  r = run_stratus(dir.path(), {"trigger", "schedule", "x", "--endpoint", "localhost"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "stratus: error: --endpoint localhost: expected http://HOST:PORT, e.g. http://127.0.0.1:3002\n");
  r = run_stratus(dir.path(), {"trigger", "schedule"});
  EXPECT_EQ(r.exit_code, 2);
}

}  // namespace
}  // namespace stratus::e2e
