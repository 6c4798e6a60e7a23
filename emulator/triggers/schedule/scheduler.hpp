#pragma once
// EventBridge schedule rules, run locally: one thread waits for the next fire time of any enabled
// rule and queues an Event invocation of the rule's function with what the target would receive
// (scheduled_event.hpp). The engine retries and routes failures as for any async invocation.
//
//   rate(...)  fires at start + k * period (k >= 1): a rule's rate counts from its creation, and a
//              local rule is created when the scheduler starts.
//   cron(...)  fires at the whole UTC minutes the expression selects.
// Time comes from a Clock (clock.hpp), so tests advance it instead of sleeping.
//
// Missed fires are not replayed: nothing fires for the time the process was not running, and when
// several fire times of one rule have passed at once (the machine slept, a test clock jumped), the
// rule fires once, stamped with the first of them, and continues with the next time after now.
// fire_now() fires one rule immediately, enabled or not (it is what `stratus trigger schedule` and
// the control endpoint call), stamped with the current second.
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "emulator/engine/dispatcher.hpp"
#include "emulator/schedule/expression.hpp"
#include "emulator/triggers/schedule/clock.hpp"
#include "emulator/triggers/schedule/scheduled_event.hpp"

namespace stratus::triggers::schedule {

struct Rule {
  std::string name;        // the EventBridge rule name (unique among the rules)
  std::string function;    // as Dispatcher::invoke_async takes it
  std::string expression;  // rate(...) or cron(...)
  bool enabled = true;
  TargetInput input;
};

struct SchedulerSettings {
  std::string region = "us-east-1";
  std::string account = "000000000000";
};

// A rule as the banner shows it.
struct RuleStatus {
  std::string name;
  std::string function;
  std::string expression;  // canonical form
  bool enabled = true;
  std::optional<std::int64_t> next;  // Unix seconds; nullopt when disabled, not started, or never again
};

class Scheduler {
 public:
  // Throws std::invalid_argument naming the rule for an invalid expression or JSONPath, or a name
  // used twice. `clock` and `dispatcher` outlive the scheduler.
  Scheduler(std::vector<Rule> rules, engine::Dispatcher& dispatcher, Clock& clock,
            SchedulerSettings settings = {});
  ~Scheduler();  // stop()
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Anchors the rates at the clock's current second and starts the thread (once).
  void start();
  // Idempotent; wakes the thread and joins it. An invoke_async in progress finishes first (it only
  // queues, so this is prompt).
  void stop();

  // Fires `rule` now; its request id, or nullopt when no rule has that name.
  std::optional<std::string> fire_now(const std::string& rule);

  std::vector<RuleStatus> rules() const;
  std::vector<std::string> names() const;

 private:
  struct Entry {
    Rule rule;
    stratus::schedule::Expression expression;
    std::optional<std::int64_t> next;  // Unix seconds
  };
  const Entry* find(const std::string& name) const;
  void run();
  std::string fire(const Entry& entry, std::int64_t time_s);

  std::vector<Entry> m_entries;
  engine::Dispatcher& m_dispatcher;
  Clock& m_clock;
  SchedulerSettings m_settings;
  mutable std::mutex m_mutex;
  std::condition_variable m_cv;
  bool m_stopping = false;
  bool m_started = false;
  std::int64_t m_anchor = 0;  // rates count from here (Unix seconds)
  std::thread m_thread;
};

}  // namespace stratus::triggers::schedule
