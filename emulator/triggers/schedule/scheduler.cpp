#include "emulator/triggers/schedule/scheduler.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

#include "emulator/common/ids.hpp"

namespace stratus::triggers::schedule {

namespace {

std::int64_t floor_seconds(std::int64_t ms) {
  return ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
}

}  // namespace

Scheduler::Scheduler(std::vector<Rule> rules, engine::Dispatcher& dispatcher, Clock& clock,
                     SchedulerSettings settings)
    : m_dispatcher(dispatcher), m_clock(clock), m_settings(std::move(settings)) {
  for (auto& rule : rules) {
    auto parsed = stratus::schedule::parse(rule.expression);
    if (!parsed.expression) throw std::invalid_argument("schedule rule '" + rule.name + "': " + parsed.error);
    if (find(rule.name)) throw std::invalid_argument("schedule rule '" + rule.name + "' is defined twice");
    const TargetInput& in = rule.input;
    if (in.kind == TargetInput::Kind::path && !valid_json_path(in.path))
      throw std::invalid_argument("schedule rule '" + rule.name + "': inputPath '" + in.path +
                                  "' is not a JSONPath such as $.detail");
    for (const auto& [name, path] : in.paths_map)
      if (in.kind == TargetInput::Kind::transformer && !valid_json_path(path))
        throw std::invalid_argument("schedule rule '" + rule.name + "': inputTransformer.inputPathsMap." +
                                    name + " '" + path + "' is not a JSONPath such as $.detail");
    m_entries.push_back({std::move(rule), std::move(*parsed.expression), std::nullopt});
  }
}

Scheduler::~Scheduler() {
  stop();
}

const Scheduler::Entry* Scheduler::find(const std::string& name) const {
  for (const auto& e : m_entries)
    if (e.rule.name == name) return &e;
  return nullptr;
}

void Scheduler::start() {
  std::lock_guard lock(m_mutex);
  if (m_started) return;
  m_started = true;
  m_anchor = floor_seconds(m_clock.now_unix_ms());
  for (auto& e : m_entries)
    if (e.rule.enabled) e.next = e.expression.next_after(m_anchor, m_anchor);
  m_thread = std::thread([this] { run(); });
}

void Scheduler::stop() {
  {
    std::lock_guard lock(m_mutex);
    m_stopping = true;
  }
  m_cv.notify_all();
  if (m_thread.joinable()) m_thread.join();
}

void Scheduler::run() {
  std::unique_lock lock(m_mutex);
  while (!m_stopping) {
    const std::int64_t now_ms = m_clock.now_unix_ms();
    const std::int64_t now_s = floor_seconds(now_ms);
    std::vector<std::pair<const Entry*, std::int64_t>> due;
    std::int64_t deadline = std::numeric_limits<std::int64_t>::max();
    for (auto& e : m_entries) {
      if (!e.next) continue;
      if (*e.next <= now_s) {
        due.emplace_back(&e, *e.next);
        e.next = e.expression.next_after(std::max(*e.next, now_s), m_anchor);
      }
      if (e.next) deadline = std::min(deadline, *e.next * 1000);
    }
    if (due.empty()) {
      m_clock.wait_until(m_cv, lock, deadline);
      continue;
    }
    // Queueing needs no lock (a rule never changes after construction); fire_now() may run meanwhile.
    lock.unlock();
    for (const auto& [entry, time_s] : due) {
      try {
        fire(*entry, time_s);
      } catch (const std::exception&) {
        // The engine refused the event (it is stopping): the next fire time still counts.
      }
    }
    lock.lock();
  }
}

std::string Scheduler::fire(const Entry& entry, std::int64_t time_s) {
  const std::string arn = rule_arn(m_settings.region, m_settings.account, entry.rule.name);
  const auto event = scheduled_event(new_request_id(), time_s, m_settings.region, m_settings.account, arn);
  return m_dispatcher.invoke_async(entry.rule.function,
                                   target_payload(entry.rule.input, event, entry.rule.name));
}

std::optional<std::string> Scheduler::fire_now(const std::string& rule) {
  const Entry* entry = find(rule);
  if (!entry) return std::nullopt;
  return fire(*entry, floor_seconds(m_clock.now_unix_ms()));
}

std::vector<RuleStatus> Scheduler::rules() const {
  std::lock_guard lock(m_mutex);
  std::vector<RuleStatus> out;
  for (const auto& e : m_entries)
    out.push_back({e.rule.name, e.rule.function, e.expression.canonical(), e.rule.enabled, e.next});
  return out;
}

std::vector<std::string> Scheduler::names() const {
  std::vector<std::string> out;
  for (const auto& e : m_entries) out.push_back(e.rule.name);
  return out;
}

}  // namespace stratus::triggers::schedule
