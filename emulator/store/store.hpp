#pragma once
// The persistent log store and billing ledger: an engine::Sink backed by one SQLite file
// (stratus_db_path). log() and ledger() only queue the row in memory; one writer thread commits
// the queue in batches, one transaction per batch, every flush_interval or as soon as
// batch_rows are waiting, so an invocation never waits on the disk.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/engine/sinks.hpp"

namespace stratus::store {

// Where a service's state lives: <service_dir>/.stratus/stratus.db. The engine and every command
// that reads the state use this one function.
std::filesystem::path stratus_db_path(const std::filesystem::path& service_dir);

struct StoreOptions {
  std::chrono::milliseconds flush_interval{50};  // the longest a queued row waits for its commit
  std::size_t batch_rows = 8192;                 // commit early once this many rows are queued
  // Past this many queued rows log()/ledger() wait for the writer, so a disk that cannot keep up
  // bounds the memory instead of exhausting it. Never reached at the engine's rates.
  std::size_t max_queued_rows = 1'000'000;
  // After this long without rows the writer hands the page cache's memory back (Database::
  // release_memory), so an emulator returns to its idle footprint after a load.
  std::chrono::milliseconds release_after{1000};
};

class Store : public engine::Sink {
 public:
  // Opens (creating or migrating) the database at `db_path` and starts the writer thread.
  // Throws std::runtime_error naming the file when it cannot be opened (see Database).
  explicit Store(const std::filesystem::path& db_path, StoreOptions options = {});
  // Commits everything queued, then stops the writer. A commit failure here is printed to
  // stderr (a destructor cannot throw).
  ~Store() override;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Thread-safe, non-blocking (but see max_queued_rows).
  void log(const logs::LogRecord& record) override;
  void log_many(const std::vector<logs::LogRecord>& records) override;
  void ledger(const billing::LedgerRow& row) override;

  // Blocks until every row queued before the call is committed. Throws std::runtime_error when
  // the writer failed to commit a batch since the last flush (those rows are lost).
  void flush();

  // The queries flush() first, so they see every row queued before the call.

  // Ledger rows, oldest first: all functions, or the one named; with `since_unix_ms`, only the
  // invocations that started at or after it.
  // What SQLite's page cache holds now (StoreOptions::release_after empties it when idle).
  std::int64_t cache_bytes();

  std::vector<billing::LedgerRow> ledger_rows(const std::optional<std::string>& function = std::nullopt,
                                              std::optional<std::int64_t> since_unix_ms = std::nullopt);

  // Every line of one invocation, in the order they were written.
  std::vector<logs::LogRecord> logs_for_request(std::string_view request_id);

  // The newest `limit` lines of a function at or after `since_unix_ms`, returned oldest first
  // (what `stratus logs` shows; poll again with the last line's time + 1 to follow).
  std::vector<logs::LogRecord> logs_for_function(std::string_view function, std::int64_t since_unix_ms,
                                                 std::size_t limit);

  const std::filesystem::path& path() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace stratus::store
