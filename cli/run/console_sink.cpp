#include "cli/run/console_sink.hpp"

#include <pthread.h>

#include <nlohmann/json.hpp>

#include "emulator/common/utc_time.hpp"

namespace stratus::run {

namespace {
// Cyan, magenta, yellow, green, blue, then the bright ones.
constexpr const char* kPalette[] = {"36", "35", "33", "32", "34", "96", "95", "93", "92", "94"};
// Batched lines kept at most, so a stalled reader (a full pipe) holds up the writers as before
// instead of growing the memory.
constexpr std::size_t kMaxPending = 1 << 20;
}  // namespace

ConsoleSink::ConsoleSink(std::FILE* stream, bool prefix, bool color, std::map<std::string, std::string> names,
                         bool json, std::chrono::milliseconds batch)
    : m_stream(stream),
      m_prefix(prefix),
      m_color(color),
      m_json(json),
      m_names(std::move(names)),
      m_batch(batch) {
  std::size_t i = 0;
  for (const auto& [name, shown] : m_names) m_colors[name] = kPalette[i++ % std::size(kPalette)];
  if (m_batch.count() > 0)
    m_writer = std::thread([this] {
      ::pthread_setname_np(::pthread_self(), "console");  // for top -H, perf --sort comm
      writer_loop();
    });
}

ConsoleSink::~ConsoleSink() {
  if (!m_writer.joinable()) return;
  {
    std::lock_guard lock(m_mutex);
    m_stop = true;
  }
  m_queued.notify_one();
  m_writer.join();
}

void ConsoleSink::write(const std::string& text) {
  std::unique_lock lock(m_mutex);
  if (!m_writer.joinable()) {
    std::fwrite(text.data(), 1, text.size(), m_stream);
    return;
  }
  if (m_pending.size() + text.size() > kMaxPending) {  // a reader that cannot keep up: wait for it
    std::fwrite(m_pending.data(), 1, m_pending.size(), m_stream);
    std::fwrite(text.data(), 1, text.size(), m_stream);
    m_pending.clear();
    return;
  }
  const bool wake = m_pending.empty();  // else the writer is awake already, or about to write
  m_pending += text;
  lock.unlock();
  if (wake) m_queued.notify_one();
}

void ConsoleSink::writer_loop() {
  std::unique_lock lock(m_mutex);
  for (;;) {
    m_queued.wait(lock, [&] { return m_stop || !m_pending.empty(); });
    m_queued.wait_for(lock, m_batch, [&] { return m_stop; });  // let a batch gather
    if (!m_pending.empty()) std::fwrite(m_pending.data(), 1, m_pending.size(), m_stream);
    m_pending.clear();
    if (m_stop) return;
  }
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
  const auto add_prefix = [&] {
    if (!m_prefix) return;
    if (m_color) {
      auto color = m_colors.find(record.function);
      line += "\033[";
      line += color != m_colors.end() ? color->second : "36";
      line += "m[";
      line += name;
      line += "]\033[0m ";
    } else {
      line += '[';
      line += name;
      line += "] ";
    }
  };
  // A record's own line breaks are carriage returns (Lambda's Python runtime joins a traceback's
  // lines with them, so CloudWatch keeps it as one event). A terminal would print each over the one
  // before; here each starts a line of its own.
  std::string_view text = record.text;
  for (;;) {
    const auto cr = text.find('\r');
    add_prefix();
    line += text.substr(0, cr);
    line += '\n';
    if (cr == std::string_view::npos) break;
    text.remove_prefix(cr + 1);
  }
}

void ConsoleSink::log(const logs::LogRecord& record) {
  std::string line;
  format(record, line);
  write(line);
  for (engine::Sink* next : m_next) next->log(record);
}

void ConsoleSink::log_many(const std::vector<logs::LogRecord>& records) {
  std::string lines;
  for (const auto& record : records) format(record, lines);
  write(lines);
  for (engine::Sink* next : m_next) next->log_many(records);
}

void ConsoleSink::ledger(const billing::LedgerRow& row) {
  for (engine::Sink* next : m_next) next->ledger(row);
}

}  // namespace stratus::run
