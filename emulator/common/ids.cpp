#include "emulator/common/ids.hpp"

#include <chrono>
#include <random>

namespace stratus {
namespace {

std::mt19937_64& generator() {
  // One engine per thread: no lock on the hot path, and threads never share a sequence.
  thread_local std::mt19937_64 engine{[] {
    std::random_device device;
    std::seed_seq seed{device(), device(), device(), device()};
    return std::mt19937_64{seed};
  }()};
  return engine;
}

void append_hex(std::string& out, std::uint64_t value, int digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) out.push_back(kHex[(value >> shift) & 0xF]);
}

}  // namespace

std::string new_request_id() {
  std::uint64_t high = generator()();
  std::uint64_t low = generator()();
  high = (high & ~0xF000ULL) | 0x4000ULL;                // version 4
  low = (low & ~(0xC000ULL << 48)) | (0x8000ULL << 48);  // variant 10xx
  std::string out;
  out.reserve(36);
  append_hex(out, high >> 32, 8);
  out.push_back('-');
  append_hex(out, (high >> 16) & 0xFFFF, 4);
  out.push_back('-');
  append_hex(out, high & 0xFFFF, 4);
  out.push_back('-');
  append_hex(out, low >> 48, 4);
  out.push_back('-');
  append_hex(out, low & 0xFFFFFFFFFFFFULL, 12);
  return out;
}

std::string new_trace_id(std::int64_t unix_seconds) {
  std::string out = "Root=1-";
  append_hex(out, static_cast<std::uint64_t>(unix_seconds) & 0xFFFFFFFFULL, 8);
  out.push_back('-');
  append_hex(out, generator()() & 0xFFFFFFFFFFFFFFFFULL, 16);
  append_hex(out, generator()() & 0xFFFFFFFFULL, 8);
  out += ";Parent=";
  append_hex(out, generator()(), 16);
  out += ";Sampled=0";
  return out;
}

std::string new_trace_id() {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  return new_trace_id(std::chrono::duration_cast<std::chrono::seconds>(now).count());
}

}  // namespace stratus

namespace stratus {

std::string random_hex(int digits) {
  std::string out;
  out.reserve(static_cast<std::size_t>(digits));
  for (; digits > 0; digits -= 16) append_hex(out, generator()(), digits < 16 ? digits : 16);
  return out;
}

}  // namespace stratus
