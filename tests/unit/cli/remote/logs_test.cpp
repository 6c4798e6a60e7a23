// The pure half of `stratus logs -f`: start times, the FilterLogEvents request, pages, lines, and
// the --tail cursor; and the paging walk against a fake transport.
#include "cli/remote/logs.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace stratus::remote {
namespace {

constexpr std::int64_t kNow = 1'795'428'000'000;  // 2026-11-23T10:00:00Z

TEST(RemoteLogs, StartTimeSpansUtcTimesAndEpochMs) {
  EXPECT_EQ(parse_start_time("10m", kNow), kNow - 600'000);
  EXPECT_EQ(parse_start_time("2h", kNow), kNow - 7'200'000);
  EXPECT_EQ(parse_start_time("2026-11-23T10:00:00Z", kNow), kNow);
  EXPECT_EQ(parse_start_time("2026-11-23", kNow), kNow - 36'000'000);
  EXPECT_EQ(parse_start_time("1763892000000", kNow), 1'763'892'000'000);
}

TEST(RemoteLogs, BadStartTimeNamesTheFlagAndTheForms) {
  try {
    parse_start_time("yesterday", kNow);
    FAIL() << "no error";
  } catch (const UserError& e) {
    EXPECT_EQ(e.exit_code(), kExitUsage);
    EXPECT_EQ(
        std::string(e.what()),
        "--startTime: expected a span such as 30m, 1h or 2d, or a UTC time such as 2026-01-01T00:00:00Z, "
        "or epoch milliseconds such as 1763892000000 (got 'yesterday')");
  }
}

TEST(RemoteLogs, RequestIsJson11WithTheQuery) {
  FilterQuery q;
  q.log_group = "/aws/lambda/app-dev-hello";
  q.start_time = 5;
  q.filter_pattern = "\"Task timed out\"";
  const aws::Request r = filter_request(q, "tok");
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.path, "/");
  EXPECT_EQ(r.headers, (aws::Headers{{"Content-Type", "application/x-amz-json-1.1"},
                                     {"X-Amz-Target", "Logs_20140328.FilterLogEvents"}}));
  EXPECT_EQ(nlohmann::json::parse(r.body),
            nlohmann::json::parse(R"({"logGroupName":"/aws/lambda/app-dev-hello","startTime":5,
                                      "filterPattern":"\"Task timed out\"","nextToken":"tok"})"));
}

TEST(RemoteLogs, PageAndLines) {
  const FilterPage page = read_filter_page(R"({"events":[{"logStreamName":"2026/11/23/[$LATEST]ab",
      "timestamp":1795428000123,"message":"hello\n","ingestionTime":1795428000200,"eventId":"7"}],
      "nextToken":"n2","searchedLogStreams":[]})");
  ASSERT_EQ(page.events.size(), 1u);
  EXPECT_EQ(page.next_token, "n2");
  const LogEvent& e = page.events[0];
  EXPECT_EQ(format_event(e, false), "2026-11-23T10:00:00.123Z hello");
  EXPECT_EQ(
      event_json(e),
      R"({"timestamp":1795428000123,"message":"hello\n","logStreamName":"2026/11/23/[$LATEST]ab","eventId":"7"})");
  LogEvent start{1795428000000, "START RequestId: 1 Version: $LATEST\n", "s", "1", 0};
  EXPECT_EQ(format_event(start, true),
            "2026-11-23T10:00:00.000Z \033[2mSTART RequestId: 1 Version: $LATEST\033[0m");
  try {
    read_filter_page("<html>");
    FAIL() << "no error";
  } catch (const UserError& err) {
    EXPECT_EQ(std::string(err.what()), "FilterLogEvents answered with something that is not a JSON object");
  }
}

TEST(RemoteLogs, TailCursorPrintsEachEventOnce) {
  TailCursor cursor(100);
  auto ev = [](std::int64_t ts, const char* id) { return LogEvent{ts, "m", "s", id, ts}; };
  auto fresh = cursor.fresh({ev(100, "a"), ev(105, "b"), ev(105, "c")});
  EXPECT_EQ(fresh.size(), 3u);
  EXPECT_EQ(cursor.since(), 105);
  // The next poll starts at 105 (inclusive): b and c come again, d is new.
  fresh = cursor.fresh({ev(105, "b"), ev(105, "c"), ev(105, "d"), ev(110, "e")});
  ASSERT_EQ(fresh.size(), 2u);
  EXPECT_EQ(fresh[0].event_id, "d");
  EXPECT_EQ(fresh[1].event_id, "e");
  EXPECT_EQ(cursor.since(), 110);
  EXPECT_TRUE(cursor.fresh({ev(110, "e")}).empty());
}

// A fake CloudWatch Logs: three pages, then an unknown group.
aws::ClientOptions fake(std::vector<std::string>& bodies, int& calls) {
  aws::ClientOptions o;
  o.retry.max_attempts = 1;
  o.endpoint_override = "http://127.0.0.1:1";
  o.transport = [&bodies, &calls](const aws::HttpExchange& x) {
    aws::HttpOutcome res;
    bodies.push_back(x.body);
    ++calls;
    if (nlohmann::json::parse(x.body)["logGroupName"] == "/aws/lambda/nope") {
      res.status = 400;
      res.body =
          R"({"__type":"ResourceNotFoundException","message":"The specified log group does not exist."})";
      return res;
    }
    res.status = 200;
    const std::string token = nlohmann::json::parse(x.body).value("nextToken", "");
    if (token.empty())
      res.body = R"({"events":[{"timestamp":1,"message":"one\n","eventId":"1"}],"nextToken":"p2"})";
    else if (token == "p2")
      res.body = R"({"events":[{"timestamp":2,"message":"two\n","eventId":"2"}],"nextToken":"p3"})";
    else
      res.body = R"({"events":[{"timestamp":3,"message":"three\n","eventId":"3"}]})";
    return res;
  };
  return o;
}

TEST(RemoteLogs, FilterAllWalksEveryPage) {
  std::vector<std::string> bodies;
  int calls = 0;
  aws::Client client({"AKID", "secret", ""}, fake(bodies, calls));
  FilterQuery q;
  q.log_group = "/aws/lambda/app-dev-hello";
  const auto events = filter_all(client, q, "hello (app-dev-hello)");
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[2].message, "three\n");
  EXPECT_EQ(calls, 3);
}

TEST(RemoteLogs, AnUnknownGroupIsSaidPlainly) {
  std::vector<std::string> bodies;
  int calls = 0;
  aws::Client client({"AKID", "secret", ""}, fake(bodies, calls));
  FilterQuery q;
  q.log_group = "/aws/lambda/nope";
  try {
    filter_all(client, q, "nope (nope)");
    FAIL() << "no error";
  } catch (const UserError& e) {
    EXPECT_EQ(e.exit_code(), kExitFailure);
    EXPECT_EQ(
        std::string(e.what()),
        "no logs for nope (nope): the log group /aws/lambda/nope does not exist (The specified log group "
        "does not exist.)\n  the function is not deployed there, or has never been invoked");
  }
}

}  // namespace
}  // namespace stratus::remote
