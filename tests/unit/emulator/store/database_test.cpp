#include "emulator/store/database.hpp"

#include <gtest/gtest.h>

#include <array>
#include <functional>

#include "tests/support/temp_dir.hpp"

namespace stratus::store {
namespace {

using test_support::TempDir;

constexpr std::array<std::string_view, 2> kTwoVersions{
    "CREATE TABLE t (a INTEGER NOT NULL)",
    "ALTER TABLE t ADD COLUMN b TEXT NOT NULL DEFAULT 'x'",
};

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Database, CreatesTheFolderAndMigratesAnEmptyFile) {
  TempDir dir;
  const auto path = dir.path() / ".stratus" / "stratus.db";
  {
    Database db(path, std::span(kTwoVersions).first(1));
    EXPECT_EQ(db.user_version(), 1);
    db.exec("INSERT INTO t (a) VALUES (7)");
  }
  Database db(path, kTwoVersions);  // the second migration runs on the existing data
  EXPECT_EQ(db.user_version(), 2);
  Statement s(db, "SELECT a, b FROM t");
  ASSERT_TRUE(s.step());
  EXPECT_EQ(s.column_int64(0), 7);
  EXPECT_EQ(s.column_text(1), "x");
  EXPECT_FALSE(s.step());
}

TEST(Database, MigratesAZeroByteFile) {
  TempDir dir;
  const auto path = dir.write("state.db", "");
  Database db(path, kTwoVersions);
  EXPECT_EQ(db.user_version(), 2);
}

TEST(Database, UsesWalJournaling) {
  TempDir dir;
  Database db(dir.path() / "a.db", kTwoVersions);
  Statement s(db, "PRAGMA journal_mode");
  ASSERT_TRUE(s.step());
  EXPECT_EQ(s.column_text(0), "wal");
  Statement sync(db, "PRAGMA synchronous");
  ASSERT_TRUE(sync.step());
  EXPECT_EQ(sync.column_int64(0), 1);  // NORMAL
}

TEST(Database, NotADatabaseNamesTheFileAndTheFix) {
  TempDir dir;
  const auto path = dir.write(".stratus/stratus.db", std::string(4096, 'z'));
  const std::string error = error_of([&] { Database db(path, kTwoVersions); });
  EXPECT_EQ(error,
            path.string() +
                ": cannot run 'PRAGMA journal_mode=WAL': file is not a database (the file is not a SQLite "
                "database or is corrupt; delete the folder " +
                (dir.path() / ".stratus").string() +
                "/, stratus's local state, and run again to start afresh)");
}

TEST(Database, NewerSchemaIsRefused) {
  TempDir dir;
  const auto path = dir.path() / "s" / "a.db";
  { Database db(path, kTwoVersions); }
  const std::string error = error_of([&] { Database db(path, std::span(kTwoVersions).first(1)); });
  EXPECT_EQ(error, path.string() +
                       ": the database has schema version 2, newer than this stratus knows (1); use a newer "
                       "stratus, or delete the folder " +
                       (dir.path() / "s").string() + "/ to start afresh");
}

TEST(Database, FailedMigrationRollsBack) {
  TempDir dir;
  const auto path = dir.path() / "a.db";
  constexpr std::array<std::string_view, 2> broken{"CREATE TABLE t (a INTEGER)", "THIS IS NOT SQL"};
  const std::string error = error_of([&] { Database db(path, broken); });
  EXPECT_NE(error.find(path.string() + ": cannot run 'THIS IS NOT SQL': near \"THIS\": syntax error"),
            std::string::npos)
      << error;
  Database db(path, std::span(broken).first(0));
  EXPECT_EQ(db.user_version(), 0);
  Statement s(db, "SELECT count(*) FROM sqlite_master WHERE name = 't'");
  ASSERT_TRUE(s.step());
  EXPECT_EQ(s.column_int64(0), 0) << "the first migration was rolled back with the second";
}

TEST(Database, UnopenablePathNamesTheFile) {
  TempDir dir;
  const auto blocker = dir.write("file", "x");  // a file where the folder should be
  const auto path = blocker / "a.db";
  const std::string error = error_of([&] { Database db(path, kTwoVersions); });
  EXPECT_EQ(error.rfind(path.string() + ": cannot create the folder " + blocker.string() + ": ", 0), 0u)
      << error;

  const auto is_dir = dir.path() / "dir.db";
  std::filesystem::create_directories(is_dir);
  const std::string error2 = error_of([&] { Database db(is_dir, kTwoVersions); });
  EXPECT_EQ(error2.rfind(is_dir.string() + ": cannot open the database: ", 0), 0u) << error2;
}

TEST(Database, BadStatementAndFailedStepNameTheFile) {
  TempDir dir;
  const auto path = dir.path() / "a.db";
  Database db(path, kTwoVersions);
  EXPECT_EQ(error_of([&] { Statement s(db, "SELECT nope FROM t"); }),
            path.string() + ": cannot prepare 'SELECT nope FROM t': no such column: nope");
  Statement insert(db, "INSERT INTO t (a) VALUES (?1)");
  insert.bind_null(1);
  EXPECT_EQ(error_of([&] { insert.step(); }),
            path.string() + ": cannot run 'INSERT INTO t (a) VALUES (?1)': NOT NULL constraint failed: t.a");
  insert.reset();
  insert.bind(1, std::int64_t{3});
  EXPECT_FALSE(insert.step());  // usable again after the failure
}

TEST(Database, TransactionRollsBackUnlessCommitted) {
  TempDir dir;
  Database db(dir.path() / "a.db", kTwoVersions);
  {
    Transaction tx(db);
    db.exec("INSERT INTO t (a) VALUES (1)");
  }
  {
    Transaction tx(db);
    db.exec("INSERT INTO t (a) VALUES (2)");
    tx.commit();
  }
  Statement s(db, "SELECT group_concat(a) FROM t");
  ASSERT_TRUE(s.step());
  EXPECT_EQ(s.column_text(0), "2");
}

TEST(Database, BindsAndReadsEveryType) {
  TempDir dir;
  Database db(dir.path() / "a.db", {});
  db.exec("CREATE TABLE v (i INTEGER, d REAL, s TEXT, n REAL)");
  Statement insert(db, "INSERT INTO v VALUES (?1, ?2, ?3, ?4)");
  insert.bind(1, std::int64_t{1} << 40)
      .bind(2, 2.5)
      .bind(3, std::string_view("a\0b", 3))
      .bind(4, std::optional<double>());
  EXPECT_FALSE(insert.step());
  Statement s(db, "SELECT i, d, s, n FROM v");
  ASSERT_TRUE(s.step());
  EXPECT_EQ(s.column_int64(0), std::int64_t{1} << 40);
  EXPECT_DOUBLE_EQ(s.column_double(1), 2.5);
  EXPECT_EQ(s.column_text(2), std::string("a\0b", 3));
  EXPECT_TRUE(s.column_is_null(3));
  EXPECT_FALSE(s.column_is_null(0));
}

}  // namespace
}  // namespace stratus::store
