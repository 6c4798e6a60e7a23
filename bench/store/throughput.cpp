// How fast the Store commits: two producer threads (log lines and ledger rows, at the 10:3 mix of
// the target 50k + 15k rows/s) push as fast as they can into a fresh database; the clock stops
// when flush() returns, so the figure is rows committed per second, not rows queued.
//   ninja -C build store_throughput && build/store_throughput [log_rows] [ledger_rows]
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

#include "emulator/store/store.hpp"

int main(int argc, char** argv) {
  using namespace stratus;
  using clock = std::chrono::steady_clock;
  const long log_rows = argc > 1 ? std::atol(argv[1]) : 500'000;
  const long ledger_rows = argc > 2 ? std::atol(argv[2]) : 150'000;
  const auto dir =
      std::filesystem::temp_directory_path() / ("stratus-store-bench-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);

  double queue_ns = 0;
  double seconds = 0;
  {
    store::Store store(store::stratus_db_path(dir));
    const auto t0 = clock::now();
    std::thread logs([&] {
      logs::LogRecord r{"svc-dev-hello", "", 0, logs::LogSource::out, "", ""};
      const auto start = clock::now();
      for (long i = 0; i < log_rows; ++i) {
        r.request_id = "6f1c2a9e-" + std::to_string(i / 10);
        r.unix_ms = 1'767'225'600'000 + i;
        r.text = "INFO handled order " + std::to_string(i) + " in 12 ms for customer c-42, status=ok";
        store.log(r);
      }
      queue_ns = std::chrono::duration<double, std::nano>(clock::now() - start).count() / log_rows;
    });
    std::thread ledger([&] {
      billing::LedgerRow r;
      r.function = "svc-dev-hello";
      r.duration_ms = 12.3;
      r.billed_ms = 13;
      for (long i = 0; i < ledger_rows; ++i) {
        r.request_id = "6f1c2a9e-" + std::to_string(i);
        r.start_unix_ms = 1'767'225'600'000 + i;
        store.ledger(r);
      }
    });
    logs.join();
    ledger.join();
    store.flush();
    seconds = std::chrono::duration<double>(clock::now() - t0).count();
  }
  const auto bytes = std::filesystem::file_size(store::stratus_db_path(dir));
  std::filesystem::remove_all(dir);
  std::printf(
      "%ld log rows + %ld ledger rows committed in %.3f s: %.0f log rows/s + %.0f ledger rows/s "
      "(%.0f rows/s); log() took %.0f ns per call; database %.1f MB\n",
      log_rows, ledger_rows, seconds, log_rows / seconds, ledger_rows / seconds,
      (log_rows + ledger_rows) / seconds, queue_ns, bytes / 1e6);
}
