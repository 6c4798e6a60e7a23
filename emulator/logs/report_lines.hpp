#pragma once
// The platform lines Lambda writes around each invocation (START / END / REPORT), the timeout
// line and the runtime-crash line, byte for byte as AWS prints them (spec aws-protocols.md §5).
// Pure formatting: no clock, no I/O. Lines carry no trailing newline.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace stratus::logs {

struct ReportInput {
  std::string request_id;
  double duration_ms = 0;                   // handler time, as measured
  std::optional<double> init_duration_ms;   // set only on a cold start
  int memory_size_mb = 128;                 // configured memory
  std::uint64_t max_memory_used_bytes = 0;  // peak RSS of the instance
};

// Milliseconds billed: ceil(init + duration), init counting only on cold starts (AWS bills the
// INIT phase for every configuration since 1 Aug 2025). Negative or NaN inputs count as 0.
std::int64_t billed_duration_ms(const ReportInput& input);

// Peak memory as REPORT shows it: whole MB (1 MB = 1048576 bytes), rounded up.
std::int64_t max_memory_used_mb(std::uint64_t bytes);

// "START RequestId: <id> Version: $LATEST" (`version` replaces $LATEST when given).
std::string start_line(std::string_view request_id, std::string_view version = "$LATEST");

// "END RequestId: <id>"
std::string end_line(std::string_view request_id);

// "REPORT RequestId: <id>\tDuration: 38.66 ms\tBilled Duration: 39 ms\tMemory Size: 128 MB\t
// Max Memory Used: 54 MB\t" plus "Init Duration: 203.69 ms\t" last on cold starts.
std::string report_line(const ReportInput& input);

// "2026-01-01T00:00:03.070Z <id> Task timed out after 3.07 seconds": `now_unix_ms` is when the
// timeout fired, `elapsed_ms` the invocation's elapsed time (printed in seconds, 2 decimals).
std::string timeout_line(std::int64_t now_unix_ms, std::string_view request_id, double elapsed_ms);

// "2026-01-01T00:00:03.070Z": UTC, millisecond precision.
std::string format_timestamp_ms(std::int64_t unix_ms);

// How the function's process ended, for crash_line.
struct ProcessEnd {
  bool signaled = false;  // killed by a signal (then `code` is the signal number)
  int code = 0;           // exit status or signal number
};

// "RequestId: <id> Error: Runtime exited with error: signal: killed" for a signal (names as Go
// prints them: killed, terminated, segmentation fault, aborted, ...; others "signal <n>"), or
// "... Runtime exited with error: exit status 1" for an exit.
std::string crash_line(std::string_view request_id, const ProcessEnd& end);

// The description Go gives a signal number ("killed" for 9), as the crash line prints it.
std::string signal_description(int signal);

}  // namespace stratus::logs
