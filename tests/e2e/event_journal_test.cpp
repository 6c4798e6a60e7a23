// Event invocations are durable: what the Invoke API answered 202 for runs, even when stratus
// offline is killed with SIGKILL before it got to it.
#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "tests/e2e/harness.hpp"

namespace stratus::e2e {
namespace {

using nlohmann::json;

const std::map<std::string, std::string> kAwsEnv = {
    {"AWS_ACCESS_KEY_ID", "test"}, {"AWS_SECRET_ACCESS_KEY", "test"}, {"AWS_DEFAULT_REGION", "us-east-1"}};

constexpr int kEvents = 120;

// 120 Event invocations of a function that takes 0.25 s each (two run at a time): most are still
// queued when the kill comes. After the restart every one of them runs.
TEST(EventJournal, KillNineLosesNoAcceptedEventInvocation) {
  TempDir dir;
  dir.write("serverless.yml",
            "service: jrn\n"
            "provider:\n  name: aws\n  runtime: python3.12\n  region: us-east-1\n"
            "functions:\n"
            "  slow:\n    handler: handler.slow\n");
  dir.write("handler.py",
            "import os, time\n"
            "def slow(event, context):\n"
            "    with open(os.path.join(os.environ['LAMBDA_TASK_ROOT'], 'seen.txt'), 'a') as f:\n"
            "        f.write(event['id'] + ' ' + context.aws_request_id + '\\n')\n"
            "    time.sleep(0.25)\n");
  // --no-reload: seen.txt is in the code folder, and every change to it would restart the instances.
  auto start = [&](std::unique_ptr<Background>& offline) {
    offline = std::make_unique<Background>(
        dir.path(), std::vector<std::string>{"offline", "--lambda-port", "0", "--aws-port", "0", "--json",
                                             "--no-reload"});
    const std::string banner = offline->first_line();
    EXPECT_FALSE(banner.empty()) << offline->err();
    return banner.empty() ? std::string() : json::parse(banner).at("lambdaEndpoint").get<std::string>();
  };
  // event id -> the request ids it ran under
  auto seen = [&] {
    std::map<std::string, std::set<std::string>> runs;
    std::istringstream lines(
        std::filesystem::exists(dir.path() / "seen.txt") ? read_file(dir.path() / "seen.txt") : "");
    for (std::string id, request; lines >> id >> request;) runs[id].insert(request);
    return runs;
  };

  std::unique_ptr<Background> offline;
  const std::string endpoint = start(offline);
  ASSERT_FALSE(endpoint.empty());
  // Prints "<event id> <request id>" per 202.
  const RunResult sent = run_program(
      dir.path(),
      {"python3", "-c",
       "import boto3, botocore, json, sys\n"
       "c = boto3.client('lambda', endpoint_url=sys.argv[1], region_name='us-east-1',\n"
       "                 config=botocore.config.Config(retries={'max_attempts': 1}))\n"
       "for i in range(int(sys.argv[2])):\n"
       "    r = c.invoke(FunctionName='slow', InvocationType='Event', Payload=json.dumps({'id': 'e%03d' % "
       "i}))\n"
       "    assert r['StatusCode'] == 202, r\n"
       "    print('e%03d' % i, r['ResponseMetadata']['HTTPHeaders']['x-amzn-requestid'], flush=True)\n",
       endpoint, std::to_string(kEvents)},
      kAwsEnv);
  offline->signal(SIGKILL);  // most events are still queued, one or two are running
  offline->wait();
  ASSERT_EQ(sent.exit_code, 0) << sent.err;
  std::map<std::string, std::string> accepted;  // event id -> request id
  std::istringstream lines(sent.out);
  for (std::string id, request; lines >> id >> request;) accepted[id] = request;
  ASSERT_EQ(accepted.size(), static_cast<std::size_t>(kEvents));
  const std::size_t before_restart = seen().size();
  EXPECT_LT(before_restart, static_cast<std::size_t>(kEvents) / 2)
      << "the kill came after most of the work: the test proves little";

  ASSERT_FALSE(start(offline).empty());
  std::map<std::string, std::set<std::string>> runs;
  for (int i = 0; i < 600 && (runs = seen()).size() < accepted.size(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(runs.size(), accepted.size()) << "ran before the kill: " << before_restart << "\n"
                                          << offline->err();
  // Each ran under the id its 202 carried, before the kill or after.
  for (const auto& [id, request] : accepted) {
    ASSERT_EQ(runs.count(id), 1u) << id << " never ran";
    EXPECT_EQ(runs[id], std::set<std::string>{request}) << id;
  }
  offline->signal(SIGINT);
  EXPECT_EQ(offline->wait(), 0) << offline->err();
  EXPECT_EQ(offline->err().find("Event invocation"), std::string::npos) << offline->err();

  // Nothing is left over: a third start runs nothing again.
  const std::size_t lines_before = read_file(dir.path() / "seen.txt").size();
  ASSERT_FALSE(start(offline).empty());
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  offline->signal(SIGINT);
  EXPECT_EQ(offline->wait(), 0) << offline->err();
  EXPECT_EQ(read_file(dir.path() / "seen.txt").size(), lines_before);
}

}  // namespace
}  // namespace stratus::e2e
