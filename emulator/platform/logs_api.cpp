#include "emulator/platform/logs_api.hpp"

#include <algorithm>
#include <charconv>
#include <limits>
#include <nlohmann/json.hpp>

#include "emulator/common/ids.hpp"
#include "emulator/platform/filter_pattern.hpp"

namespace stratus::platform {

namespace {

using Json = nlohmann::json;
using net::wire::Request;
using net::wire::Response;

constexpr std::string_view kTargetPrefix = "Logs_20140328.";
constexpr std::string_view kGroupPrefix = "/aws/lambda/";
constexpr std::size_t kScanPerPage = 10000;
constexpr std::size_t kChunk = 1000;

Response json_response(const Json& body) {
  Response res;
  res.content_type = "application/x-amz-json-1.1";
  res.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
  res.headers.emplace_back("x-amzn-RequestId", new_request_id());
  return res;
}

Response invalid(const std::string& message) {
  return logs_error(400, "InvalidParameterException", message);
}

// A member that must be an integer when present.
std::optional<Response> read_int(const Json& body, const char* key, std::optional<std::int64_t>& out) {
  if (!body.contains(key) || body[key].is_null()) return std::nullopt;
  if (!body[key].is_number_integer()) return invalid(std::string(key) + " must be an integer");
  out = body[key].get<std::int64_t>();
  return std::nullopt;
}

std::string read_string(const Json& body, const char* key) {
  return body.contains(key) && body[key].is_string() ? body[key].get<std::string>() : "";
}

// The function a group names: "/aws/lambda/<name>", or an ARN "arn:aws:logs:…:log-group:<group>[:*]".
std::string function_of_group(std::string group) {
  if (const auto at = group.find(":log-group:"); group.starts_with("arn:") && at != std::string::npos) {
    group = group.substr(at + 11);
    if (group.ends_with(":*")) group.resize(group.size() - 2);
  }
  if (!group.starts_with(kGroupPrefix)) return "";
  return group.substr(kGroupPrefix.size());
}

// nextToken: "<timestamp>/<id>" of the last event the previous page looked at.
std::optional<LogPosition> parse_token(const std::string& token) {
  const auto slash = token.find('/');
  if (slash == std::string::npos) return std::nullopt;
  LogPosition p;
  const char* end = token.data() + token.size();
  if (std::from_chars(token.data(), token.data() + slash, p.timestamp).ptr != token.data() + slash)
    return std::nullopt;
  if (std::from_chars(token.data() + slash + 1, end, p.id).ptr != end) return std::nullopt;
  return p;
}

Response filter_log_events(const Json& body, const std::string& account_id, LogStore& store) {
  std::string group = read_string(body, "logGroupName");
  if (group.empty()) group = read_string(body, "logGroupIdentifier");
  if (group.empty()) return invalid("Should provide either logGroupName or logGroupIdentifier.");
  std::optional<std::int64_t> start, end, limit;
  if (auto error = read_int(body, "startTime", start)) return *error;
  if (auto error = read_int(body, "endTime", end)) return *error;
  if (auto error = read_int(body, "limit", limit)) return *error;
  if (limit && (*limit < 1 || *limit > 10000))
    return invalid("1 validation error detected: Value '" + std::to_string(*limit) +
                   "' at 'limit' failed to satisfy constraint: Member must have value between 1 and 10000");
  std::string pattern_error;
  const auto pattern = FilterPattern::parse(read_string(body, "filterPattern"), pattern_error);
  if (!pattern) return invalid(pattern_error);
  std::vector<std::string> streams;
  if (body.contains("logStreamNames") && body["logStreamNames"].is_array())
    for (const auto& s : body["logStreamNames"])
      if (s.is_string()) streams.push_back(s.get<std::string>());
  const std::string stream_prefix = read_string(body, "logStreamNamePrefix");
  std::optional<LogPosition> position;
  if (const std::string token = read_string(body, "nextToken"); !token.empty()) {
    position = parse_token(token);
    if (!position) return invalid("The specified nextToken is invalid.");
  }

  const std::string function = function_of_group(group);
  if (function.empty() || !store.has_group(account_id, function))
    return logs_error(400, "ResourceNotFoundException", "The specified log group does not exist.");

  const std::size_t wanted = static_cast<std::size_t>(limit.value_or(10000));
  Json events = Json::array();
  std::size_t scanned = 0;
  bool more = false;
  while (true) {
    const auto rows = store.events(account_id, function, start.value_or(0),
                                   end.value_or(std::numeric_limits<std::int64_t>::max()), position, kChunk);
    for (const StoredEvent& e : rows) {
      position = LogPosition{e.timestamp, e.id};
      ++scanned;
      const bool stream_ok =
          (streams.empty() || std::find(streams.begin(), streams.end(), e.log_stream) != streams.end()) &&
          e.log_stream.starts_with(stream_prefix);
      if (stream_ok && pattern->matches(e.message)) {
        events.push_back({{"logStreamName", e.log_stream},
                          {"timestamp", e.timestamp},
                          {"message", e.message},
                          {"ingestionTime", e.ingestion_time},
                          {"eventId", std::to_string(e.id)}});
      }
      if (events.size() == wanted || scanned == kScanPerPage) break;
    }
    // More may follow when the page stopped early or the chunk was full.
    more = events.size() == wanted || scanned == kScanPerPage || rows.size() == kChunk;
    if (rows.size() < kChunk || events.size() == wanted || scanned == kScanPerPage) break;
  }
  Json answer = {{"events", std::move(events)}, {"searchedLogStreams", Json::array()}};
  if (more && position)
    answer["nextToken"] = std::to_string(position->timestamp) + "/" + std::to_string(position->id);
  return json_response(answer);
}

Response describe_log_groups(const Json& body, const std::string& account_id, const std::string& region,
                             LogStore& store) {
  std::optional<std::int64_t> limit;
  if (auto error = read_int(body, "limit", limit)) return *error;
  if (limit && (*limit < 1 || *limit > 50))
    return invalid("1 validation error detected: Value '" + std::to_string(*limit) +
                   "' at 'limit' failed to satisfy constraint: Member must have value between 1 and 50");
  const std::string prefix = read_string(body, "logGroupNamePrefix");
  const std::string after = read_string(body, "nextToken");
  Json groups = Json::array();
  std::string last;
  bool more = false;
  for (const LogGroupInfo& g : store.groups(account_id)) {
    const std::string name = std::string(kGroupPrefix) + g.function;
    if (!name.starts_with(prefix) || (!after.empty() && name <= after)) continue;
    if (groups.size() == static_cast<std::size_t>(limit.value_or(50))) {
      more = true;
      break;
    }
    const std::string arn = "arn:aws:logs:" + region + ":" + account_id + ":log-group:" + name;
    groups.push_back({{"logGroupName", name},
                      {"creationTime", g.creation_time},
                      {"metricFilterCount", 0},
                      {"arn", arn + ":*"},
                      {"storedBytes", g.stored_bytes},
                      {"logGroupClass", "STANDARD"},
                      {"logGroupArn", arn}});
    last = name;
  }
  Json answer = {{"logGroups", std::move(groups)}};
  if (more) answer["nextToken"] = last;
  return json_response(answer);
}

}  // namespace

Response logs_error(int status, const std::string& code, const std::string& message) {
  Response res = json_response({{"__type", code}, {"message", message}});
  res.status = status;
  return res;
}

Response logs_handle(const Request& request, const std::string& account_id, const std::string& region,
                     LogStore& store) {
  const std::string target = request.header("X-Amz-Target");
  const std::string operation = target.starts_with(kTargetPrefix) ? target.substr(kTargetPrefix.size()) : "";
  if (operation != "FilterLogEvents" && operation != "DescribeLogGroups")
    return logs_error(
        400, "UnknownOperationException",
        operation.empty() ? "Missing or unknown X-Amz-Target" : operation + " is not supported");
  const Json body = Json::parse(request.body.empty() ? std::string("{}") : request.body, nullptr, false);
  if (!body.is_object())
    return logs_error(400, "SerializationException", "The request body is not a JSON object");
  try {
    if (operation == "FilterLogEvents") return filter_log_events(body, account_id, store);
    return describe_log_groups(body, account_id, region, store);
  } catch (const std::runtime_error& e) {
    return logs_error(500, "ServiceUnavailableException", e.what());
  }
}

}  // namespace stratus::platform
