#include "emulator/store/migrations.hpp"

#include <array>

#include "emulator/store/async_journal.hpp"
#include "emulator/triggers/s3/s3_store.hpp"
#include "emulator/triggers/sqs/sqs_store.hpp"

namespace stratus::store {

namespace {

// Each entry takes the schema one version up; never edit one that has shipped, append instead.
constexpr std::array<std::string_view, 6> kMigrations{
    // 1: logs and the billing ledger.
    R"sql(
CREATE TABLE logs (
  id INTEGER PRIMARY KEY,
  function TEXT NOT NULL,
  request_id TEXT NOT NULL,
  unix_ms INTEGER NOT NULL,
  source TEXT NOT NULL,
  text TEXT NOT NULL
);
CREATE INDEX logs_by_function ON logs (function, unix_ms);
CREATE INDEX logs_by_request ON logs (request_id);
CREATE TABLE ledger (
  id INTEGER PRIMARY KEY,
  function TEXT NOT NULL,
  request_id TEXT NOT NULL,
  start_unix_ms INTEGER NOT NULL,
  duration_ms REAL NOT NULL,
  init_duration_ms REAL,
  billed_ms INTEGER NOT NULL,
  memory_mb INTEGER NOT NULL,
  max_memory_used_mb INTEGER NOT NULL,
  architecture TEXT NOT NULL,
  cold INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  error_type TEXT NOT NULL
);
CREATE INDEX ledger_by_function ON ledger (function, start_unix_ms);
CREATE INDEX ledger_by_time ON ledger (start_unix_ms);
)sql",
    // 2: no index on the logs' request ids. Random ids made every batch of lines a set of random
    // B-tree inserts (a quarter of the emulator's CPU under load); a request's lines are found
    // by scanning instead, which only `logs` queries do.
    "DROP INDEX IF EXISTS logs_by_request;",
    // 3: SQS queues and messages.
    triggers::sqs::kSqsSchema,
    // 4: S3 buckets and object metadata (the bytes are files under .stratus/s3/).
    triggers::s3::kS3Schema,
    // 5: Event invocations accepted and not yet ended (the async queue's journal).
    kAsyncSchema,
    // 6: SQS queue tags.
    triggers::sqs::kSqsTagsSchema,
};

}  // namespace

std::span<const std::string_view> stratus_migrations() {
  return kMigrations;
}

}  // namespace stratus::store
