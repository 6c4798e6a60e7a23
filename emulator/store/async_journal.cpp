#include "emulator/store/async_journal.hpp"

#include <utility>
#include <vector>

namespace stratus::store {

namespace {

// Rows that run longer than this many attempts are not ours: Lambda retries at most twice.
constexpr std::int64_t kMaxAttempts = 1000;

}  // namespace

SqliteAsyncJournal::SqliteAsyncJournal(Database& db)
    : m_db(db),
      m_insert(db,
               "INSERT INTO async_events (request_id, function, payload, attempts, accepted_ms, due_ms) "
               "VALUES (?, ?, ?, ?, ?, ?)"),
      m_update(db, "UPDATE async_events SET attempts = ?, due_ms = ? WHERE request_id = ?"),
      m_delete(db, "DELETE FROM async_events WHERE request_id = ?") {}

// Each statement runs in SQLite's own implicit transaction: committed when step() returns.
void SqliteAsyncJournal::put(const engine::AsyncRecord& record) {
  std::lock_guard lock(m_mutex);
  m_insert.reset();
  m_insert.bind(1, record.request_id)
      .bind(2, record.function)
      .bind(3, record.payload)
      .bind(4, std::int64_t{record.attempts})
      .bind(5, record.accepted_unix_ms)
      .bind(6, record.due_unix_ms);
  m_insert.step();
  m_insert.reset();  // drop the payload's copy now
}

void SqliteAsyncJournal::update(const std::string& request_id, int attempts, std::int64_t due_unix_ms) {
  std::lock_guard lock(m_mutex);
  m_update.reset();
  m_update.bind(1, std::int64_t{attempts}).bind(2, due_unix_ms).bind(3, request_id);
  m_update.step();
}

void SqliteAsyncJournal::remove(const std::string& request_id) {
  std::lock_guard lock(m_mutex);
  m_delete.reset();
  m_delete.bind(1, request_id);
  m_delete.step();
}

engine::AsyncJournalLoad SqliteAsyncJournal::load() {
  std::lock_guard lock(m_mutex);
  engine::AsyncJournalLoad out;
  std::vector<std::int64_t> unreadable;
  // typeof() rather than the column readers, which turn any value into a number silently.
  Statement rows(m_db,
                 "SELECT seq, request_id, function, payload, attempts, accepted_ms, due_ms, "
                 "typeof(request_id) = 'text' AND typeof(function) = 'text' AND typeof(payload) = 'text' "
                 "AND typeof(attempts) = 'integer' AND typeof(accepted_ms) = 'integer' "
                 "AND typeof(due_ms) = 'integer' "
                 "FROM async_events ORDER BY seq");
  while (rows.step()) {
    engine::AsyncRecord record;
    record.request_id = rows.column_text(1);
    record.function = rows.column_text(2);
    record.payload = rows.column_text(3);
    const std::int64_t attempts = rows.column_int64(4);
    record.accepted_unix_ms = rows.column_int64(5);
    record.due_unix_ms = rows.column_int64(6);
    const bool typed = rows.column_int64(7) != 0;
    if (!typed || record.request_id.empty() || record.function.empty() || attempts < 0 ||
        attempts > kMaxAttempts || record.accepted_unix_ms <= 0) {
      const std::int64_t seq = rows.column_int64(0);
      unreadable.push_back(seq);
      out.warnings.push_back(m_db.path().string() + ": pending Event invocation #" + std::to_string(seq) +
                             (record.request_id.empty() ? std::string() : " (" + record.request_id + ")") +
                             " is not readable and was dropped");
      continue;
    }
    record.attempts = static_cast<int>(attempts);
    out.records.push_back(std::move(record));
  }
  if (!unreadable.empty()) {
    Statement drop(m_db, "DELETE FROM async_events WHERE seq = ?");
    for (const std::int64_t seq : unreadable) {
      drop.reset();
      drop.bind(1, seq);
      drop.step();
    }
  }
  return out;
}

}  // namespace stratus::store
