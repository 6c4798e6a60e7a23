#include "emulator/engine/async_queue.hpp"

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "emulator/common/clock.hpp"
#include "emulator/common/ids.hpp"
#include "emulator/engine/async_journal.hpp"

namespace stratus::engine {
namespace {

using Clock = std::chrono::steady_clock;

struct Event {
  std::string function;
  std::string payload;
  std::string request_id;
  int max_retries = 2;
  Clock::time_point expires;
  Clock::time_point not_before;
  int retries_used = 0;
  int attempts = 0;
  InvokeResult last;
  std::int64_t accepted_unix_ms = 0;
};

// A retry the journal must learn of (its attempts and due time).
struct JournalUpdate {
  std::string request_id;
  int attempts = 0;
  std::int64_t due_unix_ms = 0;
};

AsyncOutcome outcome_of(Event& event, AsyncOutcome::Condition condition) {
  AsyncOutcome out;
  out.condition = condition;
  out.function = std::move(event.function);
  out.request_id = std::move(event.request_id);
  out.payload = std::move(event.payload);
  out.attempts = event.attempts;
  out.last = std::move(event.last);
  out.unix_ms = unix_ms_now();
  return out;
}

}  // namespace

struct AsyncQueue::State {
  Runner runner;
  AsyncQueueOptions options;
  std::mutex stop_mutex;  // serialises stop()
  mutable std::mutex mutex;
  mutable std::condition_variable changed;
  std::deque<Event> events;  // unordered by not_before; workers pick the earliest due
  int running = 0;
  bool stopping = false;
  Clock::time_point drain_deadline;
  AsyncQueueStats stats;
  std::vector<std::thread> workers;

  void work();
  // Requeues the event or ends it (its outcome then goes to `ended`; a retry the journal must
  // record goes to `updates`). Called with `mutex` held.
  void finish(Event event, bool threw, std::vector<AsyncOutcome>& ended, std::vector<JournalUpdate>& updates);
  void report(std::vector<AsyncOutcome>& ended, std::vector<JournalUpdate>& updates,
              std::unique_lock<std::mutex>& lock);
  void warn(const std::string& line) const;
};

void AsyncQueue::State::warn(const std::string& line) const {
  if (options.warn)
    options.warn(line);
  else
    std::fprintf(stderr, "stratus: warning: %s\n", line.c_str());
}

void AsyncQueue::State::finish(Event event, bool threw, std::vector<AsyncOutcome>& ended,
                               std::vector<JournalUpdate>& updates) {
  const auto now = Clock::now();
  const InvokeStatus status = event.last.status;
  if (!threw && status == InvokeStatus::ok) {
    ++stats.succeeded;
    ended.push_back(outcome_of(event, AsyncOutcome::Condition::success));
    return;
  }
  if (!threw && status == InvokeStatus::throttled) {
    event.not_before = now + options.throttle_delay;
  } else {
    if (event.retries_used >= event.max_retries) {
      ++stats.failed;
      ended.push_back(outcome_of(event, AsyncOutcome::Condition::retries_exhausted));
      return;
    }
    const auto delay = options.retry_delays[std::min(event.retries_used, 1)];
    event.not_before = now + delay;
    ++event.retries_used;
    // The journal learns of a retry (not of a throttle: after a restart that event is due anyway).
    if (options.journal && event.not_before < event.expires)
      updates.push_back(
          {event.request_id, event.attempts,
           unix_ms_now() + std::chrono::duration_cast<std::chrono::milliseconds>(delay).count()});
  }
  if (event.not_before >= event.expires) {
    ++stats.expired;
    ended.push_back(outcome_of(event, AsyncOutcome::Condition::event_age_exceeded));
    return;
  }
  events.push_back(std::move(event));
}

// Without the lock (on_outcome may enqueue; the journal writes to disk): tells the journal of the
// retries, hands the ended events to on_outcome, then forgets them in the journal. An event ends in
// the journal after its destinations got it, so a crash in between repeats, never loses, a record.
void AsyncQueue::State::report(std::vector<AsyncOutcome>& ended, std::vector<JournalUpdate>& updates,
                               std::unique_lock<std::mutex>& lock) {
  if (ended.empty() && updates.empty()) return;
  std::vector<AsyncOutcome> batch = std::exchange(ended, {});
  std::vector<JournalUpdate> retries = std::exchange(updates, {});
  if (!options.on_outcome && !options.journal) return;
  ++running;  // wait_idle() waits for the report too
  lock.unlock();
  for (const auto& retry : retries) {
    try {
      options.journal->update(retry.request_id, retry.attempts, retry.due_unix_ms);
    } catch (const std::exception& e) {
      // The record keeps its older count: after a restart the event may run once more.
      warn(std::string("Event invocation ") + retry.request_id + ": " + e.what());
    }
  }
  for (const auto& outcome : batch) {
    if (options.on_outcome) {
      try {
        options.on_outcome(outcome);
      } catch (const std::exception&) {
        // A destination that fails loses the record, as a full or missing destination does on AWS.
      }
    }
    if (!options.journal) continue;
    try {
      options.journal->remove(outcome.request_id);
    } catch (const std::exception& e) {
      warn(std::string("Event invocation ") + outcome.request_id + " ended but stays in the journal (" +
           e.what() + "); it runs again at the next start");
    }
  }
  lock.lock();
  --running;
  changed.notify_all();
}

void AsyncQueue::State::work() {
  std::unique_lock lock(mutex);
  std::vector<AsyncOutcome> ended;
  std::vector<JournalUpdate> updates;
  for (;;) {
    report(ended, updates, lock);
    if (stopping && (events.empty() || Clock::now() >= drain_deadline)) return;
    // The earliest due event; drop the expired on the way.
    auto now = Clock::now();
    auto next = events.end();
    for (auto it = events.begin(); it != events.end();) {
      if (now >= it->expires) {
        ++stats.expired;
        ended.push_back(outcome_of(*it, AsyncOutcome::Condition::event_age_exceeded));
        it = events.erase(it);
        changed.notify_all();
        continue;
      }
      if (next == events.end() || it->not_before < next->not_before) next = it;
      ++it;
    }
    if (!ended.empty()) continue;  // report the expired first
    if (next == events.end()) {
      if (stopping) return;
      changed.wait(lock);
      continue;
    }
    if (next->not_before > now) {
      auto until = next->not_before;
      if (stopping) {
        if (until >= drain_deadline) return;  // not due before the drain ends
      }
      changed.wait_until(lock, until);
      continue;
    }
    Event event = std::move(*next);
    events.erase(next);
    ++running;
    ++stats.attempts;
    lock.unlock();
    bool threw = false;
    try {
      InvokeRequest request;
      request.payload = event.payload;
      request.request_id = event.request_id;  // every attempt runs under the id the 202 carried
      event.last = runner(event.function, std::move(request));
      if (event.last.status != InvokeStatus::throttled) ++event.attempts;
    } catch (const std::exception& e) {
      threw = true;  // counts as a function error: retried
      ++event.attempts;
      event.last = InvokeResult{};
      event.last.status = InvokeStatus::function_error;
      event.last.error_type = "Stratus.InvokeFailed";
      event.last.payload = e.what();
    }
    lock.lock();
    --running;
    finish(std::move(event), threw, ended, updates);
    changed.notify_all();
  }
}

AsyncQueue::AsyncQueue(Runner runner, AsyncQueueOptions options) : m_state(std::make_unique<State>()) {
  m_state->runner = std::move(runner);
  m_state->options = options;
  for (int i = 0; i < std::max(1, options.workers); ++i)
    m_state->workers.emplace_back([s = m_state.get()] { s->work(); });
}

AsyncQueue::~AsyncQueue() {
  stop();
}

std::string AsyncQueue::enqueue(const FunctionConfig& function, std::string payload) {
  State& s = *m_state;
  const auto now = Clock::now();
  Event event;
  event.function = function.id();
  event.payload = std::move(payload);
  event.request_id = new_request_id();
  event.max_retries = std::clamp(function.maximum_retry_attempts, 0, 2);
  event.expires = now + s.options.event_age_unit * function.maximum_event_age_s;
  event.not_before = now;
  event.accepted_unix_ms = unix_ms_now();
  std::string id = event.request_id;
  if (s.options.journal) {
    {
      std::lock_guard lock(s.mutex);
      if (s.stopping) return {};
    }
    // Outside the lock: workers go on while the record is committed. It is in the journal before
    // the event is queued, so the event's end (which removes it) cannot come first.
    s.options.journal->put(
        AsyncRecord{id, event.function, event.payload, 0, event.accepted_unix_ms, event.accepted_unix_ms});
  }
  std::lock_guard lock(s.mutex);
  // Stopped meanwhile: a recorded event is still accepted, it runs at the next start.
  if (s.stopping) return s.options.journal ? id : std::string();
  s.events.push_back(std::move(event));
  ++s.stats.queued;
  s.changed.notify_all();
  return id;
}

std::size_t AsyncQueue::resume(const FindFunction& find) {
  State& s = *m_state;
  AsyncJournal* journal = s.options.journal;
  if (!journal) return 0;
  AsyncJournalLoad loaded;
  try {
    loaded = journal->load();
  } catch (const std::exception& e) {
    s.warn(std::string("the pending Event invocations were not loaded: ") + e.what());
    return 0;
  }
  for (const auto& line : loaded.warnings) s.warn(line);
  const auto now = Clock::now();
  const std::int64_t unix_now = unix_ms_now();
  std::vector<Event> events;
  std::map<std::string, int> gone;  // function -> events dropped
  for (auto& record : loaded.records) {
    const std::optional<FunctionConfig> function = find(record.function);
    if (!function) {
      ++gone[record.function];
      try {
        journal->remove(record.request_id);
      } catch (const std::exception&) {
        // Dropped again (with the warning) at the next start.
      }
      continue;
    }
    Event event;
    event.function = function->name;
    event.payload = std::move(record.payload);
    event.request_id = std::move(record.request_id);
    event.max_retries = std::clamp(function->maximum_retry_attempts, 0, 2);
    // Ages and back-offs are wall-clock spans in the journal; the queue counts in steady time.
    const std::chrono::milliseconds age(std::max<std::int64_t>(0, unix_now - record.accepted_unix_ms));
    const std::chrono::milliseconds wait(std::max<std::int64_t>(0, record.due_unix_ms - unix_now));
    event.expires = now - age + s.options.event_age_unit * function->maximum_event_age_s;
    event.not_before = now + wait;
    event.attempts = event.retries_used = std::max(0, record.attempts);
    event.accepted_unix_ms = record.accepted_unix_ms;
    events.push_back(std::move(event));
  }
  for (const auto& [function, count] : gone)
    s.warn(std::to_string(count) + " pending Event invocation" + (count == 1 ? "" : "s") + " of '" +
           function + "' dropped: the function no longer exists");
  std::lock_guard lock(s.mutex);
  if (s.stopping) return 0;  // they stay in the journal
  for (auto& event : events) s.events.push_back(std::move(event));
  s.stats.queued += events.size();
  s.changed.notify_all();
  return events.size();
}

AsyncQueueStats AsyncQueue::stats() const {
  std::lock_guard lock(m_state->mutex);
  return m_state->stats;
}

bool AsyncQueue::wait_idle(std::chrono::milliseconds timeout) const {
  State& s = *m_state;
  std::unique_lock lock(s.mutex);
  return s.changed.wait_for(lock, timeout, [&] { return s.events.empty() && s.running == 0; });
}

void AsyncQueue::stop() {
  State& s = *m_state;
  std::lock_guard stop_lock(s.stop_mutex);
  {
    std::lock_guard lock(s.mutex);
    if (s.stopping) return;
    s.stopping = true;
    s.drain_deadline = Clock::now() + s.options.drain;
    s.changed.notify_all();
  }
  for (auto& worker : s.workers) worker.join();
  std::lock_guard lock(s.mutex);
  s.workers.clear();
  s.stats.expired += s.events.size();
  s.events.clear();
}

}  // namespace stratus::engine
