#pragma once
// The time a Scheduler runs on. Production uses SystemClock; tests use a clock they advance by hand
// (tests/unit/emulator/triggers/schedule/manual_clock.hpp), so a rate(1 day) fires in microseconds.
//
// The contract lets a manual clock wake a scheduler without the scheduler knowing which clock it has:
// the scheduler holds `lock` (on its own mutex) and calls wait_until(); the clock releases the lock
// while it waits (as std::condition_variable does) and returns with it held again
//   - when now_unix_ms() >= deadline_ms (for a manual clock: an advance() reached it),
//   - when someone notifies `cv` (the scheduler's stop(), fire_now()), or spuriously.
// Callers loop and re-check their state: returning says nothing about why.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

#include "emulator/common/clock.hpp"

namespace stratus::triggers::schedule {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::int64_t now_unix_ms() = 0;
  virtual void wait_until(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                          std::int64_t deadline_ms) = 0;
};

// The wall clock (system_clock, so a cron fires at the UTC minute even if the machine's clock is set
// while we run).
class SystemClock : public Clock {
 public:
  std::int64_t now_unix_ms() override { return unix_ms_now(); }
  void wait_until(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                  std::int64_t deadline_ms) override {
    // A far deadline (no rule will fire) is capped: system_clock time points overflow near int64 max.
    constexpr std::int64_t kMaxWaitMs = 24LL * 3600 * 1000;
    const std::int64_t now = now_unix_ms();
    const std::int64_t until = deadline_ms - now > kMaxWaitMs ? now + kMaxWaitMs : deadline_ms;
    cv.wait_until(lock, std::chrono::system_clock::time_point(std::chrono::milliseconds(until)));
  }
};

}  // namespace stratus::triggers::schedule
