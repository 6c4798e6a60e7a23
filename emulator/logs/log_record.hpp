#pragma once
// One line of an invocation's log as the engine captured it: the platform lines (START / END /
// REPORT / timeout / crash) and every line the function wrote to stdout or stderr.
#include <cstdint>
#include <string>

namespace stratus::logs {

enum class LogSource { platform, out, err };

struct LogRecord {
  std::string function;    // deployed name
  std::string request_id;  // "" for a line written outside any invocation (init, between calls)
  std::int64_t unix_ms = 0;
  LogSource source = LogSource::platform;
  std::string text;        // one line, no trailing newline
  std::string log_stream;  // the instance's AWS_LAMBDA_LOG_STREAM_NAME; "" when not from an instance
};

}  // namespace stratus::logs
