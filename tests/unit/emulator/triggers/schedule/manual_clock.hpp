#pragma once
// A schedule::Clock that moves only when a test says so. advance() wakes a scheduler waiting for a
// time it reaches; settle() returns once the scheduler is waiting again for a later time, i.e. it has
// fired everything due. Nothing sleeps for schedule time.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "emulator/triggers/schedule/clock.hpp"

namespace stratus::triggers::schedule {

class ManualClock : public Clock {
 public:
  explicit ManualClock(std::int64_t start_ms) : m_now(start_ms) {}

  std::int64_t now_unix_ms() override { return m_now.load(); }

  void wait_until(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                  std::int64_t deadline_ms) override {
    {
      std::lock_guard guard(m_mutex);
      m_waiters.push_back({&cv, lock.mutex(), deadline_ms});
    }
    // An advance() before the registration is seen here; one after it notifies under `lock`.
    if (m_now.load() < deadline_ms) cv.wait(lock);
    std::lock_guard guard(m_mutex);
    std::erase_if(m_waiters, [&](const Waiter& w) { return w.cv == &cv; });
  }

  void advance(std::chrono::milliseconds by) { set(m_now.load() + by.count()); }
  void set(std::int64_t now_ms) {
    m_now = now_ms;
    std::vector<Waiter> waiters;
    {
      std::lock_guard guard(m_mutex);
      waiters = m_waiters;
    }
    for (const auto& w : waiters) {
      std::lock_guard owner(*w.mutex);
      w.cv->notify_all();
    }
  }

  // Blocks until a scheduler waits for a deadline after now (everything due has fired); false after
  // a few seconds of real time without that.
  bool settle() {
    for (int i = 0; i < 5000; ++i) {
      {
        std::lock_guard guard(m_mutex);
        for (const auto& w : m_waiters)
          if (w.deadline_ms > m_now.load()) return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return false;
  }

 private:
  struct Waiter {
    std::condition_variable* cv;
    std::mutex* mutex;
    std::int64_t deadline_ms;
  };
  std::atomic<std::int64_t> m_now;
  std::mutex m_mutex;
  std::vector<Waiter> m_waiters;
};

}  // namespace stratus::triggers::schedule
