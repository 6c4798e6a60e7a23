// CloudWatch Logs on `stratus serve`: the LogStore behind the sinks, and FilterLogEvents /
// DescribeLogGroups over it (accounts kept apart, time windows, patterns, pages, errors).
#include "emulator/platform/logs_api.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/temp_dir.hpp"

namespace stratus::platform {
namespace {

using nlohmann::json;

logs::LogRecord line(const std::string& function, std::int64_t ms, const std::string& text) {
  return logs::LogRecord{function, "req", ms, logs::LogSource::out, text, "2026/11/23/[$LATEST]abc"};
}

class LogsApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_store = std::make_unique<LogStore>(m_dir.path() / "logs.db");
    engine::Sink* alice = m_store->sink_for("111111111111", nullptr);
    engine::Sink* bob = m_store->sink_for("222222222222", nullptr);
    for (int i = 0; i < 25; ++i) alice->log(line("hello", 1000 + i, "line " + std::to_string(i)));
    alice->log_many({line("hello", 2000, "ERROR boom"), line("other", 2000, "other's line")});
    bob->log(line("secret", 1000, "bob only"));
  }

  json call(const std::string& op, const json& body, const std::string& account = "111111111111",
            int status = 200) {
    net::wire::Request r;
    r.method = "POST";
    r.path = "/";
    r.headers = {{"X-Amz-Target", "Logs_20140328." + op}};
    r.body = body.dump();
    const net::wire::Response res = logs_handle(r, account, "us-east-1", *m_store);
    EXPECT_EQ(res.status, status) << res.body;
    EXPECT_EQ(res.content_type, "application/x-amz-json-1.1");
    return json::parse(res.body);
  }

  test_support::TempDir m_dir;
  std::unique_ptr<LogStore> m_store;
};

TEST_F(LogsApiTest, FilterReturnsTheGroupsEventsInOrderWithStreamAndIds) {
  const json out = call("FilterLogEvents", {{"logGroupName", "/aws/lambda/hello"}});
  ASSERT_EQ(out["events"].size(), 26u);
  EXPECT_FALSE(out.contains("nextToken"));
  const json& first = out["events"][0];
  EXPECT_EQ(first["message"], "line 0\n");
  EXPECT_EQ(first["timestamp"], 1000);
  EXPECT_EQ(first["logStreamName"], "2026/11/23/[$LATEST]abc");
  EXPECT_TRUE(first["eventId"].is_string());
  EXPECT_GT(first["ingestionTime"].get<std::int64_t>(), 0);
  EXPECT_EQ(out["events"][25]["message"], "ERROR boom\n");
}

TEST_F(LogsApiTest, TimeWindowPatternAndStreams) {
  json out = call("FilterLogEvents",
                  {{"logGroupName", "/aws/lambda/hello"}, {"startTime", 1010}, {"endTime", 1012}});
  ASSERT_EQ(out["events"].size(), 2u);
  EXPECT_EQ(out["events"][0]["message"], "line 10\n");
  out = call("FilterLogEvents", {{"logGroupName", "/aws/lambda/hello"}, {"filterPattern", "ERROR"}});
  ASSERT_EQ(out["events"].size(), 1u);
  out = call("FilterLogEvents", {{"logGroupName", "/aws/lambda/hello"}, {"filterPattern", "\"line 2\""}});
  EXPECT_EQ(out["events"].size(), 6u);  // line 2, line 20 ... line 24
  out = call("FilterLogEvents",
             {{"logGroupName", "/aws/lambda/hello"}, {"logStreamNames", json::array({"nope"})}});
  EXPECT_TRUE(out["events"].empty());
}

TEST_F(LogsApiTest, PagesFollowNextToken) {
  std::vector<std::string> seen;
  json body = {{"logGroupName", "/aws/lambda/hello"}, {"limit", 10}};
  for (int page = 0; page < 10; ++page) {
    const json out = call("FilterLogEvents", body);
    for (const auto& e : out["events"]) seen.push_back(e["message"]);
    if (!out.contains("nextToken")) break;
    body["nextToken"] = out["nextToken"];
  }
  ASSERT_EQ(seen.size(), 26u);
  EXPECT_EQ(seen[10], "line 10\n");
  EXPECT_EQ(seen[25], "ERROR boom\n");
}

TEST_F(LogsApiTest, AnotherAccountsGroupAndUnknownGroupsDoNotExist) {
  json out = call("FilterLogEvents", {{"logGroupName", "/aws/lambda/secret"}}, "111111111111", 400);
  EXPECT_EQ(
      out,
      json::parse(
          R"({"__type":"ResourceNotFoundException","message":"The specified log group does not exist."})"));
  call("FilterLogEvents", {{"logGroupName", "/other/group"}}, "111111111111", 400);
  out = call("FilterLogEvents", {{"logGroupName", "/aws/lambda/secret"}}, "222222222222");
  EXPECT_EQ(out["events"].size(), 1u);
  out = call("DescribeLogGroups", json::object());
  ASSERT_EQ(out["logGroups"].size(), 2u);
  EXPECT_EQ(out["logGroups"][0]["logGroupName"], "/aws/lambda/hello");
  EXPECT_EQ(out["logGroups"][0]["arn"], "arn:aws:logs:us-east-1:111111111111:log-group:/aws/lambda/hello:*");
  EXPECT_EQ(out["logGroups"][1]["logGroupName"], "/aws/lambda/other");
  out = call("DescribeLogGroups", {{"logGroupNamePrefix", "/aws/lambda/o"}});
  EXPECT_EQ(out["logGroups"].size(), 1u);
}

TEST_F(LogsApiTest, BadRequestsAreInvalidParameter) {
  json out = call("FilterLogEvents", json::object(), "111111111111", 400);
  EXPECT_EQ(out["__type"], "InvalidParameterException");
  EXPECT_EQ(out["message"], "Should provide either logGroupName or logGroupIdentifier.");
  out = call("FilterLogEvents", {{"logGroupName", "/aws/lambda/hello"}, {"nextToken", "garbage"}},
             "111111111111", 400);
  EXPECT_EQ(out["message"], "The specified nextToken is invalid.");
  out = call("FilterLogEvents", {{"logGroupName", "/aws/lambda/hello"}, {"limit", 0}}, "111111111111", 400);
  EXPECT_EQ(out["message"],
            "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must "
            "have value "
            "between 1 and 10000");
  out = call("FilterLogEvents", {{"logGroupName", "/aws/lambda/hello"}, {"filterPattern", "{ $.a = 1 }"}},
             "111111111111", 400);
  EXPECT_EQ(out["__type"], "InvalidParameterException");
  out = call("PutLogEvents", json::object(), "111111111111", 400);
  EXPECT_EQ(out, json::parse(
                     R"({"__type":"UnknownOperationException","message":"PutLogEvents is not supported"})"));
}

TEST_F(LogsApiTest, RetentionDropsOldLines) {
  // Every line is from 1970: a week's retention drops them all.
  EXPECT_TRUE(m_store->has_group("111111111111", "hello"));
  EXPECT_EQ(m_store->prune(2'000'000'000'000), 28);
  EXPECT_FALSE(m_store->has_group("111111111111", "hello"));
  EXPECT_FALSE(m_store->has_group("222222222222", "secret"));
}

TEST(LogStore, LinesSurviveReopeningWithinTheRetention) {
  test_support::TempDir dir;
  LogStoreOptions o;
  o.retention = std::chrono::hours(24 * 365 * 100);
  {
    LogStore store(dir.path() / "logs.db", o);
    store.sink_for("111111111111", nullptr)->log(line("f", 1000, "kept"));
  }  // the destructor commits the queue
  LogStore store(dir.path() / "logs.db", o);
  const auto kept = store.events("111111111111", "f", 0, INT64_MAX, std::nullopt, 10);
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].message, "kept\n");
  EXPECT_EQ(kept[0].log_stream, "2026/11/23/[$LATEST]abc");
}

TEST(LogStore, MaxRowsKeepsTheNewest) {
  test_support::TempDir dir;
  LogStoreOptions o;
  o.max_rows = 3;
  LogStore store(dir.path() / "logs.db", o);
  engine::Sink* sink = store.sink_for("111111111111", nullptr);
  for (int i = 0; i < 5; ++i) sink->log(line("f", 1'795'428'000'000 + i, std::to_string(i)));
  store.flush();
  EXPECT_EQ(store.prune(1'795'428'000'000), 2);
  const auto kept = store.events("111111111111", "f", 0, INT64_MAX, std::nullopt, 10);
  ASSERT_EQ(kept.size(), 3u);
  EXPECT_EQ(kept[0].message, "2\n");
}

}  // namespace
}  // namespace stratus::platform
