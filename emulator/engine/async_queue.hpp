#pragma once
// Event (asynchronous) invocations: a queue and a few worker threads that run each event through
// a Runner, as Lambda's internal queue does (spec section 3.7):
//   - a function error is retried up to the function's maximum_retry_attempts (0-2) times, after
//     retry_delays[0] (AWS: about 1 min) and then retry_delays[1] (about 2 min);
//   - a throttled attempt is tried again after throttle_delay without using up a retry;
//   - an event older than maximum_event_age_s (counted in event_age_unit) when its turn comes is
//     dropped;
//   - how each event ended goes to AsyncQueueOptions::on_outcome (for destinations).
// stop() refuses new events, runs what is due within `drain`, drops the rest and joins.
//
// Durable with a journal (AsyncQueueOptions::journal, see async_journal.hpp): an event is in the
// journal before enqueue() returns and leaves it when it ends, so what stop() drops, or a kill -9
// loses, is still there for resume() at the next start (at least once: an event that was running
// runs again). Without one, events queued at exit are lost.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "emulator/engine/dispatcher.hpp"
#include "emulator/engine/function_config.hpp"

namespace stratus::engine {

// How an event ended, for its destinations (Lambda's onSuccess / onFailure, and the older DLQ).
struct AsyncOutcome {
  enum class Condition { success, retries_exhausted, event_age_exceeded };
  Condition condition = Condition::success;
  std::string function;
  std::string request_id;
  std::string payload;       // the event
  int attempts = 0;          // runs of the function (approximateInvokeCount)
  InvokeResult last;         // the last attempt's result (none for an event that never ran)
  std::int64_t unix_ms = 0;  // when it ended
};

class AsyncJournal;

struct AsyncQueueOptions {
  int workers = 2;
  std::chrono::milliseconds retry_delays[2] = {std::chrono::minutes(1), std::chrono::minutes(2)};
  std::chrono::milliseconds throttle_delay{1000};
  std::chrono::milliseconds event_age_unit{1000};  // one unit of maximum_event_age_s
  std::chrono::milliseconds drain{5000};
  // Called once per event that ends (not for those stop() drops), on a worker thread, outside the
  // queue's lock. It may enqueue.
  std::function<void(const AsyncOutcome&)> on_outcome;
  // Keeps accepted events across restarts; nullptr = in memory only. Must outlive the queue.
  AsyncJournal* journal = nullptr;
  // One line for a person: an event resume() drops, a journal that failed. Called on any thread;
  // null prints "stratus: warning: <line>" to stderr.
  std::function<void(const std::string&)> warn;
};

struct AsyncQueueStats {
  std::uint64_t queued = 0;     // accepted by enqueue()
  std::uint64_t attempts = 0;   // runs of the Runner
  std::uint64_t succeeded = 0;  // events whose last attempt returned ok
  std::uint64_t failed = 0;     // events that ran out of retries
  std::uint64_t expired = 0;    // events dropped for their age, or by stop()
};

class AsyncQueue {
 public:
  using Runner = std::function<InvokeResult(const std::string& function, InvokeRequest request)>;

  explicit AsyncQueue(Runner runner, AsyncQueueOptions options = {});
  ~AsyncQueue();  // stop()
  AsyncQueue(const AsyncQueue&) = delete;
  AsyncQueue& operator=(const AsyncQueue&) = delete;

  // Queues one event for `function` (its name, retry and age settings are copied now) and returns
  // the event's request id; "" once stopped. With a journal the event is recorded first; when that
  // fails this throws std::runtime_error and the event is not queued.
  std::string enqueue(const FunctionConfig& function, std::string payload);

  // Queues again the events the journal holds (call once, at start). `find` gives a function's
  // current configuration by deployed name (its retry and age settings apply); an event whose
  // function is gone is dropped, with a warning. An event keeps its id, attempts and age. Returns
  // how many were queued; 0 without a journal, or when it cannot be read (a warning says why).
  using FindFunction = std::function<std::optional<FunctionConfig>(const std::string& name)>;
  std::size_t resume(const FindFunction& find);

  AsyncQueueStats stats() const;
  // Blocks until no event is queued or running, or `timeout` passes; true when idle.
  bool wait_idle(std::chrono::milliseconds timeout) const;
  void stop();  // idempotent

 private:
  struct State;
  std::unique_ptr<State> m_state;
};

}  // namespace stratus::engine
