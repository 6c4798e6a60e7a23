#include "emulator/store/async_journal.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "emulator/store/migrations.hpp"
#include "tests/support/temp_dir.hpp"

namespace stratus::store {
namespace {

using engine::AsyncRecord;
using test_support::TempDir;

AsyncRecord record(std::string id, std::string payload = "{}", std::int64_t accepted = 1763859600000) {
  return AsyncRecord{std::move(id), "svc-dev-hello", std::move(payload), 0, accepted, accepted};
}

TEST(SqliteAsyncJournal, TheMigrationCreatesItsTable) {
  TempDir dir;
  Database db(dir.path() / "stratus.db", stratus_migrations());
  EXPECT_EQ(db.user_version(), static_cast<int>(stratus_migrations().size()));
  Statement s(db, "SELECT count(*) FROM async_events");
  ASSERT_TRUE(s.step());
  EXPECT_EQ(s.column_int64(0), 0);
}

TEST(SqliteAsyncJournal, RecordsSurviveReopeningTheFileInTheOrderTheyCame) {
  TempDir dir;
  const auto path = dir.path() / ".stratus" / "stratus.db";
  const std::string binary("bytes \0 and \xff", 13);
  {
    Database db(path, stratus_migrations());
    SqliteAsyncJournal journal(db);
    journal.put(record("id-3", R"({"n":3})", 3000));
    journal.put(record("id-1", binary, 1000));
    journal.put(record("id-2", R"({"n":2})", 2000));
    journal.update("id-1", 2, 5000);
    journal.remove("id-2");
  }
  Database db(path, stratus_migrations());
  SqliteAsyncJournal journal(db);
  const engine::AsyncJournalLoad loaded = journal.load();
  EXPECT_TRUE(loaded.warnings.empty());
  ASSERT_EQ(loaded.records.size(), 2u);
  EXPECT_EQ(loaded.records[0].request_id, "id-3");
  EXPECT_EQ(loaded.records[0].function, "svc-dev-hello");
  EXPECT_EQ(loaded.records[0].payload, R"({"n":3})");
  EXPECT_EQ(loaded.records[0].attempts, 0);
  EXPECT_EQ(loaded.records[0].accepted_unix_ms, 3000);
  EXPECT_EQ(loaded.records[0].due_unix_ms, 3000);
  EXPECT_EQ(loaded.records[1].request_id, "id-1");
  EXPECT_EQ(loaded.records[1].payload, binary);
  EXPECT_EQ(loaded.records[1].attempts, 2);
  EXPECT_EQ(loaded.records[1].accepted_unix_ms, 1000);
  EXPECT_EQ(loaded.records[1].due_unix_ms, 5000);
}

// The process dies (SIGKILL, no destructor runs) right after put() returned: the record is there.
TEST(SqliteAsyncJournal, APutThatReturnedSurvivesAKill) {
  TempDir dir;
  const auto path = dir.path() / "stratus.db";
  { Database create(path, stratus_migrations()); }
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    Database db(path, stratus_migrations());
    SqliteAsyncJournal journal(db);
    for (int i = 0; i < 20; ++i) journal.put(record("id-" + std::to_string(i)));
    ::kill(::getpid(), SIGKILL);
    ::_exit(1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status));
  Database db(path, stratus_migrations());
  SqliteAsyncJournal journal(db);
  const auto loaded = journal.load();
  ASSERT_EQ(loaded.records.size(), 20u);
  EXPECT_EQ(loaded.records[19].request_id, "id-19");
}

TEST(SqliteAsyncJournal, UpdatesAndRemovesOfUnknownIdsDoNothing) {
  TempDir dir;
  Database db(dir.path() / "stratus.db", stratus_migrations());
  SqliteAsyncJournal journal(db);
  journal.put(record("id-1"));
  journal.update("nope", 1, 1);
  journal.remove("nope");
  journal.remove("id-1");
  journal.remove("id-1");
  EXPECT_TRUE(journal.load().records.empty());
}

TEST(SqliteAsyncJournal, APutThatCannotBeCommittedThrows) {
  TempDir dir;
  Database db(dir.path() / "stratus.db", stratus_migrations());
  SqliteAsyncJournal journal(db);
  journal.put(record("id-1"));
  try {
    journal.put(record("id-1"));
    FAIL() << "a second record with the same id was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()),
              (dir.path() / "stratus.db").string() +
                  ": cannot run 'INSERT INTO async_events (request_id, function, payload, att...': UNIQUE "
                  "constraint failed: async_events.request_id");
  }
  // The journal goes on working after a failure.
  journal.put(record("id-2"));
  EXPECT_EQ(journal.load().records.size(), 2u);
}

TEST(SqliteAsyncJournal, EveryCallThrowsWhenTheTableIsGone) {
  TempDir dir;
  Database db(dir.path() / "stratus.db", stratus_migrations());
  SqliteAsyncJournal journal(db);
  db.exec("DROP TABLE async_events");
  EXPECT_THROW(journal.put(record("id-1")), std::runtime_error);
  EXPECT_THROW(journal.update("id-1", 1, 1), std::runtime_error);
  EXPECT_THROW(journal.remove("id-1"), std::runtime_error);
  try {
    journal.load();
    FAIL() << "load() read a table that is not there";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("no such table: async_events"), std::string::npos) << e.what();
  }
}

TEST(SqliteAsyncJournal, UnreadableRowsAreDroppedWithAWarningAndTheRestLoad) {
  TempDir dir;
  const auto path = dir.path() / "stratus.db";
  Database db(path, stratus_migrations());
  SqliteAsyncJournal journal(db);
  journal.put(record("good-1"));
  db.exec(
      "INSERT INTO async_events (request_id, function, payload, attempts, accepted_ms, due_ms) VALUES "
      "('bad-type', 'f', '{}', 'many', 1, 1), "
      "('bad-function', '', '{}', 0, 1, 1), "
      "('', 'f', '{}', 0, 1, 1), "
      "('bad-count', 'f', '{}', -1, 1, 1), "
      "('bad-time', 'f', '{}', 0, 0, 1), "
      "('bad-payload', 'f', x'00ff', 0, 1, 1)");
  journal.put(record("good-2"));
  const auto loaded = journal.load();
  ASSERT_EQ(loaded.records.size(), 2u);
  EXPECT_EQ(loaded.records[0].request_id, "good-1");
  EXPECT_EQ(loaded.records[1].request_id, "good-2");
  const std::string p = path.string();
  EXPECT_EQ(loaded.warnings,
            (std::vector<std::string>{
                p + ": pending Event invocation #2 (bad-type) is not readable and was dropped",
                p + ": pending Event invocation #3 (bad-function) is not readable and was dropped",
                p + ": pending Event invocation #4 is not readable and was dropped",
                p + ": pending Event invocation #5 (bad-count) is not readable and was dropped",
                p + ": pending Event invocation #6 (bad-time) is not readable and was dropped",
                p + ": pending Event invocation #7 (bad-payload) is not readable and was dropped",
            }));
  // Dropped: the next start says nothing more.
  const auto again = journal.load();
  EXPECT_TRUE(again.warnings.empty());
  EXPECT_EQ(again.records.size(), 2u);
}

}  // namespace
}  // namespace stratus::store
