#include "cli/run/console_sink.hpp"

#include <nlohmann/json.hpp>

#include "emulator/common/utc_time.hpp"

namespace stratus::run {

namespace {
// Cyan, magenta, yellow, green, blue, then the bright ones.
constexpr const char* kPalette[] = {"36", "35", "33", "32", "34", "96", "95", "93", "92", "94"};
}  // namespace

ConsoleSink::ConsoleSink(std::FILE* stream, bool prefix, bool color, std::map<std::string, std::string> names,
                         bool json)
    : m_stream(stream), m_prefix(prefix), m_color(color), m_json(json), m_names(std::move(names)) {
  std::size_t i = 0;
  for (const auto& [name, shown] : m_names) m_colors[name] = kPalette[i++ % std::size(kPalette)];
}

void ConsoleSink::format(const logs::LogRecord& record, std::string& line) const {
  auto shown = m_names.find(record.function);
  const std::string& name = shown != m_names.end() ? shown->second : record.function;
  if (m_json) {
    const char* stream = record.source == logs::LogSource::out   ? "stdout"
                         : record.source == logs::LogSource::err ? "stderr"
                                                                 : "platform";
    line += nlohmann::ordered_json{{"time", format_iso_ms(record.unix_ms)},
                                   {"function", name},
                                   {"requestId", record.request_id},
                                   {"stream", stream},
                                   {"message", record.text}}
                .dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    line += '\n';
    return;
  }
  if (m_prefix) {
    if (m_color) {
      auto color = m_colors.find(record.function);
      line += "\033[";
      line += color != m_colors.end() ? color->second : "36";
      line += "m[" + name + "]\033[0m ";
    } else {
      line += "[" + name + "] ";
    }
  }
  line += record.text;
  line += '\n';
}

void ConsoleSink::log(const logs::LogRecord& record) {
  std::string line;
  format(record, line);
  {
    std::lock_guard lock(m_mutex);
    std::fwrite(line.data(), 1, line.size(), m_stream);
  }
  for (engine::Sink* next : m_next) next->log(record);
}

void ConsoleSink::log_many(const std::vector<logs::LogRecord>& records) {
  std::string lines;
  for (const auto& record : records) format(record, lines);
  {
    std::lock_guard lock(m_mutex);
    std::fwrite(lines.data(), 1, lines.size(), m_stream);
  }
  for (engine::Sink* next : m_next) next->log_many(records);
}

void ConsoleSink::ledger(const billing::LedgerRow& row) {
  for (engine::Sink* next : m_next) next->ledger(row);
}

}  // namespace stratus::run
