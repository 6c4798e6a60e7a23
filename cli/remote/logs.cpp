#include "cli/remote/logs.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "emulator/common/since.hpp"
#include "emulator/common/utc_time.hpp"

namespace stratus::remote {

namespace {

using Json = nlohmann::json;

bool all_digits(const std::string& text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
}

std::int64_t int_member(const Json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_number() ? it->get<std::int64_t>() : 0;
}

std::string string_member(const Json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

std::int64_t parse_start_time(const std::string& text, std::int64_t now_unix_ms) {
  // Epoch milliseconds: 13 digits today; fewer digits are still a valid (early) time.
  if (all_digits(text) && text.size() <= 18) return std::stoll(text);
  const SinceParse parsed = parse_since(text, now_unix_ms);
  if (parsed.unix_ms) return *parsed.unix_ms;
  throw UserError("--startTime: " + parsed.error.substr(0, parsed.error.find(" (got")) +
                  ", or epoch milliseconds such as 1763892000000 (got '" + text + "')");
}

aws::Request filter_request(const FilterQuery& query, const std::string& next_token) {
  Json body = {{"logGroupName", query.log_group}};
  if (query.start_time) body["startTime"] = *query.start_time;
  if (query.end_time) body["endTime"] = *query.end_time;
  if (!query.filter_pattern.empty()) body["filterPattern"] = query.filter_pattern;
  if (!next_token.empty()) body["nextToken"] = next_token;
  aws::Request r;
  r.method = "POST";
  r.path = "/";
  r.headers = {{"Content-Type", "application/x-amz-json-1.1"},
               {"X-Amz-Target", "Logs_20140328.FilterLogEvents"}};
  r.body = body.dump();
  return r;
}

FilterPage read_filter_page(const std::string& body) {
  const Json doc = Json::parse(body, nullptr, false);
  if (!doc.is_object())
    throw UserError("FilterLogEvents answered with something that is not a JSON object", kExitFailure);
  FilterPage page;
  page.next_token = string_member(doc, "nextToken");
  auto events = doc.find("events");
  if (events == doc.end() || !events->is_array()) return page;
  for (const Json& e : *events) {
    if (!e.is_object()) continue;
    LogEvent event;
    event.timestamp = int_member(e, "timestamp");
    event.message = string_member(e, "message");
    event.log_stream_name = string_member(e, "logStreamName");
    event.event_id = string_member(e, "eventId");
    event.ingestion_time = int_member(e, "ingestionTime");
    page.events.push_back(std::move(event));
  }
  return page;
}

std::vector<LogEvent> filter_all(aws::Client& client, const FilterQuery& query,
                                 const std::string& function_label,
                                 const std::function<void(std::size_t, std::size_t)>& on_page) {
  std::vector<LogEvent> all;
  std::size_t pages = 0;
  std::set<std::string> tokens;
  std::string token;
  do {
    const aws::Response response = client.call("logs", filter_request(query, token));
    if (const auto error = response.error()) {
      if (error->code == "ResourceNotFoundException")
        throw UserError("no logs for " + function_label + ": the log group " + query.log_group +
                            " does not exist (" + error->message +
                            ")\n  the function is not deployed there, or has never been invoked",
                        kExitFailure);
      throw UserError(
          "cannot read the logs of " + function_label + " (FilterLogEvents): " + error->describe(),
          kExitFailure);
    }
    FilterPage page = read_filter_page(response.body);
    all.insert(all.end(), std::make_move_iterator(page.events.begin()),
               std::make_move_iterator(page.events.end()));
    if (on_page) on_page(++pages, all.size());
    token = tokens.insert(page.next_token).second ? page.next_token : "";
  } while (!token.empty());
  return all;
}

std::string format_event(const LogEvent& event, bool color) {
  std::string message = event.message;
  while (!message.empty() && (message.back() == '\n' || message.back() == '\r')) message.pop_back();
  const bool platform_line =
      message.starts_with("START ") || message.starts_with("END ") || message.starts_with("REPORT ");
  if (color && platform_line) message = "\033[2m" + message + "\033[0m";
  return format_iso_ms(event.timestamp) + " " + message;
}

std::string event_json(const LogEvent& event) {
  nlohmann::ordered_json doc = {{"timestamp", event.timestamp},
                                {"message", event.message},
                                {"logStreamName", event.log_stream_name},
                                {"eventId", event.event_id}};
  return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::vector<LogEvent> TailCursor::fresh(const std::vector<LogEvent>& events) {
  std::vector<LogEvent> out;
  for (const LogEvent& e : events) {
    if (!m_seen.emplace(e.event_id, e.timestamp).second) continue;
    out.push_back(e);
  }
  for (const LogEvent& e : out) m_since = std::max(m_since, e.timestamp);
  std::erase_if(m_seen, [this](const auto& entry) { return entry.second < m_since; });
  return out;
}

}  // namespace stratus::remote
