#pragma once
// What a schedule rule's target (a function) receives, as EventBridge builds it (spec 3.6):
//
//   - by default the "Scheduled Event":
//       {"version":"0","id":UUID,"detail-type":"Scheduled Event","source":"aws.events",
//        "account":ACCOUNT,"time":"2026-01-01T00:00:00Z","region":REGION,
//        "resources":["arn:aws:events:REGION:ACCOUNT:rule/NAME"],"detail":{}}
//     in that key order, `time` the scheduled fire time in UTC without fractional seconds;
//   - Input (serverless `input`): that JSON text, verbatim, instead of the event;
//   - InputPath (`inputPath`): the part of the event a JSONPath selects ("$", "$.detail",
//     "$.resources[0]"): dot notation and array indices, as EventBridge's paths are;
//   - InputTransformer (`inputTransformer`): InputPathsMap names values of the event, InputTemplate
//     places them as <name>. A placeholder inside a JSON string of the template ("at <time>") gets the
//     value's raw text (a string without its quotes, escaped to stay inside the string); outside a
//     string, in a JSON template (one starting with '{', '[' or '"'), it gets the value as JSON
//     ("RUNNING" with its quotes); in a plain-text template ("<a> is <b>") strings go in raw.
//     Predefined names: aws.events.rule-arn, aws.events.rule-name, aws.events.event.ingestion-time,
//     aws.events.event (the event without `detail`) and aws.events.event.json (the whole event).
//     A path that selects nothing gives null (an empty string inside a JSON string); a <...> that
//     names no variable stays as written.
// Wildcards in paths ($.resources[*]) are not supported; the Scheduler rejects such rules.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace stratus::triggers::schedule {

struct TargetInput {
  enum class Kind { event, constant, path, transformer };
  Kind kind = Kind::event;
  std::string constant;                                        // Kind::constant: JSON text
  std::string path;                                            // Kind::path
  std::vector<std::pair<std::string, std::string>> paths_map;  // Kind::transformer: name -> path
  std::string input_template;                                  // Kind::transformer
};

// "arn:aws:events:us-east-1:000000000000:rule/my-rule"
std::string rule_arn(const std::string& region, const std::string& account, const std::string& rule);

// The Scheduled Event, keys in EventBridge's order.
nlohmann::ordered_json scheduled_event(const std::string& id, std::int64_t time_unix_s,
                                       const std::string& region, const std::string& account,
                                       const std::string& rule_arn);

// Whether `path` is a JSONPath this file evaluates: "$" then ".name" and "[index]" steps.
bool valid_json_path(std::string_view path);

// The value `path` selects in `doc`; nullopt when it selects nothing (or is not valid).
std::optional<nlohmann::ordered_json> select(const nlohmann::ordered_json& doc, std::string_view path);

// The payload the function gets for `event`, per `input` (see above).
std::string target_payload(const TargetInput& input, const nlohmann::ordered_json& event,
                           const std::string& rule_name);

}  // namespace stratus::triggers::schedule
