#pragma once
// `stratus logs -f FN` against a remote platform: CloudWatch Logs FilterLogEvents (JSON 1.1,
// X-Amz-Target Logs_20140328.FilterLogEvents) on the function's log group /aws/lambda/<name>,
// every page (nextToken), and the pieces `--tail` follows with. AWS, moto and `stratus serve`
// answer the same call. The pure parts (times, requests, pages, lines) are separate from the
// calls so they are tested without a server.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cli/providers/aws/client.hpp"

namespace stratus::remote {

// --startTime: a span back from now ("30s", "10m", "2h", "1d"), a UTC time
// ("2026-11-23T10:00:00Z", "2026-11-23"), or Unix epoch milliseconds ("1763892000000").
// Returns Unix ms; throws UserError (exit 2) naming the flag and the forms it takes.
std::int64_t parse_start_time(const std::string& text, std::int64_t now_unix_ms);

struct LogEvent {
  std::int64_t timestamp = 0;  // Unix ms
  std::string message;         // as logged (Lambda's lines end in '\n')
  std::string log_stream_name;
  std::string event_id;
  std::int64_t ingestion_time = 0;
};

struct FilterQuery {
  std::string log_group;  // "/aws/lambda/<deployed name>"
  std::optional<std::int64_t> start_time;
  std::optional<std::int64_t> end_time;
  std::string filter_pattern;  // "" = every event
};

aws::Request filter_request(const FilterQuery& query, const std::string& next_token);

struct FilterPage {
  std::vector<LogEvent> events;
  std::string next_token;  // "" on the last page
};
// Reads a FilterLogEvents answer; throws UserError (exit 1) when it is not the JSON it should be.
FilterPage read_filter_page(const std::string& body);

// Every event of the query, page after page (a token seen twice ends the walk, so a server that
// repeats itself cannot loop us). Throws UserError (exit 1) for a failed call; a log group that
// does not exist is said so, with `function_label` ("hello (app-dev-hello)") and the likely cause.
// `on_page(pages, events)` (optional) is called after each page with the counts so far.
std::vector<LogEvent> filter_all(aws::Client& client, const FilterQuery& query,
                                 const std::string& function_label,
                                 const std::function<void(std::size_t, std::size_t)>& on_page = {});

// One line as `sls logs` prints it: the ISO time (ms, UTC), a space, the message without its
// trailing newline. `dim` wraps the platform lines (START, END, REPORT) when colour is on.
std::string format_event(const LogEvent& event, bool color);
// --json: {"timestamp","message","logStreamName","eventId"} on one line.
std::string event_json(const LogEvent& event);

// What --tail has shown: the newest timestamp, where the next poll starts, and the ids of the
// events at that timestamp, so an event returned twice (each poll starts at the last timestamp
// seen, inclusive) is printed once. Only the last millisecond's ids are kept.
class TailCursor {
 public:
  explicit TailCursor(std::int64_t start_ms) : m_since(start_ms) {}
  // The events not seen before, in order; remembers them.
  std::vector<LogEvent> fresh(const std::vector<LogEvent>& events);
  std::int64_t since() const { return m_since; }

 private:
  std::int64_t m_since;
  std::map<std::string, std::int64_t> m_seen;  // event id -> timestamp, for timestamps >= m_since
};

}  // namespace stratus::remote
