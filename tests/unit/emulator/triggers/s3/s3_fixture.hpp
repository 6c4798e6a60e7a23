#pragma once
// An S3Store on a throwaway folder with a database holding only the S3 migration, as the tests of
// the store, the API and the notifier need it; reopen() simulates a restart.
#include <array>
#include <chrono>
#include <memory>
#include <string_view>

#include "emulator/store/database.hpp"
#include "emulator/triggers/s3/s3_store.hpp"
#include "tests/support/temp_dir.hpp"

namespace stratus::triggers::s3 {

class S3Fixture {
 public:
  S3Fixture() { reopen(); }

  // `sweep_age` 0: stray files of any age are swept (the store's default spares recent ones).
  void reopen(std::chrono::seconds sweep_age = std::chrono::seconds(0)) {
    store.reset();
    db.reset();
    db = std::make_unique<stratus::store::Database>(dir.path() / "stratus.db", kMigrations);
    store = std::make_unique<S3Store>(*db, data_root(), sweep_age);
  }

  std::filesystem::path data_root() const { return dir.path() / "s3"; }

  static constexpr std::array<std::string_view, 1> kMigrations{kS3Schema};
  test_support::TempDir dir;
  std::unique_ptr<stratus::store::Database> db;
  std::unique_ptr<S3Store> store;
};

}  // namespace stratus::triggers::s3
