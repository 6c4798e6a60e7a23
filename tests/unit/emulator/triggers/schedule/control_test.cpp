// The control endpoint that fires a schedule: routes, statuses and bodies.
#include "emulator/triggers/schedule/control.hpp"

#include <gtest/gtest.h>

#include "tests/unit/emulator/triggers/s3/recording_dispatcher.hpp"
#include "tests/unit/emulator/triggers/schedule/manual_clock.hpp"

namespace stratus::triggers::schedule {
namespace {

net::Request request(std::string method, std::string path) {
  net::Request r;
  r.method = std::move(method);
  r.target = path;
  r.path = std::move(path);
  return r;
}

class ScheduleControlTest : public ::testing::Test {
 protected:
  Rule make(std::string name) {
    Rule r;
    r.name = std::move(name);
    r.function = "svc-dev-tick";
    r.expression = "rate(1 day)";
    return r;
  }
  s3::RecordingDispatcher dispatcher;
  ManualClock clock{0};
  Scheduler scheduler{{make("nightly"), make("svc-dev-TickEventsRuleSchedule1")}, dispatcher, clock};
};

TEST_F(ScheduleControlTest, FireAnswers202WithTheRequestId) {
  const auto res = handle_control(scheduler, request("POST", "/_stratus/schedules/nightly/fire"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 202);
  EXPECT_EQ(
      res->body,
      R"({"schedule":"nightly","function":"svc-dev-tick","requestId":"00000000-0000-4000-8000-111111111111"})");
  ASSERT_EQ(dispatcher.calls().size(), 1u);
  EXPECT_EQ(dispatcher.calls()[0].first, "svc-dev-tick");
}

TEST_F(ScheduleControlTest, UnknownScheduleIs404NamingTheKnownOnes) {
  const auto res = handle_control(scheduler, request("POST", "/_stratus/schedules/nope/fire"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_EQ(
      res->body,
      R"({"message":"no schedule named 'nope'","schedules":["nightly","svc-dev-TickEventsRuleSchedule1"]})");
  EXPECT_TRUE(dispatcher.calls().empty());
}

TEST_F(ScheduleControlTest, OtherMethodsAndPaths) {
  auto res = handle_control(scheduler, request("GET", "/_stratus/schedules/nightly/fire"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 405);
  EXPECT_EQ(res->body, R"x({"message":"use POST to fire a schedule (got GET)"})x");
  res = handle_control(scheduler, request("POST", "/_stratus/other"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_EQ(
      res->body,
      R"x({"message":"unknown control path /_stratus/other; POST /_stratus/schedules/{name}/fire fires a schedule"})x");
  res = handle_control(scheduler, request("POST", "/_stratus/schedules//fire"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_FALSE(handle_control(scheduler, request("POST", "/2015-03-31/functions/f/invocations")));
  EXPECT_TRUE(dispatcher.calls().empty());
}

}  // namespace
}  // namespace stratus::triggers::schedule
