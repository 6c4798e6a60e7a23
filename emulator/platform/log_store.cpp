#include "emulator/platform/log_store.hpp"

#include <array>
#include <condition_variable>
#include <cstdio>
#include <limits>
#include <mutex>
#include <thread>

#include "emulator/store/database.hpp"

namespace stratus::platform {

namespace {

constexpr std::array<std::string_view, 1> kMigrations{
    R"sql(
CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  account TEXT NOT NULL,
  function TEXT NOT NULL,
  stream TEXT NOT NULL,
  unix_ms INTEGER NOT NULL,
  ingest_ms INTEGER NOT NULL,
  message TEXT NOT NULL
);
CREATE INDEX events_by_group ON events (account, function, unix_ms);
CREATE INDEX events_by_time ON events (unix_ms);
)sql",
};

constexpr std::chrono::minutes kPruneEvery{1};

std::int64_t unix_ms_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Queued {
  std::string account;
  logs::LogRecord record;
  std::int64_t ingest_ms;
};

}  // namespace

struct LogStore::Impl {
  class AccountSink : public engine::Sink {
   public:
    AccountSink(Impl& impl, std::string account, engine::Sink* forward)
        : m_impl(impl), m_account(std::move(account)), m_forward(forward) {}
    void log(const logs::LogRecord& record) override {
      if (m_forward) m_forward->log(record);
      m_impl.push({record}, m_account);
    }
    void log_many(const std::vector<logs::LogRecord>& records) override {
      if (m_forward) m_forward->log_many(records);
      m_impl.push(records, m_account);
    }
    void ledger(const billing::LedgerRow& row) override {
      if (m_forward) m_forward->ledger(row);
    }

   private:
    Impl& m_impl;
    std::string m_account;
    engine::Sink* m_forward;
  };

  Impl(const std::filesystem::path& path, LogStoreOptions o) : options(o), db(path, kMigrations) {}

  void push(const std::vector<logs::LogRecord>& records, const std::string& account) {
    const std::int64_t now = unix_ms_now();
    std::lock_guard lock(queue_mutex);
    for (const auto& r : records) queue.push_back({account, r, now});
  }

  // Takes the queue and commits it; callers hold no lock.
  void commit_queue() {
    std::vector<Queued> batch;
    {
      std::lock_guard lock(queue_mutex);
      batch.swap(queue);
    }
    if (batch.empty()) return;
    std::lock_guard lock(db_mutex);
    store::Transaction tx(db);
    store::Statement insert(db,
                            "INSERT INTO events (account, function, stream, unix_ms, ingest_ms, message) "
                            "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    for (const Queued& q : batch) {
      insert.bind(1, q.account)
          .bind(2, q.record.function)
          .bind(3, q.record.log_stream)
          .bind(4, q.record.unix_ms)
          .bind(5, q.ingest_ms)
          .bind(6, q.record.text + "\n");
      insert.step();
      insert.reset();
    }
    tx.commit();
  }

  std::int64_t prune(std::int64_t now_ms) {
    std::lock_guard lock(db_mutex);
    const std::int64_t before = sqlite_changes_total();
    store::Statement old(db, "DELETE FROM events WHERE unix_ms < ?1");
    old.bind(1, now_ms - std::chrono::duration_cast<std::chrono::milliseconds>(options.retention).count());
    old.step();
    store::Statement count(db, "SELECT COUNT(*) FROM events");
    count.step();
    const std::int64_t excess = count.column_int64(0) - options.max_rows;
    if (excess > 0) {
      store::Statement oldest(db,
                              "DELETE FROM events WHERE id IN (SELECT id FROM events ORDER BY id LIMIT ?1)");
      oldest.bind(1, excess);
      oldest.step();
    }
    return sqlite_changes_total() - before;
  }

  std::int64_t sqlite_changes_total() {
    store::Statement s(db, "SELECT total_changes()");
    s.step();
    return s.column_int64(0);
  }

  void run_writer() {
    auto next_prune = std::chrono::steady_clock::now() + kPruneEvery;
    std::unique_lock lock(stop_mutex);
    while (!stopping) {
      wake.wait_for(lock, options.flush_interval, [this] { return stopping; });
      lock.unlock();
      try {
        commit_queue();
        if (std::chrono::steady_clock::now() >= next_prune) {
          prune(unix_ms_now());
          next_prune = std::chrono::steady_clock::now() + kPruneEvery;
        }
      } catch (const std::exception& e) {
        // A full disk loses these lines, not the platform.
        std::fprintf(stderr, "stratus serve: cannot keep function logs: %s\n", e.what());
      }
      lock.lock();
    }
  }

  LogStoreOptions options;
  store::Database db;
  std::mutex db_mutex;
  std::mutex queue_mutex;
  std::vector<Queued> queue;
  std::mutex sinks_mutex;
  std::vector<std::unique_ptr<AccountSink>> sinks;
  std::mutex stop_mutex;
  std::condition_variable wake;
  bool stopping = false;
  std::thread writer;
};

LogStore::LogStore(const std::filesystem::path& db_path, LogStoreOptions options)
    : m_impl(std::make_unique<Impl>(db_path, options)) {
  m_impl->prune(unix_ms_now());
  m_impl->writer = std::thread([impl = m_impl.get()] { impl->run_writer(); });
}

LogStore::~LogStore() {
  {
    std::lock_guard lock(m_impl->stop_mutex);
    m_impl->stopping = true;
  }
  m_impl->wake.notify_all();
  m_impl->writer.join();
  try {
    m_impl->commit_queue();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "stratus serve: cannot keep function logs: %s\n", e.what());
  }
}

engine::Sink* LogStore::sink_for(const std::string& account_id, engine::Sink* forward) {
  std::lock_guard lock(m_impl->sinks_mutex);
  m_impl->sinks.push_back(std::make_unique<Impl::AccountSink>(*m_impl, account_id, forward));
  return m_impl->sinks.back().get();
}

void LogStore::flush() {
  m_impl->commit_queue();
}

std::int64_t LogStore::prune(std::int64_t now_ms) {
  return m_impl->prune(now_ms);
}

bool LogStore::has_group(const std::string& account_id, const std::string& function) {
  flush();
  std::lock_guard lock(m_impl->db_mutex);
  store::Statement s(m_impl->db, "SELECT 1 FROM events WHERE account = ?1 AND function = ?2 LIMIT 1");
  s.bind(1, account_id).bind(2, function);
  return s.step();
}

std::vector<LogGroupInfo> LogStore::groups(const std::string& account_id) {
  flush();
  std::lock_guard lock(m_impl->db_mutex);
  store::Statement s(m_impl->db,
                     "SELECT function, MIN(unix_ms), SUM(LENGTH(message)) FROM events WHERE account = ?1 "
                     "GROUP BY function ORDER BY function");
  s.bind(1, account_id);
  std::vector<LogGroupInfo> out;
  while (s.step()) out.push_back({s.column_text(0), s.column_int64(1), s.column_int64(2)});
  return out;
}

std::vector<StoredEvent> LogStore::events(const std::string& account_id, const std::string& function,
                                          std::int64_t start_ms, std::int64_t end_ms,
                                          std::optional<LogPosition> after, std::size_t limit) {
  flush();
  std::lock_guard lock(m_impl->db_mutex);
  store::Statement s(m_impl->db,
                     "SELECT id, function, stream, unix_ms, ingest_ms, message FROM events "
                     "WHERE account = ?1 AND function = ?2 AND unix_ms >= ?3 AND unix_ms < ?4 "
                     "AND (unix_ms > ?5 OR (unix_ms = ?5 AND id > ?6)) ORDER BY unix_ms, id LIMIT ?7");
  const LogPosition from = after.value_or(LogPosition{std::numeric_limits<std::int64_t>::min(), 0});
  s.bind(1, account_id)
      .bind(2, function)
      .bind(3, start_ms)
      .bind(4, end_ms)
      .bind(5, from.timestamp)
      .bind(6, from.id)
      .bind(7, static_cast<std::int64_t>(limit));
  std::vector<StoredEvent> out;
  while (s.step())
    out.push_back({s.column_int64(0), s.column_text(1), s.column_text(2), s.column_int64(3),
                   s.column_int64(4), s.column_text(5)});
  return out;
}

}  // namespace stratus::platform
