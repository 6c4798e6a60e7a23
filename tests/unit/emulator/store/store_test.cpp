#include "emulator/store/store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <functional>
#include <thread>

#include "tests/support/temp_dir.hpp"

namespace stratus::store {
namespace {

using billing::LedgerRow;
using billing::Outcome;
using logs::LogRecord;
using logs::LogSource;
using test_support::TempDir;

LedgerRow row(std::string function, std::string request_id, std::int64_t start) {
  LedgerRow r;
  r.function = std::move(function);
  r.request_id = std::move(request_id);
  r.start_unix_ms = start;
  r.duration_ms = 12.5;
  r.billed_ms = 13;
  r.memory_mb = 256;
  r.max_memory_used_mb = 40;
  return r;
}

LogRecord line(std::string function, std::string request_id, std::int64_t ms, std::string text,
               LogSource source = LogSource::out) {
  return LogRecord{std::move(function), std::move(request_id), ms, source, std::move(text), ""};
}

// How many rows a table holds, read through a connection of its own (what another process sees).
std::int64_t count_rows(const std::filesystem::path& path, const std::string& table) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, ("SELECT count(*) FROM " + table).c_str(), -1, &s, nullptr), SQLITE_OK);
  EXPECT_EQ(sqlite3_step(s), SQLITE_ROW);
  const std::int64_t n = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  sqlite3_close(db);
  return n;
}

TEST(Store, DbPathIsInTheServiceStateFolder) {
  EXPECT_EQ(stratus_db_path("/srv/app"), std::filesystem::path("/srv/app/.stratus/stratus.db"));
}

TEST(Store, LedgerRowsRoundTripEveryFieldAcrossAReopen) {
  TempDir dir;
  const auto path = stratus_db_path(dir.path());
  LedgerRow cold = row("svc-dev-a", "r1", 1000);
  cold.init_duration_ms = 203.69;
  cold.cold = true;
  cold.billed_ms = 217;
  cold.architecture = "arm64";
  LedgerRow timeout = row("svc-dev-b", "r2", 2000);
  timeout.outcome = Outcome::timeout;
  timeout.error_type = "Sandbox.Timedout";
  timeout.duration_ms = 3000.25;
  LedgerRow throttle = row("svc-dev-a", "r3", 3000);
  throttle.outcome = Outcome::throttled;
  throttle.billed_ms = 0;
  throttle.duration_ms = 0;
  {
    Store store(path);
    store.ledger(cold);
    store.ledger(timeout);
    store.ledger(throttle);
  }  // the destructor commits
  Store store(path);
  const auto rows = store.ledger_rows();
  ASSERT_EQ(rows.size(), 3u);
  const LedgerRow& a = rows[0];
  EXPECT_EQ(a.function, "svc-dev-a");
  EXPECT_EQ(a.request_id, "r1");
  EXPECT_EQ(a.start_unix_ms, 1000);
  EXPECT_DOUBLE_EQ(a.duration_ms, 12.5);
  ASSERT_TRUE(a.init_duration_ms.has_value());
  EXPECT_DOUBLE_EQ(*a.init_duration_ms, 203.69);
  EXPECT_EQ(a.billed_ms, 217);
  EXPECT_EQ(a.memory_mb, 256);
  EXPECT_EQ(a.max_memory_used_mb, 40);
  EXPECT_EQ(a.architecture, "arm64");
  EXPECT_TRUE(a.cold);
  EXPECT_EQ(a.outcome, Outcome::ok);
  EXPECT_EQ(a.error_type, "");
  EXPECT_FALSE(rows[1].init_duration_ms.has_value());
  EXPECT_EQ(rows[1].outcome, Outcome::timeout);
  EXPECT_EQ(rows[1].error_type, "Sandbox.Timedout");
  EXPECT_DOUBLE_EQ(rows[1].duration_ms, 3000.25);
  EXPECT_FALSE(rows[1].cold);
  EXPECT_EQ(rows[2].outcome, Outcome::throttled);
}

TEST(Store, LedgerFiltersByFunctionAndStart) {
  TempDir dir;
  Store store(dir.path() / "s.db");
  store.ledger(row("b", "1", 3000));
  store.ledger(row("a", "2", 1000));
  store.ledger(row("a", "3", 2000));
  store.ledger(row("b", "4", 500));

  auto ids = [](const std::vector<LedgerRow>& rows) {
    std::string out;
    for (const auto& r : rows) out += r.request_id;
    return out;
  };
  EXPECT_EQ(ids(store.ledger_rows()), "4231") << "oldest first";
  EXPECT_EQ(ids(store.ledger_rows("a")), "23");
  EXPECT_EQ(ids(store.ledger_rows(std::nullopt, 2000)), "31");
  EXPECT_EQ(ids(store.ledger_rows("b", 1000)), "1");
  EXPECT_EQ(ids(store.ledger_rows("c")), "");
}

// The page cache grows with a burst of writes and is handed back once the writer is idle, so the
// emulator's memory returns to its idle size after a load.
TEST(Store, TheCacheIsReleasedOnceWritesStop) {
  TempDir dir;
  StoreOptions options;
  options.release_after = std::chrono::milliseconds(100);
  Store store(dir.path() / "s.db", options);
  for (int i = 0; i < 20000; ++i)
    store.log(line("f", "request-" + std::to_string(i), i, "a line of output " + std::to_string(i)));
  store.flush();
  EXPECT_GT(store.cache_bytes(), 1'000'000);
  for (int i = 0; i < 300 && store.cache_bytes() > 100'000; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_LT(store.cache_bytes(), 100'000);
  EXPECT_EQ(store.logs_for_request("request-19999").size(), 1u) << "the rows are all there";
}

TEST(Store, LogsByRequestKeepWriteOrder) {
  TempDir dir;
  Store store(dir.path() / "s.db");
  store.log(line("f", "r1", 10, "START RequestId: r1 Version: $LATEST", LogSource::platform));
  store.log(line("f", "r2", 10, "other"));
  store.log(line("f", "r1", 10, "to stderr", LogSource::err));
  store.log(line("f", "r1", 9, "an earlier clock"));
  store.log(line("f", "r1", 11, "END RequestId: r1", LogSource::platform));
  const auto lines = store.logs_for_request("r1");
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0].text, "START RequestId: r1 Version: $LATEST");
  EXPECT_EQ(lines[0].source, LogSource::platform);
  EXPECT_EQ(lines[1].text, "to stderr");
  EXPECT_EQ(lines[1].source, LogSource::err);
  EXPECT_EQ(lines[2].text, "an earlier clock");
  EXPECT_EQ(lines[2].source, LogSource::out);
  EXPECT_EQ(lines[2].unix_ms, 9);
  EXPECT_EQ(lines[3].function, "f");
  EXPECT_EQ(lines[3].request_id, "r1");
  EXPECT_TRUE(store.logs_for_request("nope").empty());
}

TEST(Store, LogsForFunctionAreTheNewestSinceOldestFirst) {
  TempDir dir;
  Store store(dir.path() / "s.db");
  for (int i = 0; i < 10; ++i) store.log(line("f", "r", 100 + i, "line " + std::to_string(i)));
  store.log(line("g", "r", 105, "another function"));
  auto texts = [](const std::vector<LogRecord>& lines) {
    std::string out;
    for (const auto& l : lines) out += l.text.substr(5) + ",";
    return out;
  };
  EXPECT_EQ(texts(store.logs_for_function("f", 0, 3)), "7,8,9,");
  EXPECT_EQ(texts(store.logs_for_function("f", 107, 100)), "7,8,9,");
  EXPECT_EQ(texts(store.logs_for_function("f", 103, 2)), "8,9,");
  EXPECT_EQ(store.logs_for_function("f", 0, 100).size(), 10u);
  EXPECT_TRUE(store.logs_for_function("f", 0, 0).empty());
  EXPECT_TRUE(store.logs_for_function("h", 0, 10).empty());
}

TEST(Store, AnInvocationsPlatformLinesOfOneMillisecondShareARowAndReadBackAsLines) {
  TempDir dir;
  const auto path = dir.path() / "s.db";
  Store store(path);
  // An invocation with no output: START, END and REPORT in one millisecond.
  store.log_many({line("f", "r1", 10, "START RequestId: r1 Version: $LATEST", LogSource::platform),
                  line("f", "r1", 10, "END RequestId: r1", LogSource::platform),
                  line("f", "r1", 10, "REPORT RequestId: r1\tDuration: 0.42 ms", LogSource::platform)});
  // One with output between and a later end: nothing is packed across the output or the clock,
  // nor across requests.
  store.log(line("f", "r2", 11, "START RequestId: r2 Version: $LATEST", LogSource::platform));
  store.log(line("f", "r2", 11, "hello"));
  store.log_many({line("f", "r2", 12, "END RequestId: r2", LogSource::platform),
                  line("f", "r2", 13, "REPORT RequestId: r2", LogSource::platform),
                  line("f", "r3", 13, "START RequestId: r3 Version: $LATEST", LogSource::platform)});
  store.flush();
  EXPECT_EQ(count_rows(path, "logs"), 6);

  const auto r1 = store.logs_for_request("r1");
  ASSERT_EQ(r1.size(), 3u);
  EXPECT_EQ(r1[0].text, "START RequestId: r1 Version: $LATEST");
  EXPECT_EQ(r1[1].text, "END RequestId: r1");
  EXPECT_EQ(r1[2].text, "REPORT RequestId: r1\tDuration: 0.42 ms");
  for (const auto& l : r1) {
    EXPECT_EQ(l.unix_ms, 10);
    EXPECT_EQ(l.source, LogSource::platform);
    EXPECT_EQ(l.function, "f");
    EXPECT_EQ(l.request_id, "r1");
  }
  EXPECT_EQ(store.logs_for_request("r2").size(), 4u);

  // A limit counts lines, not rows: the newest two are END and REPORT of r1 before r2's lines.
  const auto newest = store.logs_for_function("f", 0, 7);
  ASSERT_EQ(newest.size(), 7u);
  EXPECT_EQ(newest[0].text, "END RequestId: r1");
  EXPECT_EQ(newest[6].text, "START RequestId: r3 Version: $LATEST");
  const auto last_two = store.logs_for_function("f", 0, 2);
  ASSERT_EQ(last_two.size(), 2u);
  EXPECT_EQ(last_two[0].text, "REPORT RequestId: r2");
  EXPECT_EQ(store.logs_for_function("f", 10, 1000).size(), 8u);
}

TEST(Store, DestructorCommitsWhatIsQueued) {
  TempDir dir;
  const auto path = dir.path() / "s.db";
  {
    // An interval far longer than the test: only the destructor can have committed the rows.
    Store store(path, StoreOptions{std::chrono::hours(1), 1'000'000, 2'000'000});
    for (int i = 0; i < 5000; ++i) store.log(line("f", "r", i, "x"));
    for (int i = 0; i < 700; ++i) store.ledger(row("f", "r", i));
  }
  EXPECT_EQ(count_rows(path, "logs"), 5000);
  EXPECT_EQ(count_rows(path, "ledger"), 700);
}

TEST(Store, FlushCommitsBeforeTheIntervalAndTheWriterCommitsOnItsOwn) {
  TempDir dir;
  const auto path = dir.path() / "s.db";
  Store store(path, StoreOptions{std::chrono::hours(1), 1'000'000, 2'000'000});
  store.log(line("f", "r", 1, "x"));
  store.flush();
  EXPECT_EQ(count_rows(path, "logs"), 1);

  Store quick(dir.path() / "q.db", StoreOptions{std::chrono::milliseconds(5), 1'000'000, 2'000'000});
  quick.ledger(row("f", "r", 1));
  for (int i = 0; i < 400 && count_rows(dir.path() / "q.db", "ledger") == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(count_rows(dir.path() / "q.db", "ledger"), 1);
}

TEST(Store, FullBatchIsCommittedWithoutWaitingForTheInterval) {
  TempDir dir;
  const auto path = dir.path() / "s.db";
  Store store(path, StoreOptions{std::chrono::hours(1), 100, 2'000'000});
  for (int i = 0; i < 100; ++i) store.log(line("f", "r", i, "x"));
  for (int i = 0; i < 400 && count_rows(path, "logs") < 100; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(count_rows(path, "logs"), 100);
}

TEST(Store, ManyThreadsWriteConcurrently) {
  TempDir dir;
  Store store(dir.path() / "s.db",
              StoreOptions{std::chrono::milliseconds(1), 64, 256});  // a tiny queue bound
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&store, t] {
      for (int i = 0; i < 2000; ++i) {
        store.log(line("f" + std::to_string(t), "r", i, "x"));
        if (i % 4 == 0) store.ledger(row("f" + std::to_string(t), "r", i));
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(store.ledger_rows().size(), 2000u);
  EXPECT_EQ(store.logs_for_function("f2", 0, 1'000'000).size(), 2000u);
}

TEST(Store, CorruptFileGivesTheFixNotACrash) {
  TempDir dir;
  const auto path = dir.write(".stratus/stratus.db", "SQLite format 2\n" + std::string(2000, '\x7f'));
  try {
    Store store(path);
    FAIL() << "opened a corrupt file";
  } catch (const std::runtime_error& e) {
    const std::string message = e.what();
    EXPECT_EQ(message.rfind(path.string() + ": ", 0), 0u) << message;
    EXPECT_NE(message.find("delete the folder " + (dir.path() / ".stratus").string() + "/"),
              std::string::npos)
        << message;
  }
}

TEST(Store, FailedCommitIsReportedByFlushAndTheStoreCarriesOn) {
  TempDir dir;
  const auto path = dir.path() / "s.db";
  Store store(path);
  {
    // Another connection drops the table under the store: the next batch cannot commit.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "ALTER TABLE ledger RENAME TO ledger_gone", nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  store.ledger(row("f", "r", 1));
  try {
    store.flush();
    FAIL() << "the failed commit was not reported";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()).rfind(path.string() + ": ", 0), 0u) << e.what();
  }
  store.flush();  // reported once
  store.log(line("f", "r", 1, "still works"));
  EXPECT_EQ(store.logs_for_request("r").size(), 1u);
}

}  // namespace
}  // namespace stratus::store
