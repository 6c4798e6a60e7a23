#pragma once
// The engine's AsyncJournal in SQLite: one row per Event invocation accepted and not yet ended,
// in the table kAsyncSchema creates. Each call is one statement committed before it returns (WAL,
// synchronous=NORMAL: a commit survives a kill -9 of the process; a power cut may take the last
// ones, as it may SQS messages).
//
// Give the journal a Database connection of its own (another store::Database on stratus.db, as
// the SQS store has): calls come from the Invoke API's threads and the queue's workers at once,
// and are serialised on that connection by the journal's mutex.
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "emulator/engine/async_journal.hpp"
#include "emulator/store/database.hpp"

namespace stratus::store {

// The migration that creates the table; appended to the database's migration list.
inline constexpr std::string_view kAsyncSchema = R"SQL(
CREATE TABLE async_events (
  seq INTEGER PRIMARY KEY,
  request_id TEXT NOT NULL UNIQUE,
  function TEXT NOT NULL,
  payload TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  accepted_ms INTEGER NOT NULL,
  due_ms INTEGER NOT NULL
);
)SQL";

class SqliteAsyncJournal : public engine::AsyncJournal {
 public:
  // `db` must carry kAsyncSchema and outlive the journal.
  explicit SqliteAsyncJournal(Database& db);

  void put(const engine::AsyncRecord& record) override;
  void update(const std::string& request_id, int attempts, std::int64_t due_unix_ms) override;
  void remove(const std::string& request_id) override;
  // Oldest first. A row that does not hold a usable record (a value of the wrong type, an empty id
  // or function name, a negative count: a file edited by hand or a bug) is deleted and named in a
  // warning; the rest load.
  engine::AsyncJournalLoad load() override;

 private:
  Database& m_db;
  std::mutex m_mutex;
  Statement m_insert;
  Statement m_update;
  Statement m_delete;
};

}  // namespace stratus::store
