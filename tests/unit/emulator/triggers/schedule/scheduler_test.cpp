// The schedule trigger on a hand-driven clock: when rules fire, what the function receives, and how
// the scheduler starts and stops. No test sleeps for schedule time.
#include "emulator/triggers/schedule/scheduler.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "emulator/common/utc_time.hpp"
#include "tests/unit/emulator/triggers/s3/recording_dispatcher.hpp"
#include "tests/unit/emulator/triggers/schedule/manual_clock.hpp"

namespace stratus::triggers::schedule {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

std::int64_t at(const char* iso) {
  return *parse_iso8601(iso) * 1000;
}

Rule rule(std::string name, std::string expression, bool enabled = true) {
  Rule r;
  r.name = std::move(name);
  r.function = "svc-dev-tick";
  r.expression = std::move(expression);
  r.enabled = enabled;
  return r;
}

class SchedulerTest : public ::testing::Test {
 protected:
  // The `time` of every event queued so far.
  std::vector<std::string> fired_times() {
    std::vector<std::string> out;
    for (const auto& [fn, payload] : dispatcher.calls()) out.push_back(json::parse(payload).at("time"));
    return out;
  }
  // Moves the clock in `step`s up to `total`, letting the scheduler catch up after each.
  void run_for(std::chrono::milliseconds total, std::chrono::milliseconds step) {
    for (auto done = 0ms; done < total; done += step) {
      clock.advance(step);
      ASSERT_TRUE(clock.settle());
    }
  }

  s3::RecordingDispatcher dispatcher;
  ManualClock clock{at("2026-01-01T00:00:30Z") + 500};
};

TEST_F(SchedulerTest, RateFiresAtTheAnchorPlusWholePeriods) {
  Scheduler s({rule("every5", "rate(5 minutes)")}, dispatcher, clock);
  s.start();
  ASSERT_TRUE(clock.settle());
  ASSERT_EQ(s.rules().at(0).next, at("2026-01-01T00:05:30Z") / 1000);
  clock.advance(299s);  // 00:05:29.5
  ASSERT_TRUE(clock.settle());
  EXPECT_TRUE(dispatcher.calls().empty());
  clock.advance(500ms);  // 00:05:30.0
  ASSERT_TRUE(clock.settle());
  clock.advance(300s);
  ASSERT_TRUE(clock.settle());
  EXPECT_EQ(fired_times(), (std::vector<std::string>{"2026-01-01T00:05:30Z", "2026-01-01T00:10:30Z"}));
  EXPECT_EQ(dispatcher.calls().at(0).first, "svc-dev-tick");
}

TEST_F(SchedulerTest, CronFiresAtTheUtcMinutesItSelects) {
  Scheduler s({rule("quarter", "cron(0/15 * * * ? *)")}, dispatcher, clock);
  s.start();
  run_for(60min, 1min);
  EXPECT_EQ(fired_times(), (std::vector<std::string>{"2026-01-01T00:15:00Z", "2026-01-01T00:30:00Z",
                                                     "2026-01-01T00:45:00Z", "2026-01-01T01:00:00Z"}));
}

TEST_F(SchedulerTest, DayOfWeekCronFiresOnMondaysOnly) {
  // 2026-01-01 is a Thursday: the Mondays after it are the 5th and the 12th.
  Scheduler s({rule("monday", "cron(0 9 ? * MON *)")}, dispatcher, clock);
  s.start();
  run_for(14 * 24h, 1h);
  EXPECT_EQ(fired_times(), (std::vector<std::string>{"2026-01-05T09:00:00Z", "2026-01-12T09:00:00Z"}));
}

TEST_F(SchedulerTest, MissedFireTimesCollapseIntoOne) {
  Scheduler s({rule("minutely", "rate(1 minute)")}, dispatcher, clock);
  s.start();
  clock.advance(10min);
  ASSERT_TRUE(clock.settle());
  EXPECT_EQ(fired_times(), (std::vector<std::string>{"2026-01-01T00:01:30Z"}));
  EXPECT_EQ(s.rules().at(0).next, at("2026-01-01T00:11:30Z") / 1000);
}

TEST_F(SchedulerTest, DisabledRuleNeverFiresButFiresOnDemand) {
  Scheduler s({rule("off", "rate(1 minute)", false), rule("on", "rate(1 hour)")}, dispatcher, clock);
  s.start();
  run_for(3h, 1min);
  EXPECT_EQ(dispatcher.calls().size(), 3u);
  for (const auto& [fn, payload] : dispatcher.calls())
    EXPECT_EQ(json::parse(payload).at("resources").at(0), "arn:aws:events:us-east-1:000000000000:rule/on");
  const auto statuses = s.rules();
  EXPECT_FALSE(statuses.at(0).enabled);
  EXPECT_FALSE(statuses.at(0).next);
  EXPECT_EQ(statuses.at(0).expression, "rate(1 minute)");
  EXPECT_TRUE(s.fire_now("off"));
  EXPECT_EQ(dispatcher.calls().size(), 4u);
}

TEST_F(SchedulerTest, ScheduledEventHasEventBridgesShapeExactly) {
  Scheduler s({rule("my-rule", "rate(1 minute)")}, dispatcher, clock,
              SchedulerSettings{"eu-west-1", "123456789012"});
  s.start();
  clock.advance(60s);
  ASSERT_TRUE(clock.settle());
  ASSERT_EQ(dispatcher.calls().size(), 1u);
  const std::string payload = dispatcher.calls().at(0).second;
  const std::string id = json::parse(payload).at("id");
  EXPECT_EQ(id.size(), 36u);
  EXPECT_EQ(payload,
            R"({"version":"0","id":")" + id +
                R"(","detail-type":"Scheduled Event","source":"aws.events","account":"123456789012",)"
                R"("time":"2026-01-01T00:01:30Z","region":"eu-west-1",)"
                R"("resources":["arn:aws:events:eu-west-1:123456789012:rule/my-rule"],"detail":{}})");
}

TEST_F(SchedulerTest, EachFireHasAFreshId) {
  Scheduler s({rule("r", "rate(1 minute)")}, dispatcher, clock);
  s.start();
  run_for(2min, 1min);
  ASSERT_EQ(dispatcher.calls().size(), 2u);
  EXPECT_NE(json::parse(dispatcher.calls()[0].second).at("id"),
            json::parse(dispatcher.calls()[1].second).at("id"));
}

TEST_F(SchedulerTest, FireNowStampsTheCurrentSecondAndReturnsTheRequestId) {
  Scheduler s({rule("r", "rate(1 day)")}, dispatcher, clock);
  s.start();
  const auto id = s.fire_now("r");
  ASSERT_TRUE(id);
  EXPECT_EQ(*id, "00000000-0000-4000-8000-111111111111");
  EXPECT_EQ(fired_times(), (std::vector<std::string>{"2026-01-01T00:00:30Z"}));
  EXPECT_FALSE(s.fire_now("nope"));
  EXPECT_EQ(s.names(), (std::vector<std::string>{"r"}));
}

TEST_F(SchedulerTest, FireNowWorksBeforeStart) {
  Scheduler s({rule("r", "cron(0 0 1 1 ? 2100)")}, dispatcher, clock);
  EXPECT_TRUE(s.fire_now("r"));
  EXPECT_FALSE(s.rules().at(0).next);  // not started: no next time yet
}

std::string payload_with(TargetInput input) {
  s3::RecordingDispatcher d;
  ManualClock c{at("2026-03-01T01:23:45Z")};
  Rule r = rule("my-rule", "rate(1 day)");
  r.input = std::move(input);
  Scheduler s({r}, d, c);
  s.fire_now("my-rule");
  return d.calls().at(0).second;
}

TEST(ScheduleInput, ConstantInputIsSentVerbatim) {
  TargetInput in;
  in.kind = TargetInput::Kind::constant;
  in.constant = R"({ "key" : "value", "n": [1, 2] })";
  EXPECT_EQ(payload_with(in), in.constant);
}

TEST(ScheduleInput, InputPathSelectsPartOfTheEvent) {
  TargetInput in;
  in.kind = TargetInput::Kind::path;
  in.path = "$.detail";
  EXPECT_EQ(payload_with(in), "{}");
  in.path = "$.time";
  EXPECT_EQ(payload_with(in), R"("2026-03-01T01:23:45Z")");
  in.path = "$.resources[0]";
  EXPECT_EQ(payload_with(in), R"("arn:aws:events:us-east-1:000000000000:rule/my-rule")");
  in.path = "$.detail-type";
  EXPECT_EQ(payload_with(in), R"("Scheduled Event")");
  in.path = "$.nothing.here";
  EXPECT_EQ(payload_with(in), "null");
  in.path = "$";
  EXPECT_EQ(json::parse(payload_with(in)).at("source"), "aws.events");
}

TEST(ScheduleInput, InputTransformerFillsTheTemplate) {
  TargetInput in;
  in.kind = TargetInput::Kind::transformer;
  in.paths_map = {{"t", "$.time"}, {"d", "$.detail"}, {"src", "$.source"}, {"gone", "$.nope"}};
  in.input_template =
      R"({"at": <t>, "msg": "rule <aws.events.rule-name> from <src> at <t>", "detail": <d>, )"
      R"("missing": <gone>, "quoted": "[<gone>]", "kept": "<unknown>", "arn": "<aws.events.rule-arn>"})";
  EXPECT_EQ(
      payload_with(in),
      R"({"at": "2026-03-01T01:23:45Z", "msg": "rule my-rule from aws.events at 2026-03-01T01:23:45Z", )"
      R"("detail": {}, "missing": null, "quoted": "[]", "kept": "<unknown>", )"
      R"("arn": "arn:aws:events:us-east-1:000000000000:rule/my-rule"})");
}

TEST(ScheduleInput, InputTransformerTextAndQuotedTemplates) {
  TargetInput in;
  in.kind = TargetInput::Kind::transformer;
  in.paths_map = {{"src", "$.source"}, {"d", "$.detail"}};
  in.input_template = "<src> fired at <aws.events.event.ingestion-time>";
  EXPECT_EQ(payload_with(in), "aws.events fired at 2026-03-01T01:23:45Z");
  in.input_template = R"("from <src>, detail <d>")";
  EXPECT_EQ(payload_with(in), R"("from aws.events, detail {}")");
  in.input_template = R"({"event": <aws.events.event>})";
  const json whole = json::parse(payload_with(in)).at("event");
  EXPECT_EQ(whole.at("detail-type"), "Scheduled Event");
  EXPECT_FALSE(whole.contains("detail"));
  in.input_template = R"({"escaped": "a \"<src>\" b"})";
  EXPECT_EQ(json::parse(payload_with(in)).at("escaped"), "a \"aws.events\" b");
}

TEST(ScheduleRules, InvalidRulesAreRejectedWithTheirName) {
  s3::RecordingDispatcher d;
  ManualClock c{0};
  auto message = [&](std::vector<Rule> rules) {
    try {
      Scheduler s(std::move(rules), d, c);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(message({rule("bad", "rate(5 minute)")}),
            "schedule rule 'bad': invalid rate expression 'rate(5 minute)': use 'minutes' for a value other "
            "than 1, e.g. rate(5 minutes)");
  EXPECT_EQ(message({rule("twice", "rate(1 day)"), rule("twice", "rate(2 days)")}),
            "schedule rule 'twice' is defined twice");
  Rule path = rule("p", "rate(1 day)");
  path.input.kind = TargetInput::Kind::path;
  path.input.path = "detail";
  EXPECT_EQ(message({path}), "schedule rule 'p': inputPath 'detail' is not a JSONPath such as $.detail");
  Rule transformer = rule("t", "rate(1 day)");
  transformer.input.kind = TargetInput::Kind::transformer;
  transformer.input.paths_map = {{"all", "$.resources[*]"}};
  EXPECT_EQ(
      message({transformer}),
      "schedule rule 't': inputTransformer.inputPathsMap.all '$.resources[*]' is not a JSONPath such as "
      "$.detail");
}

TEST(ScheduleRules, StopIsPromptOnTheSystemClock) {
  s3::RecordingDispatcher d;
  SystemClock c;
  Scheduler s({rule("daily", "rate(1 day)"), rule("yearly", "cron(0 0 1 1 ? *)")}, d, c);
  s.start();
  const auto begin = std::chrono::steady_clock::now();
  s.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 1s);
  s.stop();  // idempotent
  EXPECT_TRUE(d.calls().empty());
}

TEST(ScheduleRules, StopWithoutRulesOrStart) {
  s3::RecordingDispatcher d;
  ManualClock c{0};
  Scheduler idle({}, d, c);
  idle.start();
  ASSERT_TRUE(c.settle());
  idle.stop();
  Scheduler never({rule("r", "rate(1 day)")}, d, c);
  never.stop();
}

}  // namespace
}  // namespace stratus::triggers::schedule
