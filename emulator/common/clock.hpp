#pragma once
// The wall clock as AWS stamps things: Unix epoch milliseconds.
#include <chrono>
#include <cstdint>

namespace stratus {

inline std::int64_t unix_ms_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace stratus
