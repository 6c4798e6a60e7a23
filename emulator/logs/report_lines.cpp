#include "emulator/logs/report_lines.hpp"

#include <cmath>
#include <cstdio>

#include "emulator/common/utc_time.hpp"

namespace stratus::logs {
namespace {

double non_negative(double value) {
  return std::isfinite(value) && value > 0 ? value : 0.0;
}

// Fixed two decimals, as the REPORT and timeout lines print durations.
std::string two_decimals(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.2f", non_negative(value));
  return buffer;
}

}  // namespace

std::int64_t billed_duration_ms(const ReportInput& input) {
  double total = non_negative(input.duration_ms);
  if (input.init_duration_ms) total += non_negative(*input.init_duration_ms);
  // Timers give sub-nanosecond noise: 38.0000000001 must still bill 38 ms, so values within a
  // nanosecond of a whole millisecond count as that millisecond.
  const double rounded = std::round(total);
  if (std::fabs(total - rounded) < 1e-6) return static_cast<std::int64_t>(rounded);
  return static_cast<std::int64_t>(std::ceil(total));
}

std::int64_t max_memory_used_mb(std::uint64_t bytes) {
  constexpr std::uint64_t mib = 1048576;
  return static_cast<std::int64_t>(bytes / mib + (bytes % mib != 0 ? 1 : 0));
}

std::string start_line(std::string_view request_id, std::string_view version) {
  std::string line = "START RequestId: ";
  line.append(request_id).append(" Version: ").append(version);
  return line;
}

std::string end_line(std::string_view request_id) {
  std::string line = "END RequestId: ";
  line.append(request_id);
  return line;
}

std::string report_line(const ReportInput& input) {
  std::string line = "REPORT RequestId: " + input.request_id;
  line += "\tDuration: " + two_decimals(input.duration_ms) + " ms";
  line += "\tBilled Duration: " + std::to_string(billed_duration_ms(input)) + " ms";
  line += "\tMemory Size: " + std::to_string(input.memory_size_mb) + " MB";
  line += "\tMax Memory Used: " + std::to_string(max_memory_used_mb(input.max_memory_used_bytes)) + " MB\t";
  // AWS prints Init Duration last (the RIE prints it first; AWS is the reference).
  if (input.init_duration_ms) line += "Init Duration: " + two_decimals(*input.init_duration_ms) + " ms\t";
  return line;
}

std::string format_timestamp_ms(std::int64_t unix_ms) {
  // Floor division so times before 1970 keep a 0-999 millisecond field.
  std::int64_t seconds = unix_ms / 1000;
  std::int64_t millis = unix_ms % 1000;
  if (millis < 0) {
    millis += 1000;
    seconds -= 1;
  }
  std::string text = format_iso8601(seconds);  // "...:SSZ"
  char fraction[8];
  std::snprintf(fraction, sizeof fraction, ".%03d", static_cast<int>(millis));
  text.insert(text.size() - 1, fraction);
  return text;
}

std::string timeout_line(std::int64_t now_unix_ms, std::string_view request_id, double elapsed_ms) {
  std::string line = format_timestamp_ms(now_unix_ms);
  line.append(" ").append(request_id);
  line += " Task timed out after " + two_decimals(non_negative(elapsed_ms) / 1000.0) + " seconds";
  return line;
}

std::string signal_description(int signal) {
  // The strings of Go's syscall signal table on Linux, which the Lambda platform (written in Go)
  // prints through os.ProcessState.String().
  switch (signal) {
    case 1: return "hangup";
    case 2: return "interrupt";
    case 3: return "quit";
    case 4: return "illegal instruction";
    case 5: return "trace/breakpoint trap";
    case 6: return "aborted";
    case 7: return "bus error";
    case 8: return "floating point exception";
    case 9: return "killed";
    case 11: return "segmentation fault";
    case 13: return "broken pipe";
    case 14: return "alarm clock";
    case 15: return "terminated";
    default: return "signal " + std::to_string(signal);
  }
}

std::string crash_line(std::string_view request_id, const ProcessEnd& end) {
  std::string line = "RequestId: ";
  line.append(request_id).append(" Error: Runtime exited with error: ");
  if (end.signaled) {
    line += "signal: " + signal_description(end.code);
  } else {
    line += "exit status " + std::to_string(end.code);
  }
  return line;
}

}  // namespace stratus::logs
