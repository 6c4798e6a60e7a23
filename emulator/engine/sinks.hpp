#pragma once
// Where the engine sends what it observes: log lines (live printing, the log store) and ledger
// rows (the billing meter). Called from engine threads; implementations must be thread-safe and
// must not block for long (the store batches writes on a thread of its own).
#include "emulator/billing/ledger.hpp"
#include "emulator/logs/log_record.hpp"

namespace stratus::engine {

class Sink {
 public:
  virtual ~Sink() = default;
  virtual void log(const logs::LogRecord& record) = 0;
  virtual void ledger(const billing::LedgerRow& row) = 0;
};

}  // namespace stratus::engine
