#include "emulator/store/store.hpp"

#include <pthread.h>

#include <algorithm>
#include <array>
#include <condition_variable>
#include <cstdio>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "emulator/store/database.hpp"
#include "emulator/store/migrations.hpp"

namespace stratus::store {

namespace {

std::string_view source_name(logs::LogSource source) {
  switch (source) {
    case logs::LogSource::out: return "out";
    case logs::LogSource::err: return "err";
    case logs::LogSource::platform: break;
  }
  return "platform";
}

logs::LogSource parse_source(std::string_view name) {
  if (name == "out") return logs::LogSource::out;
  if (name == "err") return logs::LogSource::err;
  return logs::LogSource::platform;
}

constexpr std::string_view kLogColumns = "function, request_id, unix_ms, source, text";

// An invocation's platform lines of one millisecond (START, END and REPORT, mostly) share a row,
// one line each: a third of the rows an invocation costs the writer. No platform line holds a
// newline, and no line of the function's own output is packed, so reading splits exactly what
// was joined.
bool same_row(const logs::LogRecord& a, const logs::LogRecord& b) {
  return a.source == logs::LogSource::platform && b.source == logs::LogSource::platform &&
         a.unix_ms == b.unix_ms && a.request_id == b.request_id && a.function == b.function;
}

// The row's lines, appended to `out`.
void read_logs(const Statement& s, std::vector<logs::LogRecord>& out) {
  logs::LogRecord r;
  r.function = s.column_text(0);
  r.request_id = s.column_text(1);
  r.unix_ms = s.column_int64(2);
  r.source = parse_source(s.column_text(3));
  const std::string text = s.column_text(4);
  std::size_t start = 0;
  for (;;) {
    const std::size_t end =
        r.source == logs::LogSource::platform ? text.find('\n', start) : std::string::npos;
    out.push_back(r);
    out.back().text = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (end == std::string::npos) return;
    start = end + 1;
  }
}

}  // namespace

std::filesystem::path stratus_db_path(const std::filesystem::path& service_dir) {
  return service_dir / ".stratus" / "stratus.db";
}

struct Store::Impl {
  Impl(const std::filesystem::path& path, StoreOptions o)
      : options(o),
        db(path, stratus_migrations()),
        insert_log(
            db, "INSERT INTO logs (function, request_id, unix_ms, source, text) VALUES (?1, ?2, ?3, ?4, ?5)"),
        insert_ledger(
            db,
            "INSERT INTO ledger (function, request_id, start_unix_ms, duration_ms, init_duration_ms, "
            "billed_ms, memory_mb, max_memory_used_mb, architecture, cold, outcome, error_type) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)") {}

  std::size_t queued() const { return logs.size() + rows.size(); }

  // Called with the queue lock held; waits while the queue is full, then counts the new row.
  void before_push(std::unique_lock<std::mutex>& lock) {
    if (queued() >= options.max_queued_rows)
      space.wait(lock, [&] { return queued() < options.max_queued_rows || stopping; });
  }
  void after_push() {
    ++enqueued;
    if (queued() == options.batch_rows) wake.notify_one();
  }

  void run_writer();
  void write(const std::vector<logs::LogRecord>& log_batch, const std::vector<billing::LedgerRow>& row_batch);

  StoreOptions options;

  std::mutex db_mutex;  // the connection: the writer's batches and the queries
  Database db;
  Statement insert_log;
  Statement insert_ledger;

  std::mutex queue_mutex;        // everything below
  std::condition_variable wake;  // the writer: rows, a flush or stop
  std::condition_variable committed_cv;
  std::condition_variable space;
  std::vector<logs::LogRecord> logs;
  std::vector<billing::LedgerRow> rows;
  std::uint64_t enqueued = 0;   // rows ever queued
  std::uint64_t committed = 0;  // rows ever handled by the writer (committed, or lost to `error`)
  bool flush_requested = false;
  bool stopping = false;
  std::string error;  // the first failed commit since the last flush()

  std::thread writer;  // last: started once everything above exists
};

void Store::Impl::run_writer() {
  ::pthread_setname_np(::pthread_self(), "store-writer");  // for top -H, perf --sort comm
  // The batches swap with the queue, so both keep their capacity and producers rarely allocate.
  std::vector<logs::LogRecord> log_batch;
  std::vector<billing::LedgerRow> row_batch;
  bool cache_released = true;
  auto last_write = std::chrono::steady_clock::now();
  std::unique_lock lock(queue_mutex);
  for (;;) {
    wake.wait_for(lock, options.flush_interval,
                  [&] { return stopping || flush_requested || queued() >= options.batch_rows; });
    flush_requested = false;
    if (queued() == 0) {
      if (stopping) return;
      if (!cache_released && std::chrono::steady_clock::now() - last_write >= options.release_after) {
        cache_released = true;
        lock.unlock();
        db.release_memory();
        log_batch.shrink_to_fit();
        row_batch.shrink_to_fit();
        lock.lock();
      }
      continue;
    }
    cache_released = false;
    last_write = std::chrono::steady_clock::now();
    log_batch.swap(logs);
    row_batch.swap(rows);
    const std::uint64_t target = enqueued;
    lock.unlock();
    space.notify_all();
    std::string failure;
    try {
      write(log_batch, row_batch);
    } catch (const std::exception& e) {
      failure = e.what();
    }
    log_batch.clear();
    row_batch.clear();
    lock.lock();
    if (!failure.empty() && error.empty()) error = failure;
    committed = target;
    committed_cv.notify_all();
  }
}

void Store::Impl::write(const std::vector<logs::LogRecord>& log_batch,
                        const std::vector<billing::LedgerRow>& row_batch) {
  std::lock_guard guard(db_mutex);
  Transaction tx(db);
  std::string packed;
  for (std::size_t i = 0; i < log_batch.size();) {
    const logs::LogRecord& r = log_batch[i];
    std::size_t next = i + 1;
    while (next < log_batch.size() && same_row(r, log_batch[next])) ++next;
    if (next > i + 1) {
      packed = r.text;
      for (std::size_t k = i + 1; k < next; ++k) (packed += '\n') += log_batch[k].text;
    }
    insert_log.bind(1, r.function)
        .bind(2, r.request_id)
        .bind(3, r.unix_ms)
        .bind(4, source_name(r.source))
        .bind(5, next > i + 1 ? std::string_view(packed) : std::string_view(r.text));
    insert_log.step();
    insert_log.reset();
    i = next;
  }
  for (const billing::LedgerRow& r : row_batch) {
    insert_ledger.bind(1, r.function)
        .bind(2, r.request_id)
        .bind(3, r.start_unix_ms)
        .bind(4, r.duration_ms)
        .bind(5, r.init_duration_ms)
        .bind(6, r.billed_ms)
        .bind(7, static_cast<std::int64_t>(r.memory_mb))
        .bind(8, r.max_memory_used_mb)
        .bind(9, r.architecture)
        .bind(10, static_cast<std::int64_t>(r.cold))
        .bind(11, billing::outcome_name(r.outcome))
        .bind(12, r.error_type);
    insert_ledger.step();
    insert_ledger.reset();
  }
  tx.commit();
}

Store::Store(const std::filesystem::path& db_path, StoreOptions options)
    : m_impl(std::make_unique<Impl>(db_path, options)) {
  m_impl->writer = std::thread([impl = m_impl.get()] { impl->run_writer(); });
}

Store::~Store() {
  {
    std::lock_guard lock(m_impl->queue_mutex);
    m_impl->stopping = true;
  }
  m_impl->wake.notify_one();
  m_impl->space.notify_all();
  m_impl->writer.join();  // the writer drains the queue before it returns
  if (!m_impl->error.empty()) std::fprintf(stderr, "stratus: warning: %s\n", m_impl->error.c_str());
}

void Store::log(const logs::LogRecord& record) {
  std::unique_lock lock(m_impl->queue_mutex);
  m_impl->before_push(lock);
  m_impl->logs.push_back(record);
  m_impl->after_push();
}

void Store::log_many(const std::vector<logs::LogRecord>& records) {
  std::unique_lock lock(m_impl->queue_mutex);
  for (const auto& record : records) {
    m_impl->before_push(lock);
    m_impl->logs.push_back(record);
    m_impl->after_push();
  }
}

void Store::ledger(const billing::LedgerRow& row) {
  std::unique_lock lock(m_impl->queue_mutex);
  m_impl->before_push(lock);
  m_impl->rows.push_back(row);
  m_impl->after_push();
}

void Store::flush() {
  std::unique_lock lock(m_impl->queue_mutex);
  const std::uint64_t target = m_impl->enqueued;
  if (m_impl->committed < target) {
    m_impl->flush_requested = true;
    m_impl->wake.notify_one();
    m_impl->committed_cv.wait(lock, [&] { return m_impl->committed >= target; });
  }
  if (!m_impl->error.empty()) {
    std::string message = std::move(m_impl->error);
    m_impl->error.clear();
    throw std::runtime_error(message);
  }
}

const std::filesystem::path& Store::path() const {
  return m_impl->db.path();
}

std::int64_t Store::cache_bytes() {
  return m_impl->db.cache_bytes();
}

std::vector<billing::LedgerRow> Store::ledger_rows(const std::optional<std::string>& function,
                                                   std::optional<std::int64_t> since_unix_ms) {
  flush();
  // The WHERE clause holds only the filters given, so SQLite picks the matching index.
  std::string sql =
      "SELECT function, request_id, start_unix_ms, duration_ms, init_duration_ms, billed_ms, memory_mb, "
      "max_memory_used_mb, architecture, cold, outcome, error_type FROM ledger WHERE 1";
  if (function) sql += " AND function = ?1";
  if (since_unix_ms) sql += " AND start_unix_ms >= ?2";
  sql += " ORDER BY start_unix_ms, id";
  std::lock_guard guard(m_impl->db_mutex);
  Statement s(m_impl->db, sql);
  if (function) s.bind(1, *function);
  if (since_unix_ms) s.bind(2, *since_unix_ms);
  std::vector<billing::LedgerRow> out;
  while (s.step()) {
    billing::LedgerRow r;
    r.function = s.column_text(0);
    r.request_id = s.column_text(1);
    r.start_unix_ms = s.column_int64(2);
    r.duration_ms = s.column_double(3);
    if (!s.column_is_null(4)) r.init_duration_ms = s.column_double(4);
    r.billed_ms = s.column_int64(5);
    r.memory_mb = static_cast<int>(s.column_int64(6));
    r.max_memory_used_mb = s.column_int64(7);
    r.architecture = s.column_text(8);
    r.cold = s.column_int64(9) != 0;
    const std::string outcome = s.column_text(10);
    const auto parsed = billing::parse_outcome(outcome);
    if (!parsed)
      throw std::runtime_error(path().string() + ": ledger row " + r.request_id +
                               " has an unknown outcome '" + outcome + "'");
    r.outcome = *parsed;
    r.error_type = s.column_text(11);
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<logs::LogRecord> Store::logs_for_request(std::string_view request_id) {
  flush();
  std::lock_guard guard(m_impl->db_mutex);
  Statement s(m_impl->db,
              "SELECT " + std::string(kLogColumns) + " FROM logs WHERE request_id = ?1 ORDER BY id");
  s.bind(1, request_id);
  std::vector<logs::LogRecord> out;
  while (s.step()) read_logs(s, out);
  return out;
}

std::vector<logs::LogRecord> Store::logs_for_function(std::string_view function, std::int64_t since_unix_ms,
                                                      std::size_t limit) {
  flush();
  const std::string columns(kLogColumns);
  std::lock_guard guard(m_impl->db_mutex);
  Statement s(m_impl->db,
              "SELECT " + columns + " FROM (SELECT id, " + columns +
                  " FROM logs WHERE function = ?1 AND unix_ms >= ?2 ORDER BY unix_ms DESC, id DESC "
                  "LIMIT ?3) ORDER BY unix_ms, id");
  const auto max = static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max());
  s.bind(1, function).bind(2, since_unix_ms).bind(3, static_cast<std::int64_t>(std::min(limit, max)));
  std::vector<logs::LogRecord> out;
  while (s.step()) read_logs(s, out);
  // `limit` rows hold at least `limit` lines (a row holds one or more): the newest `limit` of them.
  if (out.size() > limit) out.erase(out.begin(), out.end() - static_cast<std::ptrdiff_t>(limit));
  return out;
}

}  // namespace stratus::store
