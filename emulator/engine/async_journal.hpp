#pragma once
// Where AsyncQueue keeps the Event invocations it accepted until they end, so that none is lost
// when the process exits or is killed (-9 included): the queue writes a record before enqueue()
// returns, rewrites it when a retry is scheduled, removes it when the event ends (success,
// retries exhausted, too old), and at start queues again what the journal still holds. An event
// that was running when the process died runs again: delivery is at least once, as on AWS.
//
// The engine knows only this interface; store::SqliteAsyncJournal keeps the records in
// stratus.db. Without a journal (AsyncQueueOptions::journal = nullptr) the queue is in memory.
#include <cstdint>
#include <string>
#include <vector>

namespace stratus::engine {

// What it takes to run an event again after a restart. The function's retry and age settings are
// not here: they are read from its current configuration when the event is loaded.
struct AsyncRecord {
  std::string request_id;             // the event's id, which the 202 carried; the key
  std::string function;               // the deployed name
  std::string payload;                // the event
  int attempts = 0;                   // runs that ended in a function error so far
  std::int64_t accepted_unix_ms = 0;  // when enqueue() accepted it: the event's age counts from here
  std::int64_t due_unix_ms = 0;       // not run before this (a retry's back-off)
};

struct AsyncJournalLoad {
  std::vector<AsyncRecord> records;   // in the order they were accepted
  std::vector<std::string> warnings;  // one line per record that could not be read (and was dropped)
};

class AsyncJournal {
 public:
  virtual ~AsyncJournal() = default;
  // Records an accepted event. When it returns the record survives a kill -9 of the process.
  // Thread-safe, like the rest. Throws std::runtime_error when it cannot (the event is refused).
  virtual void put(const AsyncRecord& record) = 0;
  // A retry of the event was scheduled. An id the journal does not hold is ignored. Throws
  // std::runtime_error on failure.
  virtual void update(const std::string& request_id, int attempts, std::int64_t due_unix_ms) = 0;
  // The event ended. An id the journal does not hold is ignored. Throws std::runtime_error on failure.
  virtual void remove(const std::string& request_id) = 0;
  // Every record held. Throws std::runtime_error when the journal cannot be read at all.
  virtual AsyncJournalLoad load() = 0;
};

}  // namespace stratus::engine
