// AsyncQueue with a journal (async_journal.hpp): what it writes, when, and what resume() does with
// what it finds. The journal here is a fake in memory; store/async_journal_test.cpp tests SQLite's.
#include "emulator/engine/async_journal.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "emulator/common/clock.hpp"
#include "emulator/engine/async_queue.hpp"

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

class FakeJournal : public AsyncJournal {
 public:
  void put(const AsyncRecord& record) override {
    std::lock_guard lock(mutex);
    calls.push_back("put " + record.request_id);
    if (fail_put) throw std::runtime_error("disk full");
    held[record.request_id] = record;
  }
  void update(const std::string& request_id, int attempts, std::int64_t due_unix_ms) override {
    std::lock_guard lock(mutex);
    calls.push_back("update " + request_id + " " + std::to_string(attempts));
    if (fail_update) throw std::runtime_error("disk full");
    if (auto it = held.find(request_id); it != held.end()) {
      it->second.attempts = attempts;
      it->second.due_unix_ms = due_unix_ms;
    }
  }
  void remove(const std::string& request_id) override {
    std::lock_guard lock(mutex);
    calls.push_back("remove " + request_id);
    if (fail_remove) throw std::runtime_error("disk full");
    held.erase(request_id);
  }
  AsyncJournalLoad load() override {
    std::lock_guard lock(mutex);
    if (fail_load) throw std::runtime_error("stratus.db: cannot read");
    AsyncJournalLoad out;
    out.warnings = load_warnings;
    for (const auto& id : order)
      if (auto it = held.find(id); it != held.end()) out.records.push_back(it->second);
    return out;
  }

  void preload(AsyncRecord record) {
    order.push_back(record.request_id);
    held[record.request_id] = std::move(record);
  }
  std::vector<std::string> calls_snapshot() {
    std::lock_guard lock(mutex);
    return calls;
  }
  bool holds(const std::string& id) {
    std::lock_guard lock(mutex);
    return held.count(id) > 0;
  }

  std::mutex mutex;
  std::map<std::string, AsyncRecord> held;
  std::vector<std::string> order;
  std::vector<std::string> calls;
  std::vector<std::string> load_warnings;
  bool fail_put = false, fail_update = false, fail_remove = false, fail_load = false;
};

// Answers with the statuses it is given (then ok), recording each attempt; an attempt can be held
// until release().
struct Runner {
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<InvokeStatus> script;
  std::vector<std::string> request_ids;
  std::vector<Clock::time_point> times;
  bool hold = false;

  InvokeResult operator()(const std::string&, InvokeRequest request) {
    std::unique_lock lock(mutex);
    cv.wait(lock, [&] { return !hold; });
    request_ids.push_back(request.request_id);
    times.push_back(Clock::now());
    InvokeResult result;
    const std::size_t i = request_ids.size() - 1;
    result.status = i < script.size() ? script[i] : InvokeStatus::ok;
    return result;
  }
  void release() {
    std::lock_guard lock(mutex);
    hold = false;
    cv.notify_all();
  }
  std::size_t count() {
    std::lock_guard lock(mutex);
    return request_ids.size();
  }
};

struct Fixture {
  FakeJournal journal;
  Runner runner;
  std::mutex warn_mutex;
  std::vector<std::string> warnings;

  AsyncQueueOptions options(AsyncQueueOptions o = fast()) {
    o.journal = &journal;
    o.warn = [this](const std::string& line) {
      std::lock_guard lock(warn_mutex);
      warnings.push_back(line);
    };
    return o;
  }
  AsyncQueue::Runner run() {
    return [this](const std::string& f, InvokeRequest r) { return runner(f, std::move(r)); };
  }
};

std::optional<FunctionConfig> only_hello(const std::string& name, int retries = 2, int max_age = 21600) {
  if (name != "svc-dev-hello") return std::nullopt;
  return function(retries, max_age);
}

TEST(AsyncJournal, AnEventIsRecordedBeforeEnqueueReturnsAndForgottenWhenItSucceeds) {
  Fixture f;
  f.runner.hold = true;  // the event cannot end before we look
  AsyncQueue queue(f.run(), f.options());
  const std::int64_t before = unix_ms_now();
  const std::string id = queue.enqueue(function(2), R"({"k":1})");
  {
    std::lock_guard lock(f.journal.mutex);
    ASSERT_EQ(f.journal.held.count(id), 1u);
    const AsyncRecord& record = f.journal.held[id];
    EXPECT_EQ(record.function, "svc-dev-hello");
    EXPECT_EQ(record.payload, R"({"k":1})");
    EXPECT_EQ(record.attempts, 0);
    EXPECT_GE(record.accepted_unix_ms, before);
    EXPECT_LE(record.accepted_unix_ms, unix_ms_now());
    EXPECT_EQ(record.due_unix_ms, record.accepted_unix_ms);
  }
  f.runner.release();
  ASSERT_TRUE(queue.wait_idle(5s));
  EXPECT_EQ(f.journal.calls_snapshot(), (std::vector<std::string>{"put " + id, "remove " + id}));
  EXPECT_TRUE(f.warnings.empty());
}

TEST(AsyncJournal, ARetryIsRecordedAndAnEventOutOfRetriesForgotten) {
  Fixture f;
  f.runner.script = {InvokeStatus::function_error, InvokeStatus::function_error};
  AsyncQueue queue(f.run(), f.options());
  const std::string id = queue.enqueue(function(1), "{}");
  ASSERT_TRUE(queue.wait_idle(5s));
  EXPECT_EQ(f.runner.count(), 2u);
  EXPECT_EQ(queue.stats().failed, 1u);
  EXPECT_EQ(f.journal.calls_snapshot(),
            (std::vector<std::string>{"put " + id, "update " + id + " 1", "remove " + id}));
}

TEST(AsyncJournal, AThrottleWritesNothing) {
  Fixture f;
  f.runner.script = {InvokeStatus::throttled};
  AsyncQueue queue(f.run(), f.options());
  const std::string id = queue.enqueue(function(0), "{}");
  ASSERT_TRUE(queue.wait_idle(5s));
  EXPECT_EQ(f.runner.count(), 2u);
  EXPECT_EQ(f.journal.calls_snapshot(), (std::vector<std::string>{"put " + id, "remove " + id}));
}

TEST(AsyncJournal, AnEventPastItsAgeIsForgotten) {
  Fixture f;
  f.runner.script = {InvokeStatus::function_error};
  AsyncQueueOptions o = fast();
  o.retry_delays[0] = 200ms;  // after the event's 50 ms age
  AsyncQueue queue(f.run(), f.options(o));
  const std::string id = queue.enqueue(function(2, 50), "{}");
  ASSERT_TRUE(queue.wait_idle(5s));
  EXPECT_EQ(queue.stats().expired, 1u);
  EXPECT_EQ(f.journal.calls_snapshot(), (std::vector<std::string>{"put " + id, "remove " + id}));
}

TEST(AsyncJournal, StopKeepsWhatItDropsInTheJournal) {
  Fixture f;
  f.runner.script = {InvokeStatus::function_error};
  AsyncQueueOptions o = fast();
  o.retry_delays[0] = 10s;
  o.drain = 50ms;
  AsyncQueue queue(f.run(), f.options(o));
  const std::string id = queue.enqueue(function(2), "{}");
  while (f.journal.calls_snapshot().size() < 2) std::this_thread::sleep_for(1ms);  // the retry is recorded
  queue.stop();
  EXPECT_EQ(queue.stats().expired, 1u);
  std::lock_guard lock(f.journal.mutex);
  ASSERT_EQ(f.journal.held.count(id), 1u);
  EXPECT_EQ(f.journal.held[id].attempts, 1);
  EXPECT_GE(f.journal.held[id].due_unix_ms, unix_ms_now() + 9000);
}

TEST(AsyncJournal, AFailedPutRefusesTheEvent) {
  Fixture f;
  f.journal.fail_put = true;
  AsyncQueue queue(f.run(), f.options());
  try {
    queue.enqueue(function(2), "{}");
    FAIL() << "enqueue accepted an event it could not record";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "disk full");
  }
  EXPECT_TRUE(queue.wait_idle(1s));
  EXPECT_EQ(f.runner.count(), 0u);
  EXPECT_EQ(queue.stats().queued, 0u);
}

TEST(AsyncJournal, AFailedRemoveOrUpdateIsAWarning) {
  Fixture f;
  f.journal.fail_remove = true;
  f.journal.fail_update = true;
  f.runner.script = {InvokeStatus::function_error};
  AsyncQueue queue(f.run(), f.options());
  const std::string id = queue.enqueue(function(2), "{}");
  ASSERT_TRUE(queue.wait_idle(5s));
  EXPECT_EQ(f.runner.count(), 2u);
  EXPECT_EQ(queue.stats().succeeded, 1u);
  std::lock_guard lock(f.warn_mutex);
  EXPECT_EQ(f.warnings,
            (std::vector<std::string>{
                "Event invocation " + id + ": disk full",
                "Event invocation " + id +
                    " ended but stays in the journal (disk full); it runs again at the next start",
            }));
}

TEST(AsyncJournal, ResumeRunsWhatTheJournalHoldsWithItsIdsAttemptsAndDueTimes) {
  Fixture f;
  const std::int64_t now = unix_ms_now();
  f.journal.preload({"id-fresh", "svc-dev-hello", "{}", 0, now - 1000, now - 1000});
  f.journal.preload({"id-later", "svc-dev-hello", "{}", 0, now, now + 150});
  // One retry left of two: it runs twice more.
  f.journal.preload({"id-retried", "svc-dev-hello", "{}", 1, now, now});
  f.runner.script = {InvokeStatus::ok, InvokeStatus::function_error, InvokeStatus::function_error};
  std::mutex mutex;
  std::map<std::string, AsyncOutcome> outcomes;
  AsyncQueueOptions o = f.options();
  o.workers = 1;
  o.on_outcome = [&](const AsyncOutcome& outcome) {
    std::lock_guard lock(mutex);
    outcomes[outcome.request_id] = outcome;
  };
  AsyncQueue queue(f.run(), o);
  const auto start = Clock::now();
  EXPECT_EQ(queue.resume([](const std::string& name) { return only_hello(name, 2); }), 3u);
  ASSERT_TRUE(queue.wait_idle(5s));
  ASSERT_EQ(f.runner.count(), 4u);  // fresh, retried (fails, retried once more), later
  EXPECT_EQ(f.runner.request_ids[0], "id-fresh");
  EXPECT_EQ(f.runner.request_ids[1], "id-retried");
  EXPECT_EQ(f.runner.request_ids[3], "id-later");
  EXPECT_GE(f.runner.times[3] - start, 100ms);
  std::lock_guard lock(mutex);
  EXPECT_EQ(outcomes["id-fresh"].condition, AsyncOutcome::Condition::success);
  EXPECT_EQ(outcomes["id-retried"].condition, AsyncOutcome::Condition::retries_exhausted);
  EXPECT_EQ(outcomes["id-retried"].attempts, 3);
  EXPECT_EQ(outcomes["id-later"].condition, AsyncOutcome::Condition::success);
  EXPECT_TRUE(f.journal.held.empty());
  EXPECT_EQ(queue.stats().queued, 3u);
}

TEST(AsyncJournal, ResumeCountsTheAgeFromTheFirstAcceptance) {
  Fixture f;
  const std::int64_t now = unix_ms_now();
  f.journal.preload({"id-old", "svc-dev-hello", "{}", 0, now - 10'000, now});  // 10 s; the limit is 1 s
  std::vector<AsyncOutcome> outcomes;
  AsyncQueueOptions o = f.options();
  o.on_outcome = [&](const AsyncOutcome& outcome) { outcomes.push_back(outcome); };
  AsyncQueue queue(f.run(), o);
  queue.resume([](const std::string& name) { return only_hello(name, 2, 1000); });
  ASSERT_TRUE(queue.wait_idle(5s));
  EXPECT_EQ(f.runner.count(), 0u);
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].condition, AsyncOutcome::Condition::event_age_exceeded);
  EXPECT_FALSE(f.journal.holds("id-old"));
}

TEST(AsyncJournal, ResumeDropsTheEventsOfFunctionsThatAreGoneWithOneWarningEach) {
  Fixture f;
  const std::int64_t now = unix_ms_now();
  f.journal.preload({"a", "svc-dev-gone", "{}", 0, now, now});
  f.journal.preload({"b", "svc-dev-hello", "{}", 0, now, now});
  f.journal.preload({"c", "svc-dev-gone", "{}", 0, now, now});
  f.journal.preload({"d", "svc-dev-other", "{}", 0, now, now});
  AsyncQueue queue(f.run(), f.options());
  EXPECT_EQ(queue.resume([](const std::string& name) { return only_hello(name); }), 1u);
  ASSERT_TRUE(queue.wait_idle(5s));
  EXPECT_EQ(f.runner.request_ids, std::vector<std::string>{"b"});
  EXPECT_TRUE(f.journal.held.empty());
  EXPECT_EQ(f.warnings,
            (std::vector<std::string>{
                "2 pending Event invocations of 'svc-dev-gone' dropped: the function no longer exists",
                "1 pending Event invocation of 'svc-dev-other' dropped: the function no longer exists",
            }));
}

TEST(AsyncJournal, ResumeWarnsOfAJournalItCannotReadAndOfRowsItSkipped) {
  Fixture f;
  f.journal.fail_load = true;
  AsyncQueue queue(f.run(), f.options());
  EXPECT_EQ(queue.resume([](const std::string& name) { return only_hello(name); }), 0u);
  EXPECT_EQ(f.warnings, std::vector<std::string>{
                            "the pending Event invocations were not loaded: stratus.db: cannot read"});

  Fixture g;
  g.journal.load_warnings = {"row 7 is not readable"};
  g.journal.preload({"b", "svc-dev-hello", "{}", 0, unix_ms_now(), 0});
  AsyncQueue second(g.run(), g.options());
  EXPECT_EQ(second.resume([](const std::string& name) { return only_hello(name); }), 1u);
  ASSERT_TRUE(second.wait_idle(5s));
  EXPECT_EQ(g.warnings, std::vector<std::string>{"row 7 is not readable"});
}

TEST(AsyncJournal, WithoutAJournalResumeDoesNothing) {
  Runner runner;
  AsyncQueue queue([&](const std::string& f, InvokeRequest r) { return runner(f, std::move(r)); }, fast());
  EXPECT_EQ(queue.resume([](const std::string& name) { return only_hello(name); }), 0u);
}

TEST(AsyncJournal, AStoppedQueueRecordsNothing) {
  Fixture f;
  AsyncQueue queue(f.run(), f.options());
  queue.stop();
  EXPECT_EQ(queue.enqueue(function(2), "{}"), "");
  EXPECT_TRUE(f.journal.calls_snapshot().empty());
}

}  // namespace
}  // namespace stratus::engine
