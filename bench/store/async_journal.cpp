// What durability costs an Event invocation: the committed INSERT SqliteAsyncJournal::put() does
// before the Invoke API answers 202, and the DELETE remove() does when the event ends, one at a
// time into a fresh stratus.db (WAL, synchronous=NORMAL) as a stream of single invocations makes
// them. Prints the mean and the 50th/99th percentile of each.
//   ninja -C build async_journal_bench && build/async_journal_bench [events] [folder]
#include "emulator/store/async_journal.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "emulator/store/migrations.hpp"
#include "emulator/store/store.hpp"

namespace {

void print(const char* what, std::vector<double>& us) {
  std::sort(us.begin(), us.end());
  double sum = 0;
  for (const double u : us) sum += u;
  std::printf("%-7s mean %6.1f us  p50 %6.1f us  p99 %6.1f us\n", what, sum / static_cast<double>(us.size()),
              us[us.size() / 2], us[us.size() * 99 / 100]);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace stratus;
  using clock = std::chrono::steady_clock;
  const long events = argc > 1 ? std::atol(argv[1]) : 20'000;
  const std::filesystem::path parent = argc > 2 ? argv[2] : std::filesystem::temp_directory_path();
  const auto dir = parent / ("stratus-journal-bench-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::vector<double> put_us, remove_us;
  {
    store::Database db(store::stratus_db_path(dir), store::stratus_migrations());
    store::SqliteAsyncJournal journal(db);
    engine::AsyncRecord record{"", "svc-dev-hello", "", 0, 1'767'225'600'000, 1'767'225'600'000};
    record.payload = R"({"Records":[{"eventSource":"aws:s3","s3":{"bucket":{"name":"uploads"},)"
                     R"("object":{"key":"photos/2026/01/01/IMG_0001.jpg","size":1048576}}}]})";
    std::vector<std::string> ids;
    for (long i = 0; i < events; ++i)
      ids.push_back("6f1c2a9e-0000-4000-8000-" + std::to_string(100'000'000'000 + i));
    for (const auto& id : ids) {
      record.request_id = id;
      const auto t0 = clock::now();
      journal.put(record);
      put_us.push_back(std::chrono::duration<double, std::micro>(clock::now() - t0).count());
    }
    for (const auto& id : ids) {
      const auto t0 = clock::now();
      journal.remove(id);
      remove_us.push_back(std::chrono::duration<double, std::micro>(clock::now() - t0).count());
    }
  }
  std::filesystem::remove_all(dir);
  std::printf("%ld Event invocations journaled in %s\n", events, parent.c_str());
  print("put", put_us);
  print("remove", remove_us);
  return 0;
}
