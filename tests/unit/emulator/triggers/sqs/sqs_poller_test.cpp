#include "emulator/triggers/sqs/sqs_poller.hpp"

#include <gtest/gtest.h>

#include <array>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "emulator/common/sha256.hpp"
#include "tests/support/temp_dir.hpp"

namespace stratus::triggers::sqs {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr std::array<std::string_view, 2> kMigrations = {kSqsSchema, kSqsTagsSchema};

// A Dispatcher whose one function answers with `respond` and records every event it was given.
class FakeDispatcher : public engine::Dispatcher {
 public:
  std::function<engine::InvokeResult(const json& event)> respond = [](const json&) {
    return engine::InvokeResult{};
  };

  std::vector<engine::FunctionConfig> functions() const override { return {}; }
  std::optional<engine::FunctionConfig> find_function(std::string_view) const override {
    return std::nullopt;
  }
  std::string invoke_async(const std::string&, std::string) override { return ""; }

  engine::InvokeResult invoke(const std::string& function, engine::InvokeRequest request) override {
    json event = json::parse(request.payload);
    engine::InvokeResult result = respond(event);
    {
      std::lock_guard lock(m_mutex);
      m_functions.push_back(function);
      m_events.push_back(std::move(event));
    }
    m_changed.notify_all();
    return result;
  }

  std::vector<json> events() const {
    std::lock_guard lock(m_mutex);
    return m_events;
  }
  std::vector<std::string> function_names() const {
    std::lock_guard lock(m_mutex);
    return m_functions;
  }
  bool wait_for_events(std::size_t n, std::chrono::milliseconds timeout) {
    std::unique_lock lock(m_mutex);
    return m_changed.wait_for(lock, timeout, [&] { return m_events.size() >= n; });
  }

 private:
  mutable std::mutex m_mutex;
  std::condition_variable m_changed;
  std::vector<json> m_events;
  std::vector<std::string> m_functions;
};

engine::InvokeResult respond_with(std::string payload) {
  engine::InvokeResult r;
  r.payload = std::move(payload);
  return r;
}

engine::InvokeResult function_error() {
  engine::InvokeResult r;
  r.status = engine::InvokeStatus::function_error;
  r.payload = R"({"errorMessage":"boom","errorType":"Error"})";
  return r;
}

struct Fixture {
  test_support::TempDir dir;
  store::Database db{dir.path() / "stratus.db", kMigrations};
  SqsStore sqs{db, "eu-central-1"};
  FakeDispatcher fake;

  void send(const std::string& queue, std::string body, MessageAttributes attributes = {},
            std::optional<std::string> group = {}) {
    SendRequest r;
    r.body = std::move(body);
    r.attributes = std::move(attributes);
    r.group_id = std::move(group);
    sqs.send(queue, r);
  }
  std::int64_t left(const std::string& queue) {
    const QueueCounts c = sqs.counts(queue);
    return c.visible + c.not_visible + c.delayed;
  }
};

std::unique_ptr<SqsPoller> make_poller(Fixture& f, const std::string& queue,
                                       SqsPollerSettings settings = {}) {
  settings.queue = queue;
  settings.function = "svc-dev-worker";
  return std::make_unique<SqsPoller>(f.sqs, f.fake, settings);
}

TEST(SqsPoller, InvokesWithTheLambdaSqsEventAndDeletesOnSuccess) {
  Fixture f;
  f.sqs.create_queue("work", {});
  f.send("work", "first", {{"k", {"String", "v", ""}}, {"bin", {"Binary", "", std::string("\x00\x01", 2)}}});
  f.send("work", "second");
  auto poller = make_poller(f, "work");
  EXPECT_EQ(poller->poll_once(0s), 2u);

  ASSERT_EQ(f.fake.events().size(), 1u);
  EXPECT_EQ(f.fake.function_names(), std::vector<std::string>{"svc-dev-worker"});
  const json records = f.fake.events()[0]["Records"];
  ASSERT_EQ(records.size(), 2u);
  const json& r = records[0];
  EXPECT_EQ(r["messageId"].get<std::string>().size(), 36u);
  EXPECT_FALSE(r["receiptHandle"].get<std::string>().empty());
  EXPECT_EQ(r["body"], "first");
  EXPECT_EQ(r["md5OfBody"], md5_hex("first"));
  EXPECT_EQ(r["eventSource"], "aws:sqs");
  EXPECT_EQ(r["eventSourceARN"], "arn:aws:sqs:eu-central-1:000000000000:work");
  EXPECT_EQ(r["awsRegion"], "eu-central-1");
  EXPECT_EQ(r["attributes"]["ApproximateReceiveCount"], "1");
  for (const char* key :
       {"ApproximateReceiveCount", "SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp"})
    EXPECT_TRUE(r["attributes"][key].is_string()) << key;
  EXPECT_FALSE(r["attributes"].contains("SequenceNumber"));
  EXPECT_EQ(
      r["messageAttributes"]["k"],
      json::parse(R"({"stringValue":"v","stringListValues":[],"binaryListValues":[],"dataType":"String"})"));
  EXPECT_EQ(r["messageAttributes"]["bin"],
            json::parse(
                R"({"binaryValue":"AAE=","stringListValues":[],"binaryListValues":[],"dataType":"Binary"})"));
  EXPECT_EQ(records[1]["body"], "second");
  EXPECT_EQ(records[1]["messageAttributes"], json::object());
  EXPECT_EQ(f.left("work"), 0);
  EXPECT_EQ(poller->poll_once(0s), 0u);
}

TEST(SqsPoller, AFunctionErrorLeavesTheBatchForRedrive) {
  Fixture f;
  f.sqs.create_queue("dead", {});
  f.sqs.create_queue(
      "work", {{"RedrivePolicy", R"({"deadLetterTargetArn":"arn:aws:sqs:eu-central-1:000000000000:dead",)"
                                 R"("maxReceiveCount":2})"}});
  f.send("work", "poison");
  f.fake.respond = [](const json&) { return function_error(); };
  auto poller = make_poller(f, "work");
  // The visibility timeout passing, without waiting for it.
  auto time_out = [&] {
    const json last = f.fake.events().back();
    f.sqs.change_visibility("work", last["Records"][0]["receiptHandle"], 0);
  };
  EXPECT_EQ(poller->poll_once(0s), 1u);
  EXPECT_EQ(f.sqs.counts("work").not_visible, 1);
  EXPECT_EQ(poller->poll_once(0s), 0u);  // still invisible
  time_out();
  EXPECT_EQ(poller->poll_once(0s), 1u);
  EXPECT_EQ(f.fake.events()[1]["Records"][0]["attributes"]["ApproximateReceiveCount"], "2");
  time_out();
  EXPECT_EQ(poller->poll_once(0s), 0u);  // moved to the dead-letter queue instead
  EXPECT_EQ(f.left("work"), 0);
  EXPECT_EQ(f.left("dead"), 1);
}

TEST(SqsPoller, ThrottlingDeletesNothing) {
  Fixture f;
  f.sqs.create_queue("work", {});
  f.send("work", "a");
  f.fake.respond = [](const json&) {
    engine::InvokeResult r;
    r.status = engine::InvokeStatus::throttled;
    return r;
  };
  EXPECT_EQ(make_poller(f, "work")->poll_once(0s), 1u);
  EXPECT_EQ(f.sqs.counts("work").not_visible, 1);
}

TEST(SqsPoller, PartialBatchResponseDeletesAllButTheReportedItems) {
  Fixture f;
  f.sqs.create_queue("work", {});
  for (const char* body : {"ok-1", "bad", "ok-2"}) f.send("work", body);
  f.fake.respond = [](const json& event) {
    std::string failed;
    for (const auto& r : event["Records"])
      if (r["body"] == "bad") failed = r["messageId"];
    return respond_with(R"({"batchItemFailures":[{"itemIdentifier":")" + failed + R"("}]})");
  };
  SqsPollerSettings settings;
  settings.report_batch_item_failures = true;
  EXPECT_EQ(make_poller(f, "work", settings)->poll_once(0s), 3u);
  const QueueCounts c = f.sqs.counts("work");
  EXPECT_EQ(c.visible + c.not_visible, 1);
  EXPECT_EQ(c.not_visible, 1);
}

TEST(SqsPoller, WithoutReportBatchItemFailuresTheResponseIsIgnored) {
  Fixture f;
  f.sqs.create_queue("work", {});
  f.send("work", "a");
  f.fake.respond = [](const json& event) {
    return respond_with(R"({"batchItemFailures":[{"itemIdentifier":")" +
                        event["Records"][0]["messageId"].get<std::string>() + R"("}]})");
  };
  EXPECT_EQ(make_poller(f, "work")->poll_once(0s), 1u);
  EXPECT_EQ(f.left("work"), 0);
}

TEST(SqsPoller, AMalformedPartialResponseFailsTheWholeBatch) {
  Fixture f;
  f.sqs.create_queue("work", {});
  f.send("work", "a");
  f.send("work", "b");
  f.fake.respond = [](const json&) {
    return respond_with(R"({"batchItemFailures":[{"itemIdentifier":"nope"}]})");
  };
  SqsPollerSettings settings;
  settings.report_batch_item_failures = true;
  EXPECT_EQ(make_poller(f, "work", settings)->poll_once(0s), 2u);
  EXPECT_EQ(f.sqs.counts("work").not_visible, 2);
}

TEST(SqsPoller, BatchItemFailureRules) {
  std::vector<Message> batch(2);
  batch[0].id = "m1";
  batch[1].id = "m2";
  using Ids = std::vector<std::string>;
  EXPECT_EQ(batch_item_failures("", batch), Ids{});
  EXPECT_EQ(batch_item_failures("null", batch), Ids{});
  EXPECT_EQ(batch_item_failures(R"("done")", batch), Ids{});
  EXPECT_EQ(batch_item_failures(R"({})", batch), Ids{});
  EXPECT_EQ(batch_item_failures(R"({"batchItemFailures":null})", batch), Ids{});
  EXPECT_EQ(batch_item_failures(R"({"batchItemFailures":[]})", batch), Ids{});
  EXPECT_EQ(batch_item_failures(R"({"batchItemFailures":[{"itemIdentifier":"m2"}]})", batch), Ids{"m2"});
  EXPECT_EQ(batch_item_failures("{not json", batch), std::nullopt);
  EXPECT_EQ(batch_item_failures(R"({"batchItemFailures":{}})", batch), std::nullopt);
  EXPECT_EQ(batch_item_failures(R"({"batchItemFailures":[{"itemIdentifier":""}]})", batch), std::nullopt);
  EXPECT_EQ(batch_item_failures(R"({"batchItemFailures":[{"itemIdentifier":null}]})", batch), std::nullopt);
  EXPECT_EQ(batch_item_failures(R"({"batchItemFailures":[{"itemId":"m1"}]})", batch), std::nullopt);
  EXPECT_EQ(batch_item_failures(R"({"batchItemFailures":[{"itemIdentifier":"m3"}]})", batch), std::nullopt);
}

TEST(SqsPoller, FifoBatchCarriesGroupFieldsAndAFailedGroupIsHeldBack) {
  Fixture f;
  f.sqs.create_queue("o.fifo", {{"FifoQueue", "true"}, {"ContentBasedDeduplication", "true"}});
  f.send("o.fifo", "a1", {}, "a");
  f.send("o.fifo", "a2", {}, "a");
  f.send("o.fifo", "b1", {}, "b");
  // As a FIFO handler should: report the first failure and everything after it in its group.
  f.fake.respond = [](const json& event) {
    json failures = json::array();
    for (const auto& r : event["Records"])
      if (r["attributes"]["MessageGroupId"] == "a") failures.push_back({{"itemIdentifier", r["messageId"]}});
    return respond_with(json{{"batchItemFailures", failures}}.dump());
  };
  SqsPollerSettings settings;
  settings.report_batch_item_failures = true;
  auto poller = make_poller(f, "o.fifo", settings);
  EXPECT_EQ(poller->poll_once(0s), 3u);
  const json records = f.fake.events()[0]["Records"];
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0]["body"], "a1");
  EXPECT_EQ(records[1]["body"], "a2");
  EXPECT_EQ(records[0]["attributes"]["MessageGroupId"], "a");
  EXPECT_EQ(records[0]["attributes"]["SequenceNumber"].get<std::string>().size(), 20u);
  EXPECT_EQ(records[0]["attributes"]["MessageDeduplicationId"], sha256_hex("a1"));
  // b1 was deleted; a1 and a2 are in flight, so group a gives nothing until they come back.
  EXPECT_EQ(f.sqs.counts("o.fifo").not_visible, 2);
  EXPECT_EQ(poller->poll_once(0s), 0u);
}

TEST(SqsPoller, BatchingWindowGathersMessagesThatArriveLate) {
  Fixture f;
  f.sqs.create_queue("work", {});
  f.send("work", "early");
  std::thread later([&] {
    std::this_thread::sleep_for(100ms);
    f.send("work", "late");
  });
  SqsPollerSettings settings;
  settings.batch_size = 5;
  settings.maximum_batching_window = 400ms;
  EXPECT_EQ(make_poller(f, "work", settings)->poll_once(0s), 2u);
  later.join();
  ASSERT_EQ(f.fake.events().size(), 1u);
  EXPECT_EQ(f.fake.events()[0]["Records"].size(), 2u);
}

TEST(SqsPoller, BatchSizeLimitsTheBatch) {
  Fixture f;
  f.sqs.create_queue("work", {});
  for (int i = 0; i < 5; ++i) f.send("work", "m" + std::to_string(i));
  SqsPollerSettings settings;
  settings.batch_size = 2;
  auto poller = make_poller(f, "work", settings);
  EXPECT_EQ(poller->poll_once(0s), 2u);
  EXPECT_EQ(poller->poll_once(0s), 2u);
  EXPECT_EQ(poller->poll_once(0s), 1u);
}

TEST(SqsPoller, ABatchIsCutAtTheLambdaPayloadLimit) {
  Fixture f;
  f.sqs.create_queue("big", {});
  for (int i = 0; i < 7; ++i) f.send("big", std::string(1'000'000, char('a' + i)));
  auto poller = make_poller(f, "big");
  // Six records of 1,000,000 bytes fit in 6 MiB, a seventh does not: it is visible again at once.
  EXPECT_EQ(poller->poll_once(0s), 6u);
  EXPECT_EQ(f.sqs.counts("big").visible, 1);
  EXPECT_EQ(poller->poll_once(0s), 1u);
  const auto events = f.fake.events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_LE(events[0].dump().size(), kMaxEventPayloadBytes);
  EXPECT_EQ(events[1]["Records"][0]["body"].get<std::string>()[0], 'g');
  EXPECT_EQ(f.left("big"), 0);
}

TEST(SqsPoller, TheThreadDeliversAndStopsPromptlyWhileLongPolling) {
  Fixture f;
  f.sqs.create_queue("work", {});
  auto poller = make_poller(f, "work");
  poller->start();
  f.send("work", "hello");
  ASSERT_TRUE(f.fake.wait_for_events(1, 2s));
  EXPECT_EQ(f.fake.events()[0]["Records"][0]["body"], "hello");
  // Now it waits in a 20-second long poll; stop() must not wait for that.
  std::this_thread::sleep_for(50ms);
  const auto start = std::chrono::steady_clock::now();
  poller->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  poller->stop();  // idempotent
}

TEST(SqsPoller, AMissingQueueDoesNotEndTheThread) {
  Fixture f;
  auto poller = make_poller(f, "later");
  poller->start();
  std::this_thread::sleep_for(50ms);
  f.sqs.create_queue("later", {});
  f.send("later", "x");
  EXPECT_TRUE(f.fake.wait_for_events(1, 2500ms));
  poller->stop();
}

}  // namespace
}  // namespace stratus::triggers::sqs
