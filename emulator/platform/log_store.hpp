#pragma once
// The function logs of a `stratus serve` platform, kept so that CloudWatch Logs' FilterLogEvents
// can answer them (logs_api.hpp): every line an account's functions write (START / END / REPORT
// and what handlers print), with its account, function, log stream (the instance's
// AWS_LAMBDA_LOG_STREAM_NAME) and time, in DATA_DIR/logs.db (SQLite).
//
// Writes never wait on the disk: sink_for() hands each account an engine::Sink that forwards to
// the platform's own sink (the console) and queues the line; a writer thread commits the queue in
// one transaction every `flush_interval`. Queries first commit what is queued, so a line logged
// before a query is in its answer.
//
// Retention is bounded: lines older than `retention` are deleted, and past `max_rows` the oldest
// go, checked once a minute by the writer (and at open).
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "emulator/engine/sinks.hpp"

namespace stratus::platform {

struct LogStoreOptions {
  std::chrono::milliseconds flush_interval{50};
  std::chrono::hours retention{24 * 7};
  std::int64_t max_rows = 2'000'000;
};

struct StoredEvent {
  std::int64_t id = 0;  // ascending in insertion order
  std::string function;
  std::string log_stream;
  std::int64_t timestamp = 0;       // Unix ms, when the line was written
  std::int64_t ingestion_time = 0;  // Unix ms, when it was queued for the store
  std::string message;              // the line with its '\n', as CloudWatch holds Lambda's lines
};

struct LogGroupInfo {
  std::string function;
  std::int64_t creation_time = 0;  // the first line kept
  std::int64_t stored_bytes = 0;
};

// Where a query resumes: after the event (timestamp, id), in that order.
struct LogPosition {
  std::int64_t timestamp = 0;
  std::int64_t id = 0;
};

class LogStore {
 public:
  // Opens (creating) the database; throws std::runtime_error naming the file when it cannot.
  LogStore(const std::filesystem::path& db_path, LogStoreOptions options = {});
  ~LogStore();  // commits what is queued
  LogStore(const LogStore&) = delete;
  LogStore& operator=(const LogStore&) = delete;

  // The sink of one account's engine: lines go to the store (under `account_id`) and, with
  // ledger rows, to `forward` (may be null). Owned by the store; valid while it lives.
  engine::Sink* sink_for(const std::string& account_id, engine::Sink* forward);

  // Whether `function` of `account_id` has any line kept (its log group exists).
  bool has_group(const std::string& account_id, const std::string& function);

  // The account's log groups (functions with lines kept), by name.
  std::vector<LogGroupInfo> groups(const std::string& account_id);

  // Up to `limit` lines of one function in [start_ms, end_ms), after `after` (exclusive), in
  // (timestamp, id) order.
  std::vector<StoredEvent> events(const std::string& account_id, const std::string& function,
                                  std::int64_t start_ms, std::int64_t end_ms,
                                  std::optional<LogPosition> after, std::size_t limit);

  // Commits what is queued now (queries do it themselves).
  void flush();
  // Applies the retention now (the writer does it once a minute); returns the rows deleted.
  std::int64_t prune(std::int64_t now_ms);

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace stratus::platform
