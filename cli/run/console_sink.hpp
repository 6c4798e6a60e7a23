#pragma once
// The engine's Sink for people: every log line printed live on stderr, and everything passed on
// to the next sinks (the store). With `prefix`, each line starts with the function's short name,
// one colour per function on a colour terminal (stratus offline); without, lines are printed as
// the function and the platform wrote them (stratus invoke local). With `json` (offline
// --json-logs), each line is one JSON object for CI:
//   {"time":"…Z","function":"short name","requestId":"…","stream":"stdout|stderr|platform","message":"…"}
// With a `batch` time, lines are written by a thread of the sink's own, at most that long after
// they came, many in one write: under load a write per invocation is a system call per invocation
// on the engine's event loop. The destructor writes what is left.
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "emulator/engine/sinks.hpp"

namespace stratus::run {

class ConsoleSink : public engine::Sink {
 public:
  // `names` maps deployed names to the short names shown in prefixes.
  ConsoleSink(std::FILE* stream, bool prefix, bool color, std::map<std::string, std::string> names,
              bool json = false, std::chrono::milliseconds batch = {});
  ~ConsoleSink() override;
  ConsoleSink(const ConsoleSink&) = delete;
  ConsoleSink& operator=(const ConsoleSink&) = delete;

  void forward_to(engine::Sink* next) { m_next.push_back(next); }

  void log(const logs::LogRecord& record) override;
  void log_many(const std::vector<logs::LogRecord>& records) override;
  void ledger(const billing::LedgerRow& row) override;

 private:
  void format(const logs::LogRecord& record, std::string& out) const;
  void write(const std::string& text);  // now, or queued for the writer thread
  void writer_loop();

  std::FILE* m_stream;
  bool m_prefix;
  bool m_color;
  bool m_json;
  std::map<std::string, std::string> m_names;
  std::map<std::string, const char*> m_colors;
  std::vector<engine::Sink*> m_next;
  std::chrono::milliseconds m_batch;
  std::mutex m_mutex;  // guards the stream's writes and the fields below
  std::condition_variable m_queued;
  std::string m_pending;  // batched: lines not written yet
  bool m_stop = false;
  std::thread m_writer;  // batched only
};

}  // namespace stratus::run
