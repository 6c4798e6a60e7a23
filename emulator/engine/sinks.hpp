#pragma once
// Where the engine sends what it observes: log lines (live printing, the log store) and ledger
// rows (the billing meter). Called from engine threads; implementations must be thread-safe and
// must not block for long (the store batches writes on a thread of its own).
#include <vector>

#include "emulator/billing/ledger.hpp"
#include "emulator/logs/log_record.hpp"

namespace stratus::engine {

class Sink {
 public:
  virtual ~Sink() = default;
  virtual void log(const logs::LogRecord& record) = 0;
  // Several lines at once (an invocation's closing platform lines); a sink that writes to a
  // stream can do it in one write.
  virtual void log_many(const std::vector<logs::LogRecord>& records) {
    for (const auto& record : records) log(record);
  }
  virtual void ledger(const billing::LedgerRow& row) = 0;
};

}  // namespace stratus::engine
