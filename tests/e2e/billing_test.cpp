// `stratus billing` on a ledger written by the Store into a copy of the example service, as the
// emulator leaves it: the table, --json figures, the filters, the projection and every error.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "emulator/store/store.hpp"
#include "tests/e2e/harness.hpp"

namespace stratus::e2e {
namespace {

namespace fs = std::filesystem;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

billing::LedgerRow row(std::string function, double duration_ms, std::int64_t billed_ms, std::int64_t start,
                       billing::Outcome outcome = billing::Outcome::ok) {
  billing::LedgerRow r;
  r.function = std::move(function);
  r.request_id = "req-" + std::to_string(start);
  r.start_unix_ms = start;
  r.duration_ms = duration_ms;
  r.billed_ms = billed_ms;
  r.memory_mb = 256;
  r.architecture = "arm64";
  r.outcome = outcome;
  return r;
}

class Billing : public ::testing::Test {
 protected:
  void SetUp() override {
    service = dir.path() / "example";
    fs::copy(fs::path(STRATUS_FIXTURES_DIR) / "services" / "example", service, fs::copy_options::recursive);
    // Only the service: not the state a local run of scripts/run-example.sh left in the fixture.
    fs::remove_all(service / ".stratus");
  }

  // Two functions of the example service (256 MB, arm64 from the provider): createOrder ran
  // 3 times 2 hours ago (one cold, one error), nightlyReport once 10 minutes ago, then throttled.
  void write_ledger() {
    const std::int64_t now = now_ms();
    store::Store store(store::stratus_db_path(service));
    auto cold = row("orders-dev-createOrder", 100, 400, now - 7'200'000);
    cold.cold = true;
    cold.init_duration_ms = 300;
    store.ledger(cold);
    store.ledger(row("orders-dev-createOrder", 200, 200, now - 7'199'000, billing::Outcome::error));
    store.ledger(row("orders-dev-createOrder", 300, 300, now - 7'198'000));
    store.ledger(row("orders-dev-nightlyReport", 1000, 1000, now - 600'000));
    store.ledger(row("orders-dev-nightlyReport", 0, 0, now - 599'000, billing::Outcome::throttled));
  }

  nlohmann::json json_of(const std::vector<std::string>& args) {
    auto r = run_stratus(service, args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out);
  }

  TempDir dir;
  fs::path service;
};

TEST_F(Billing, JsonFiguresPerFunctionAndTotal) {
  write_ledger();
  const auto doc = json_of({"billing", "--json"});
  EXPECT_EQ(doc["prices"]["region"], "us-east-1");
  EXPECT_EQ(doc["prices"]["as_of"], "2026-11-22");
  EXPECT_TRUE(doc["function"].is_null());
  EXPECT_TRUE(doc["projection"].is_null());
  ASSERT_EQ(doc["functions"].size(), 2u);
  const auto& create = doc["functions"][0];
  EXPECT_EQ(create["function"], "orders-dev-createOrder");
  EXPECT_EQ(create["memory_mb"], 256);
  EXPECT_EQ(create["architecture"], "arm64");
  EXPECT_EQ(create["invocations"], 3);
  EXPECT_EQ(create["errors"], 1);
  EXPECT_EQ(create["throttles"], 0);
  EXPECT_EQ(create["cold_starts"], 1);
  EXPECT_DOUBLE_EQ(create["duration_ms"]["p50"].get<double>(), 200);
  EXPECT_DOUBLE_EQ(create["duration_ms"]["p95"].get<double>(), 290);
  EXPECT_DOUBLE_EQ(create["avg_billed_ms"].get<double>(), 300);
  EXPECT_EQ(create["billed_ms"], 900);
  EXPECT_DOUBLE_EQ(create["gb_seconds"].get<double>(), 0.225);  // 0.25 GB x 0.9 s

  const auto& total = doc["total"];
  EXPECT_EQ(total["invocations"], 4);
  EXPECT_EQ(total["errors"], 1);
  EXPECT_EQ(total["throttles"], 1);
  EXPECT_EQ(total["cold_starts"], 1);
  EXPECT_DOUBLE_EQ(total["gb_seconds"].get<double>(), 0.475);  // + 0.25 GB x 1 s
  // 4 requests at $0.20 per million + 0.475 GB-s at arm64's $0.0000133334.
  EXPECT_NEAR(total["cost_usd"]["requests"].get<double>(), 8e-7, 1e-15);
  EXPECT_NEAR(total["cost_usd"]["arm64_duration"].get<double>(), 0.475 * 0.0000133334, 1e-15);
  EXPECT_NEAR(total["cost_usd"]["total"].get<double>(), 8e-7 + 0.475 * 0.0000133334, 1e-15);
  EXPECT_EQ(total["cost_free_tier_usd"]["total"], 0.0);
  EXPECT_TRUE(total["cost_usd"]["total"].is_number());
}

TEST_F(Billing, FunctionAndSinceFilters) {
  write_ledger();
  auto doc = json_of({"billing", "--json", "--function", "createOrder"});  // the manifest key
  EXPECT_EQ(doc["function"], "orders-dev-createOrder");
  ASSERT_EQ(doc["functions"].size(), 1u);
  EXPECT_EQ(doc["total"]["invocations"], 3);

  doc = json_of({"billing", "--json", "-f", "orders-dev-nightlyReport"});  // the deployed name
  EXPECT_EQ(doc["total"]["invocations"], 1);
  EXPECT_EQ(doc["total"]["throttles"], 1);

  doc = json_of({"billing", "--json", "--since", "1h"});
  ASSERT_EQ(doc["functions"].size(), 1u);
  EXPECT_EQ(doc["functions"][0]["function"], "orders-dev-nightlyReport");
  EXPECT_TRUE(doc["since_unix_ms"].is_number_integer());

  doc = json_of({"billing", "--json", "--since", "2020-01-01"});
  EXPECT_EQ(doc["total"]["invocations"], 4);

  // A function gone from the manifest but still in the ledger is known, even with no recent rows.
  { store::Store(store::stratus_db_path(service)).ledger(row("legacy-fn", 5, 5, now_ms() - 10'800'000)); }
  doc = json_of({"billing", "--json", "-f", "legacy-fn"});
  EXPECT_EQ(doc["total"]["invocations"], 1);
  auto r = run_stratus(service, {"billing", "-f", "legacy-fn", "--since", "1h"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "no invocations of legacy-fn recorded yet; run stratus invoke local or stratus offline\n");
  r = run_stratus(service, {"billing", "-f", "createOrder", "--since", "1m"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(Billing, MonthlyProjection) {
  write_ledger();
  const auto doc = json_of({"billing", "--json", "--monthly", "4/s"});
  const auto& p = doc["projection"];
  EXPECT_DOUBLE_EQ(p["requests_per_second"].get<double>(), 4);
  EXPECT_DOUBLE_EQ(p["requests"].get<double>(), 4 * 2'592'000.0);
  ASSERT_EQ(p["functions"].size(), 2u);
  EXPECT_DOUBLE_EQ(p["functions"][0]["requests_per_second"].get<double>(), 3);  // 3 of 4 measured
  EXPECT_DOUBLE_EQ(p["functions"][1]["requests_per_second"].get<double>(), 1);
  // createOrder: 7,776,000 x 0.25 GB x 0.3 s = 583,200; nightlyReport: 2,592,000 x 0.25 x 1 = 648,000.
  EXPECT_NEAR(p["gb_seconds"].get<double>(), 1'231'200, 1e-6);
  EXPECT_NEAR(p["cost_usd"]["total"].get<double>(), 10.368e6 * 0.2e-6 + 1'231'200 * 0.0000133334, 1e-9);
  EXPECT_NEAR(p["cost_free_tier_usd"]["total"].get<double>(),
              9.368e6 * 0.2e-6 + (1'231'200 - 400'000) * 0.0000133334, 1e-9);
}

TEST_F(Billing, TableForPeople) {
  write_ledger();
  auto r = run_stratus(service, {"billing", "--monthly", "4/s"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("(prices: us-east-1, as of 2026-11-22)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Lambda cost of 5 recorded request(s), "), std::string::npos) << r.out;
  EXPECT_NE(
      r.out.find("FUNCTION                  INVOCATIONS  ERRORS  THROTTLES  COLD   P50 MS   P95 MS   P99 MS  "
                 "AVG BILLED MS   GB-S        COST\n"
                 "orders-dev-createOrder              3       1          0     1   200.00   290.00   298.00  "
                 "        300.0  0.225  $0.0000036\n"
                 "orders-dev-nightlyReport            1       0          1     0  1000.00  1000.00  1000.00  "
                 "       1000.0  0.250  $0.0000035\n"
                 "total                               4       1          1     1   250.00   895.00   979.00  "
                 "        475.0  0.475  $0.0000071\n"),
      std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("orders-dev-createOrder         3.000   7776000   583200.0   $9.33\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("Projected 30-day month at 4/s"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("At list price $18.49 a month; with the monthly free tier $12.96.\n"),
            std::string::npos)
      << r.out;
}

TEST_F(Billing, NothingRecordedIsNotAnError) {
  auto r = run_stratus(service, {"billing"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "no invocations recorded yet; run stratus invoke local or stratus offline\n");
  EXPECT_FALSE(fs::exists(service / ".stratus" / "stratus.db")) << "reading must not create the state";

  auto j = run_stratus(service, {"billing", "--json", "--monthly", "5/s"});
  EXPECT_EQ(j.exit_code, 0) << j.err;
  const auto doc = nlohmann::json::parse(j.out);
  EXPECT_TRUE(doc["functions"].empty());
  EXPECT_EQ(doc["total"]["invocations"], 0);
  EXPECT_TRUE(doc["projection"].is_null());

  write_ledger();
  auto f = run_stratus(service, {"billing", "-f", "getOrder"});  // known, never invoked
  EXPECT_EQ(f.exit_code, 0) << f.err;
  EXPECT_EQ(
      f.err,
      "no invocations of orders-dev-getOrder recorded yet; run stratus invoke local or stratus offline\n");
}

TEST_F(Billing, BadArgumentsAreUsageErrors) {
  write_ledger();
  auto r = run_stratus(service, {"billing", "--monthly", "x"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "stratus: error: --monthly: expected RATE/UNIT such as 50/s (got 'x')\n");

  r = run_stratus(service, {"billing", "--monthly", "5/week"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "stratus: error: --monthly: unknown unit 'week' in '5/week' (use s, min, h, day or month)\n");

  r = run_stratus(service, {"billing", "--since", "yesterday"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "stratus: error: --since: expected a span such as 30m, 1h or 2d, or a UTC time such as "
            "2026-01-01T00:00:00Z (got 'yesterday')\n");

  r = run_stratus(service, {"billing", "--function", "createOrdr"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "stratus: error: --function: unknown function 'createOrdr' (did you mean 'createOrder'?); the "
            "functions are listed by 'stratus print --path functions'\n");
  EXPECT_EQ(r.out, "");
}

TEST_F(Billing, CorruptStateNamesTheFileAndTheFix) {
  const fs::path db = service / ".stratus" / "stratus.db";
  fs::create_directories(db.parent_path());
  { std::ofstream(db) << std::string(4096, 'x'); }
  auto r = run_stratus(service, {"billing"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "stratus: error: " + db.string() +
                ": cannot run 'PRAGMA journal_mode=WAL': file is not a database (the file is not a SQLite "
                "database or is corrupt; delete the folder " +
                db.parent_path().string() + "/, stratus's local state, and run again to start afresh)\n");
}

// The whole loop: `invoke local` records the ledger and the log in the service's state, and
// `billing` reads them back.
TEST(BillingAfterInvoke, InvokeLocalRecordsTheLedgerAndTheLog) {
  TempDir dir;
  dir.write("serverless.yml",
            "service: svc\n"
            "provider:\n"
            "  name: aws\n"
            "  runtime: python3.12\n"
            "  memorySize: 512\n"
            "functions:\n"
            "  echo:\n"
            "    handler: handler.echo\n"
            "  fail:\n"
            "    handler: handler.fail\n");
  dir.write("handler.py",
            "def echo(event, context):\n"
            "    print('echoing')\n"
            "    return event\n"
            "def fail(event, context):\n"
            "    raise RuntimeError('it broke')\n");
  auto ok = run_stratus(dir.path(), {"invoke", "local", "-f", "echo", "--data", "{}"});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  auto failed = run_stratus(dir.path(), {"invoke", "local", "-f", "fail", "--data", "{}"});
  ASSERT_EQ(failed.exit_code, 1) << failed.err;

  auto r = run_stratus(dir.path(), {"billing", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  ASSERT_EQ(doc["functions"].size(), 2u);
  EXPECT_EQ(doc["functions"][0]["function"], "svc-dev-echo");
  EXPECT_EQ(doc["functions"][0]["memory_mb"], 512);
  EXPECT_EQ(doc["functions"][1]["function"], "svc-dev-fail");
  EXPECT_EQ(doc["functions"][1]["errors"], 1);
  EXPECT_EQ(doc["total"]["invocations"], 2);
  EXPECT_EQ(doc["total"]["cold_starts"], 2);
  EXPECT_GT(doc["total"]["billed_ms"].get<std::int64_t>(), 0);

  store::Store store(store::stratus_db_path(dir.path()));
  const auto lines = store.logs_for_function("svc-dev-echo", 0, 100);
  bool printed = false;
  for (const auto& l : lines) printed = printed || l.text.find("echoing") != std::string::npos;
  EXPECT_TRUE(printed) << "the function's output is in the log store";
  EXPECT_EQ(store.logs_for_request(store.ledger_rows("svc-dev-echo").at(0).request_id)
                .front()
                .text.rfind("START", 0),
            0u);
}

}  // namespace
}  // namespace stratus::e2e
