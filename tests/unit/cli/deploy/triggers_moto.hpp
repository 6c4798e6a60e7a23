#pragma once
// A moto_server per test, set up by tests/fixtures/deploy_triggers/moto_setup.py (IAM role, the
// service's functions, queues, and resources that are not the service's), a service with every
// deployable trigger, and moto_state.py to read back what exists (through boto3, not our client).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli/deploy/triggers.hpp"
#include "cli/providers/aws/client.hpp"
#include "tests/support/background_process.hpp"
#include "tests/support/shell.hpp"
#include "tests/support/temp_dir.hpp"

namespace stratus::deploy::testing {

inline constexpr const char* kPython = "/root/.pyenv/versions/3.11.7/bin/python3";
inline constexpr const char* kRegion = "eu-west-1";
inline constexpr const char* kAccount = "123456789012";

using EventDetail = decltype(manifest::Event::detail);

inline manifest::Event event(std::string type, EventDetail detail) {
  manifest::Event e;
  e.type = std::move(type);
  e.detail = std::move(detail);
  return e;
}

inline manifest::Function function(const std::string& key, std::vector<manifest::Event> events) {
  manifest::Function f;
  f.key = key;
  f.name = "svc-dev-" + key;
  f.events = std::move(events);
  return f;
}

// hello: two schedules, an httpApi and an http route; worker: sqs by ARN; refs: sqs by
// Fn::GetAtt to a `resources` queue; uploader: s3 on `uploads` (existing) and `fresh-bucket`.
inline manifest::Service sample_service() {
  using manifest::Value;
  manifest::Service s;
  s.name = "svc";
  s.provider.stage = "dev";
  s.provider.region = kRegion;
  manifest::ScheduleEvent every5;
  every5.expressions = {"rate(5 minutes)"};
  every5.description = "every five";
  Value input = Value::map();
  input.set("a", Value(1));
  every5.input = input;
  manifest::ScheduleEvent nightly;
  nightly.expressions = {"cron(0 3 * * ? *)"};
  nightly.enabled = false;
  s.functions.push_back(
      function("hello", {event("schedule", every5), event("schedule", nightly),
                         event("httpApi", manifest::HttpApiEvent{"GET", "/users/{id}", "2.0"}),
                         event("http", manifest::HttpEvent{"POST", "/items"})}));
  manifest::SqsEvent by_arn;
  by_arn.arn = Value(std::string("arn:aws:sqs:") + kRegion + ":" + kAccount + ":jobs");
  by_arn.queue_name = "jobs";
  by_arn.batch_size = 5;
  by_arn.report_batch_item_failures = true;
  Value patterns = Value::sequence();
  Value pattern = Value::map();
  Value body = Value::map();
  Value kinds = Value::sequence();
  kinds.push_back(Value("order"));
  body.set("kind", kinds);
  pattern.set("body", body);
  patterns.push_back(pattern);
  by_arn.filter_patterns = patterns;
  s.functions.push_back(function("worker", {event("sqs", by_arn)}));
  manifest::SqsEvent by_ref;
  Value get_att = Value::map();
  Value att = Value::sequence();
  att.push_back(Value("RefsQueue"));
  att.push_back(Value("Arn"));
  get_att.set("Fn::GetAtt", att);
  by_ref.arn = get_att;
  by_ref.queue_name = "RefsQueue";
  s.functions.push_back(function("refs", {event("sqs", by_ref)}));
  Value resources = Value::map();
  Value queue = Value::map();
  Value props = Value::map();
  props.set("QueueName", Value("refs-queue"));
  queue.set("Type", Value("AWS::SQS::Queue"));
  queue.set("Properties", props);
  Value all = Value::map();
  all.set("RefsQueue", queue);
  resources.set("Resources", all);
  s.resources = resources;
  manifest::S3Event existing{"uploads", "s3:ObjectCreated:*", "in/", ".jpg", true};
  manifest::S3Event fresh{"fresh-bucket", "s3:ObjectCreated:Put", "", "", false};
  s.functions.push_back(function("uploader", {event("s3", existing), event("s3", fresh)}));
  return s;
}

// The message and exit code of the UserError `f` throws; "(no error)" and -1 when it throws none.
template <typename F>
std::pair<std::string, int> user_error(F&& f) {
  try {
    f();
  } catch (const UserError& e) {
    return {e.what(), e.exit_code()};
  }
  return {"(no error)", -1};
}

class TriggersMoto : public ::testing::Test {
 protected:
  void SetUp() override {
    auto which = test_support::run_shell("command -v moto_server", m_dir.path() / "which.err");
    if (which.exit_code != 0) GTEST_SKIP() << "moto_server is not installed";
    m_port = test_support::free_port();
    m_endpoint = "http://127.0.0.1:" + std::to_string(m_port);
    m_moto = std::make_unique<test_support::BackgroundProcess>(
        std::vector<std::string>{"moto_server", "-H", "127.0.0.1", "-p", std::to_string(m_port)},
        m_dir.path() / "moto.log");
    ASSERT_TRUE(test_support::wait_for_port(m_port, std::chrono::seconds(30)))
        << test_support::read_file(m_dir.path() / "moto.log");
    aws::ClientOptions o;
    o.region = kRegion;
    o.env = [endpoint = m_endpoint](const std::string& name) -> std::optional<std::string> {
      if (name == "AWS_ENDPOINT_URL") return endpoint;
      return std::nullopt;
    };
    o.retry.base_delay = std::chrono::milliseconds(10);
    m_client = std::make_unique<aws::Client>(auth::Credentials{"AKIDMOTOTEST", "moto-secret", ""}, o);
    m_service = sample_service();
    m_target = target_for(m_service);
    auto setup = python("moto_setup.py");
    ASSERT_EQ(setup.exit_code, 0) << setup.err;
  }
  void TearDown() override {
    if (m_moto) m_moto->stop();
  }

  Target target_for(const manifest::Service& service) {
    Target t;
    t.client = m_client.get();
    t.region = kRegion;
    t.account_id = kAccount;
    t.service = "svc";
    t.stage = "dev";
    t.tags = {{kServiceTag, "svc"}, {kStageTag, "dev"}, {"team", "core"}};
    for (const auto& f : service.functions) {
      FunctionTarget ft{f.key, f.name,
                        std::string("arn:aws:lambda:") + kRegion + ":" + kAccount + ":function:" + f.name,
                        ""};
      if (f.provisioned_concurrency) {
        ft.qualifier = kProvisionedAlias;
        ft.arn += std::string(":") + kProvisionedAlias;
      }
      t.functions.push_back(std::move(ft));
    }
    return t;
  }

  test_support::ProcessResult python(const std::string& script) {
    std::string command = std::string(kPython) + " " + STRATUS_SOURCE_DIR "/tests/fixtures/deploy_triggers/" +
                          script + " " + m_endpoint + " " + kRegion;
    for (const auto& f : m_service.functions) command += " " + f.name;
    return test_support::run_shell(command, m_dir.path() / "python.err");
  }

  nlohmann::json state() {
    auto r = python("moto_state.py");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out, nullptr, false);
  }

  static std::string describe(const Plan& plan) {
    std::string out;
    for (const auto& a : plan) out += a.what + "\n";
    return out;
  }

  static void apply(const Plan& plan) {
    for (const auto& a : plan) a.apply();
  }

  // Plans the service and applies it; returns the warnings.
  std::vector<std::string> deploy() {
    std::vector<std::string> warnings;
    apply(plan_triggers(m_target, m_service, warnings));
    return warnings;
  }

  test_support::TempDir m_dir;
  int m_port = 0;
  std::string m_endpoint;
  std::unique_ptr<test_support::BackgroundProcess> m_moto;
  std::unique_ptr<aws::Client> m_client;
  manifest::Service m_service;
  Target m_target;
};

}  // namespace stratus::deploy::testing
