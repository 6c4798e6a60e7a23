#include "cli/run/schedules.hpp"

#include <gtest/gtest.h>

#include "cli/manifest/model.hpp"

namespace stratus::run {
namespace {

using manifest::Value;
using triggers::schedule::TargetInput;

manifest::Event schedule_event(manifest::ScheduleEvent e) {
  manifest::Event ev;
  ev.type = "schedule";
  ev.detail = std::move(e);
  return ev;
}

manifest::Service service_with(std::vector<manifest::Event> events, std::string key = "send-report_now") {
  manifest::Service service;
  service.name = "svc";
  service.provider.stage = "dev";
  manifest::Function f;
  f.key = std::move(key);
  f.name = "svc-dev-" + f.key;
  f.events = std::move(events);
  service.functions.push_back(std::move(f));
  return service;
}

TEST(ScheduleRulesFromManifest, NamesFollowServerlessLogicalIds) {
  EXPECT_EQ(schedule_logical_id("tick", 1), "TickEventsRuleSchedule1");
  EXPECT_EQ(schedule_logical_id("send-report_now", 3), "SendDashreportUnderscorenowEventsRuleSchedule3");
  manifest::ScheduleEvent two;
  two.expressions = {"rate(1 day)", "cron(0 9 ? * MON *)"};
  manifest::ScheduleEvent named;
  named.expressions = {"rate(5 minutes)"};
  named.name = "five";
  named.enabled = false;
  const auto out = schedule_rules(service_with({schedule_event(two), schedule_event(named)}));
  ASSERT_EQ(out.rules.size(), 3u);
  EXPECT_EQ(out.rules[0].name, "svc-dev-SendDashreportUnderscorenowEventsRuleSchedule1");
  EXPECT_EQ(out.rules[0].expression, "rate(1 day)");
  EXPECT_EQ(out.rules[0].function, "svc-dev-send-report_now");
  EXPECT_EQ(out.rules[1].name, "svc-dev-SendDashreportUnderscorenowEventsRuleSchedule2");
  EXPECT_EQ(out.rules[2].name, "five");
  EXPECT_FALSE(out.rules[2].enabled);
  EXPECT_TRUE(out.warnings.empty());
}

TEST(ScheduleRulesFromManifest, InputsAsServerlessPassesThem) {
  manifest::ScheduleEvent object;
  object.expressions = {"rate(1 day)"};
  Value input = Value::map();
  input.set("key", Value("v"));
  input.set("body", Value(R"({"n": 1})"));
  object.input = input;
  manifest::ScheduleEvent text;
  text.expressions = {"rate(1 day)"};
  text.input = Value(R"({"raw": true})");
  manifest::ScheduleEvent not_json;
  not_json.expressions = {"rate(1 day)"};
  not_json.input = Value("hello");
  manifest::ScheduleEvent path;
  path.expressions = {"rate(1 day)"};
  path.input_path = "$.detail";
  manifest::ScheduleEvent transformer;
  transformer.expressions = {"rate(1 day)"};
  Value t = Value::map();
  Value map = Value::map();
  map.set("time", Value("$.time"));
  t.set("inputPathsMap", map);
  t.set("inputTemplate", Value(R"({"at": <time>})"));
  transformer.input_transformer = t;
  const auto out =
      schedule_rules(service_with({schedule_event(object), schedule_event(text), schedule_event(not_json),
                                   schedule_event(path), schedule_event(transformer)},
                                  "f"));
  ASSERT_EQ(out.rules.size(), 5u);
  EXPECT_EQ(out.rules[0].input.kind, TargetInput::Kind::constant);
  EXPECT_EQ(out.rules[0].input.constant, R"({"key":"v","body":{"n":1}})");
  EXPECT_EQ(out.rules[1].input.constant, R"({"raw": true})");
  EXPECT_EQ(out.rules[2].input.constant, R"("hello")");
  ASSERT_EQ(out.warnings.size(), 1u);
  EXPECT_EQ(out.warnings[0],
            "functions.f.events[2].schedule.input is not JSON text (EventBridge requires it); sent as a JSON "
            "string");
  EXPECT_EQ(out.rules[3].input.kind, TargetInput::Kind::path);
  EXPECT_EQ(out.rules[3].input.path, "$.detail");
  EXPECT_EQ(out.rules[4].input.kind, TargetInput::Kind::transformer);
  EXPECT_EQ(out.rules[4].input.input_template, R"({"at": <time>})");
  ASSERT_EQ(out.rules[4].input.paths_map.size(), 1u);
  EXPECT_EQ(out.rules[4].input.paths_map[0], (std::pair<std::string, std::string>{"time", "$.time"}));
  EXPECT_EQ(out.rules[4].name, "svc-dev-FEventsRuleSchedule5");
}

}  // namespace
}  // namespace stratus::run
