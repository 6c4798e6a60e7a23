#pragma once
// The engine's Sink for people: every log line printed live on stderr, and everything passed on
// to the next sinks (the store). With `prefix`, each line starts with the function's short name,
// one colour per function on a colour terminal (stratus offline); without, lines are printed as
// the function and the platform wrote them (stratus invoke local). With `json` (offline
// --json-logs), each line is one JSON object for CI:
//   {"time":"…Z","function":"short name","requestId":"…","stream":"stdout|stderr|platform","message":"…"}
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "emulator/engine/sinks.hpp"

namespace stratus::run {

class ConsoleSink : public engine::Sink {
 public:
  // `names` maps deployed names to the short names shown in prefixes.
  ConsoleSink(std::FILE* stream, bool prefix, bool color, std::map<std::string, std::string> names,
              bool json = false);

  void forward_to(engine::Sink* next) { m_next.push_back(next); }

  void log(const logs::LogRecord& record) override;
  void log_many(const std::vector<logs::LogRecord>& records) override;
  void ledger(const billing::LedgerRow& row) override;

 private:
  void format(const logs::LogRecord& record, std::string& out) const;

  std::FILE* m_stream;
  bool m_prefix;
  bool m_color;
  bool m_json;
  std::map<std::string, std::string> m_names;
  std::map<std::string, const char*> m_colors;
  std::vector<engine::Sink*> m_next;
  std::mutex m_mutex;
};

}  // namespace stratus::run
