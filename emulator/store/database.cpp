#include "emulator/store/database.hpp"

#include <sqlite3.h>

#include <stdexcept>
#include <system_error>

namespace stratus::store {

namespace {

constexpr int kBusyTimeoutMs = 5000;

bool is_unreadable(int code) {
  const int primary = code & 0xff;
  return primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT;
}

// The statement as an error message quotes it: its first line, at most 60 characters.
std::string sql_summary(std::string_view sql) {
  const auto start = sql.find_first_not_of(" \t\n");
  if (start == std::string_view::npos) return "";
  sql = sql.substr(start);
  sql = sql.substr(0, sql.find('\n'));
  std::string out(sql.substr(0, 60));
  if (sql.size() > 60) out += "...";
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace

// --- Database -------------------------------------------------------------------------------

Database::Database(std::filesystem::path path, std::span<const std::string_view> migrations)
    : m_path(std::move(path)) {
  if (m_path.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(m_path.parent_path(), ec);
    if (ec)
      throw std::runtime_error(m_path.string() + ": cannot create the folder " +
                               m_path.parent_path().string() + ": " + ec.message());
  }
  const int rc = sqlite3_open_v2(m_path.c_str(), &m_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  if (rc != SQLITE_OK) {
    // sqlite3_open_v2 hands back a handle even on failure; it carries the message.
    std::string message = m_db ? sqlite3_errmsg(m_db) : sqlite3_errstr(rc);
    sqlite3_close(m_db);
    m_db = nullptr;
    throw std::runtime_error(m_path.string() + ": cannot open the database: " + message);
  }
  sqlite3_extended_result_codes(m_db, 1);
  try {
    sqlite3_busy_timeout(m_db, kBusyTimeoutMs);
    // The first statement reads the header: a file that is not SQLite fails here.
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA synchronous=NORMAL");
    exec("PRAGMA foreign_keys=ON");
    // Batches insert into indexes keyed by random ids: keep their pages in memory (32 MB of cache,
    // reads through mmap) rather than reading them back from the file on every commit.
    exec("PRAGMA cache_size=-32768");
    exec("PRAGMA mmap_size=268435456");
    migrate(migrations);
  } catch (...) {
    sqlite3_close(m_db);
    m_db = nullptr;
    throw;
  }
}

Database::~Database() {
  // Statements are owned by their users and must be gone by now; close_v2 would defer otherwise.
  sqlite3_close_v2(m_db);
}

void Database::fail(int code, std::string_view what) const {
  std::string message = m_path.string() + ": " + std::string(what) + ": " +
                        (m_db ? sqlite3_errmsg(m_db) : sqlite3_errstr(code));
  if (is_unreadable(code)) {
    const std::string folder = m_path.has_parent_path() ? m_path.parent_path().string() : std::string(".");
    message += " (the file is not a SQLite database or is corrupt; delete the folder " + folder +
               "/, stratus's local state, and run again to start afresh)";
  }
  throw std::runtime_error(message);
}

void Database::exec(std::string_view sql) {
  const std::string text(sql);
  char* error = nullptr;
  const int rc = sqlite3_exec(m_db, text.c_str(), nullptr, nullptr, &error);
  sqlite3_free(error);  // the same text as sqlite3_errmsg, which fail() reads
  if (rc != SQLITE_OK) fail(rc, "cannot run '" + sql_summary(text) + "'");
}

void Database::release_memory() {
  sqlite3_db_release_memory(m_db);
}

std::int64_t Database::cache_bytes() {
  int current = 0, highwater = 0;
  sqlite3_db_status(m_db, SQLITE_DBSTATUS_CACHE_USED, &current, &highwater, 0);
  return current;
}

int Database::user_version() {
  Statement s(*this, "PRAGMA user_version");
  s.step();
  return static_cast<int>(s.column_int64(0));
}

void Database::migrate(std::span<const std::string_view> migrations) {
  const int latest = static_cast<int>(migrations.size());
  if (user_version() == latest) return;
  // IMMEDIATE takes the write lock up front, so two processes opening a new file do not both
  // migrate it: the second waits, then sees the new version.
  Transaction tx(*this);
  const int current = user_version();
  if (current > latest)
    throw std::runtime_error(m_path.string() + ": the database has schema version " +
                             std::to_string(current) + ", newer than this stratus knows (" +
                             std::to_string(latest) + "); use a newer stratus, or delete the folder " +
                             m_path.parent_path().string() + "/ to start afresh");
  for (int v = current; v < latest; ++v) exec(migrations[static_cast<std::size_t>(v)]);
  exec("PRAGMA user_version = " + std::to_string(latest));
  tx.commit();
}

// --- Statement ------------------------------------------------------------------------------

Statement::Statement(Database& db, std::string_view sql) : m_db(&db) {
  const int rc = sqlite3_prepare_v2(db.handle(), sql.data(), static_cast<int>(sql.size()), &m_stmt, nullptr);
  if (rc != SQLITE_OK) db.fail(rc, "cannot prepare '" + sql_summary(sql) + "'");
}

Statement::~Statement() {
  sqlite3_finalize(m_stmt);
}

Statement::Statement(Statement&& other) noexcept : m_db(other.m_db), m_stmt(other.m_stmt) {
  other.m_stmt = nullptr;
}

Statement& Statement::bind(int index, std::int64_t value) {
  if (const int rc = sqlite3_bind_int64(m_stmt, index, value); rc != SQLITE_OK) m_db->fail(rc, "cannot bind");
  return *this;
}

Statement& Statement::bind(int index, double value) {
  if (const int rc = sqlite3_bind_double(m_stmt, index, value); rc != SQLITE_OK)
    m_db->fail(rc, "cannot bind");
  return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
  const int rc = sqlite3_bind_text64(m_stmt, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK) m_db->fail(rc, "cannot bind");
  return *this;
}

Statement& Statement::bind(int index, std::optional<double> value) {
  return value ? bind(index, *value) : bind_null(index);
}

Statement& Statement::bind_null(int index) {
  if (const int rc = sqlite3_bind_null(m_stmt, index); rc != SQLITE_OK) m_db->fail(rc, "cannot bind");
  return *this;
}

bool Statement::step() {
  const int rc = sqlite3_step(m_stmt);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  const std::string sql = sql_summary(sqlite3_sql(m_stmt));
  sqlite3_reset(m_stmt);
  m_db->fail(rc, "cannot run '" + sql + "'");
}

void Statement::reset() {
  sqlite3_reset(m_stmt);
  sqlite3_clear_bindings(m_stmt);
}

std::int64_t Statement::column_int64(int column) const {
  return sqlite3_column_int64(m_stmt, column);
}

double Statement::column_double(int column) const {
  return sqlite3_column_double(m_stmt, column);
}

std::string Statement::column_text(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(m_stmt, column));
  const int size = sqlite3_column_bytes(m_stmt, column);
  return text ? std::string(text, static_cast<std::size_t>(size)) : std::string();
}

bool Statement::column_is_null(int column) const {
  return sqlite3_column_type(m_stmt, column) == SQLITE_NULL;
}

// --- Transaction ----------------------------------------------------------------------------

Transaction::Transaction(Database& db) : m_db(db) {
  m_db.exec("BEGIN IMMEDIATE");
}

Transaction::~Transaction() {
  if (m_open) sqlite3_exec(m_db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
  m_db.exec("COMMIT");
  m_open = false;
}

}  // namespace stratus::store
