#include "emulator/engine/async_queue.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <vector>

#include "emulator/engine/destination_record.hpp"

namespace stratus::engine {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

AsyncQueueOptions fast() {
  AsyncQueueOptions options;
  options.retry_delays[0] = 20ms;
  options.retry_delays[1] = 40ms;
  options.throttle_delay = 10ms;
  options.event_age_unit = 1ms;
  options.drain = 2s;
  return options;
}

FunctionConfig function(int retries, int max_age_units = 21600) {
  FunctionConfig fn;
  fn.name = "svc-dev-hello";
  fn.maximum_retry_attempts = retries;
  fn.maximum_event_age_s = max_age_units;
  return fn;
}

// Records each attempt's time and answers with the statuses it is given, then ok.
struct ScriptedRunner {
  std::mutex mutex;
  std::vector<InvokeStatus> script;
  std::vector<Clock::time_point> attempts;
  std::vector<std::string> payloads;
  InvokeResult operator()(const std::string& fn, InvokeRequest request) {
    std::lock_guard lock(mutex);
    EXPECT_EQ(fn, "svc-dev-hello");
    attempts.push_back(Clock::now());
    payloads.push_back(request.payload);
    InvokeResult result;
    std::size_t i = attempts.size() - 1;
    result.status = i < script.size() ? script[i] : InvokeStatus::ok;
    return result;
  }
};

TEST(AsyncQueue, RunsAnEventOnceWhenItSucceeds) {
  ScriptedRunner runner;
  AsyncQueue queue([&](const std::string& f, InvokeRequest r) { return runner(f, std::move(r)); }, fast());
  std::string id = queue.enqueue(function(2), R"({"k":1})");
  EXPECT_EQ(id.size(), 36u);
  ASSERT_TRUE(queue.wait_idle(5s));
  EXPECT_EQ(runner.payloads, std::vector<std::string>{R"({"k":1})"});
  auto stats = queue.stats();
  EXPECT_EQ(stats.queued, 1u);
  EXPECT_EQ(stats.attempts, 1u);
  EXPECT_EQ(stats.succeeded, 1u);
}

TEST(AsyncQueue, FunctionErrorsAreRetriedWithTheConfiguredBackOff) {
  ScriptedRunner runner;
  runner.script = {InvokeStatus::function_error, InvokeStatus::function_error, InvokeStatus::function_error};
  AsyncQueue queue([&](const std::string& f, InvokeRequest r) { return runner(f, std::move(r)); }, fast());
  queue.enqueue(function(2), "{}");
  ASSERT_TRUE(queue.wait_idle(5s));
  ASSERT_EQ(runner.attempts.size(), 3u);  // the first try and two retries
  EXPECT_GE(runner.attempts[1] - runner.attempts[0], 20ms);
  EXPECT_GE(runner.attempts[2] - runner.attempts[1], 40ms);
  auto stats = queue.stats();
  EXPECT_EQ(stats.failed, 1u);
  EXPECT_EQ(stats.succeeded, 0u);
}

TEST(AsyncQueue, RetryCountFollowsTheFunction) {
  ScriptedRunner runner;
  runner.script.assign(5, InvokeStatus::function_error);
  AsyncQueue queue([&](const std::string& f, InvokeRequest r) { return runner(f, std::move(r)); }, fast());
  queue.enqueue(function(0), "{}");
  ASSERT_TRUE(queue.wait_idle(5s));
  EXPECT_EQ(runner.attempts.size(), 1u);
}

TEST(AsyncQueue, RetryThatSucceedsStops) {
  ScriptedRunner runner;
  runner.script = {InvokeStatus::function_error};
  AsyncQueue queue([&](const std::string& f, InvokeRequest r) { return runner(f, std::move(r)); }, fast());
  queue.enqueue(function(2), "{}");
  ASSERT_TRUE(queue.wait_idle(5s));
  EXPECT_EQ(runner.attempts.size(), 2u);
  EXPECT_EQ(queue.stats().succeeded, 1u);
}

TEST(AsyncQueue, ThrottlesAreRetriedWithoutUsingRetries) {
  ScriptedRunner runner;
  runner.script = {InvokeStatus::throttled, InvokeStatus::throttled, InvokeStatus::throttled};
  AsyncQueue queue([&](const std::string& f, InvokeRequest r) { return runner(f, std::move(r)); }, fast());
  queue.enqueue(function(0), "{}");
  ASSERT_TRUE(queue.wait_idle(5s));
  EXPECT_EQ(runner.attempts.size(), 4u);
  EXPECT_EQ(queue.stats().succeeded, 1u);
}

TEST(AsyncQueue, ARunnerThatThrowsCountsAsAFunctionError) {
  std::atomic<int> calls{0};
  AsyncQueue queue(
      [&](const std::string&, InvokeRequest) -> InvokeResult {
        ++calls;
        throw std::runtime_error("engine trouble");
      },
      fast());
  queue.enqueue(function(1), "{}");
  ASSERT_TRUE(queue.wait_idle(5s));
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(queue.stats().failed, 1u);
}

TEST(AsyncQueue, EventsOlderThanTheirMaximumAgeAreDropped) {
  ScriptedRunner runner;
  runner.script.assign(5, InvokeStatus::function_error);
  AsyncQueueOptions options = fast();
  options.retry_delays[0] = 100ms;
  AsyncQueue queue([&](const std::string& f, InvokeRequest r) { return runner(f, std::move(r)); }, options);
  queue.enqueue(function(2, 60), "{}");  // 60 units = 60 ms: the first retry would come too late
  ASSERT_TRUE(queue.wait_idle(5s));
  EXPECT_EQ(runner.attempts.size(), 1u);
  EXPECT_EQ(queue.stats().expired, 1u);
}

TEST(AsyncQueue, StopDrainsDueEventsAndRefusesNewOnes) {
  ScriptedRunner runner;
  AsyncQueueOptions options = fast();
  options.workers = 1;
  AsyncQueue queue([&](const std::string& f, InvokeRequest r) { return runner(f, std::move(r)); }, options);
  for (int i = 0; i < 20; ++i) queue.enqueue(function(2), "{}");
  queue.stop();
  EXPECT_EQ(runner.attempts.size(), 20u);
  EXPECT_EQ(queue.enqueue(function(2), "{}"), "");
  queue.stop();  // idempotent
}

TEST(AsyncQueue, StopDropsRetriesNotDueWithinTheDrain) {
  ScriptedRunner runner;
  runner.script = {InvokeStatus::function_error};
  AsyncQueueOptions options = fast();
  options.retry_delays[0] = 10s;
  options.drain = 100ms;
  AsyncQueue queue([&](const std::string& f, InvokeRequest r) { return runner(f, std::move(r)); }, options);
  queue.enqueue(function(2), "{}");
  while (queue.stats().attempts == 0) std::this_thread::sleep_for(1ms);
  auto start = Clock::now();
  queue.stop();
  EXPECT_LT(Clock::now() - start, 2s);
  EXPECT_EQ(queue.stats().expired, 1u);
  EXPECT_EQ(runner.attempts.size(), 1u);
}

}  // namespace
}  // namespace stratus::engine

namespace stratus::engine {
namespace {

// Each ended event reaches on_outcome once, with its condition, attempts and last result; the
// record Lambda sends to a destination is built from it.
TEST(AsyncQueue, EndedEventsReachTheOutcomeHookAndMakeLambdasRecord) {
  ScriptedRunner runner;
  runner.script = {InvokeStatus::ok, InvokeStatus::function_error, InvokeStatus::function_error};
  std::mutex mutex;
  std::vector<AsyncOutcome> outcomes;
  AsyncQueueOptions options = fast();
  options.on_outcome = [&](const AsyncOutcome& o) {
    std::lock_guard lock(mutex);
    outcomes.push_back(o);
  };
  AsyncQueue queue([&](const std::string& f, InvokeRequest r) { return runner(f, std::move(r)); }, options);
  const std::string ok_id = queue.enqueue(function(1), R"({"n":1})");
  ASSERT_TRUE(queue.wait_idle(5s));
  const std::string failed_id = queue.enqueue(function(1), R"({"n":2})");  // one retry, both fail
  ASSERT_TRUE(queue.wait_idle(5s));
  std::lock_guard lock(mutex);
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_EQ(outcomes[0].condition, AsyncOutcome::Condition::success);
  EXPECT_EQ(outcomes[0].request_id, ok_id);
  EXPECT_EQ(outcomes[0].attempts, 1);
  EXPECT_EQ(outcomes[1].condition, AsyncOutcome::Condition::retries_exhausted);
  EXPECT_EQ(outcomes[1].request_id, failed_id);
  EXPECT_EQ(outcomes[1].attempts, 2);
  EXPECT_EQ(outcomes[1].payload, R"({"n":2})");

  AsyncOutcome failed = outcomes[1];
  failed.last.payload = R"({"errorType":"KeyError","errorMessage":"x"})";
  failed.unix_ms = 1763859600123;  // 2025-11-23T01:00:00.123Z
  const auto record =
      nlohmann::json::parse(destination_record(failed, "arn:aws:lambda:us-east-1:000000000000:function:f"));
  EXPECT_EQ(record.at("version"), "1.0");
  EXPECT_EQ(record.at("timestamp"), "2025-11-23T01:00:00.123Z");
  EXPECT_EQ(
      record.at("requestContext"),
      nlohmann::json::parse(R"({"requestId":")" + failed_id +
                            R"(","functionArn":"arn:aws:lambda:us-east-1:000000000000:function:f:$LATEST",)"
                            R"("condition":"RetriesExhausted","approximateInvokeCount":2})"));
  EXPECT_EQ(record.at("requestPayload"), nlohmann::json::parse(R"({"n":2})"));
  EXPECT_EQ(
      record.at("responseContext"),
      nlohmann::json::parse(R"({"statusCode":200,"executedVersion":"$LATEST","functionError":"Unhandled"})"));
  EXPECT_EQ(record.at("responsePayload").at("errorType"), "KeyError");
}

TEST(AsyncQueue, AnEventPastItsAgeEndsAsEventAgeExceeded) {
  ScriptedRunner runner;
  runner.script = {InvokeStatus::function_error};
  std::vector<AsyncOutcome> outcomes;
  AsyncQueueOptions options = fast();
  options.retry_delays[0] = 200ms;  // the retry would come after the event's 50 ms age
  options.on_outcome = [&](const AsyncOutcome& o) { outcomes.push_back(o); };
  AsyncQueue queue([&](const std::string& f, InvokeRequest r) { return runner(f, std::move(r)); }, options);
  queue.enqueue(function(2, 50), "not json");
  ASSERT_TRUE(queue.wait_idle(5s));
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].condition, AsyncOutcome::Condition::event_age_exceeded);
  EXPECT_EQ(outcomes[0].attempts, 1);
  const auto record = nlohmann::json::parse(destination_record(outcomes[0], "arn:f"));
  EXPECT_EQ(record.at("requestContext").at("condition"), "EventAgeExceeded");
  EXPECT_EQ(record.at("requestPayload"), "not json");  // not JSON: embedded as a string
}

}  // namespace
}  // namespace stratus::engine
