#pragma once
// One SQLite file: opened (and created) with WAL journaling, synchronous=NORMAL and a busy
// timeout, its schema brought up to date from a list of migrations counted in
// `PRAGMA user_version`. Every failure is a std::runtime_error that names the file and carries
// SQLite's message; a file that is not a database, or a corrupt one, also says how to recover.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace stratus::store {

class Database;

// A prepared statement. Parameters are 1-based, columns 0-based (as in SQLite).
class Statement {
 public:
  Statement(Database& db, std::string_view sql);
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view text);        // copied by SQLite
  Statement& bind(int index, std::optional<double> value);  // nullopt binds NULL
  Statement& bind_null(int index);

  // Runs to the next row: true when a row is ready to read, false when the statement is done.
  bool step();
  // Ready for another run with new parameters (bindings are cleared).
  void reset();

  std::int64_t column_int64(int column) const;
  double column_double(int column) const;
  std::string column_text(int column) const;
  bool column_is_null(int column) const;

 private:
  Database* m_db;
  sqlite3_stmt* m_stmt = nullptr;
};

class Database {
 public:
  // migrations[i] is the SQL that takes the schema from version i to i + 1; a new file starts at
  // version 0 and ends at migrations.size(). The folder is created when missing. Throws when the
  // file cannot be opened, is not a database, or has a schema newer than `migrations` knows.
  Database(std::filesystem::path path, std::span<const std::string_view> migrations);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  const std::filesystem::path& path() const { return m_path; }
  int user_version();

  // Runs one or more statements that return no rows.
  void exec(std::string_view sql);

  // The page cache is sized for bursts of writes (32 MB); once a burst is over its unused pages go
  // back to the heap. cache_bytes() is what the cache holds now.
  void release_memory();
  std::int64_t cache_bytes();

  // Throws the error for a failed call that returned `code`:
  // "<path>: <what>: <sqlite message>" plus the recovery hint for corrupt files.
  [[noreturn]] void fail(int code, std::string_view what) const;

  sqlite3* handle() const { return m_db; }

 private:
  void migrate(std::span<const std::string_view> migrations);

  std::filesystem::path m_path;
  sqlite3* m_db = nullptr;
};

// BEGIN IMMEDIATE on construction; ROLLBACK on destruction unless commit() ran.
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Database& m_db;
  bool m_open = true;
};

}  // namespace stratus::store
