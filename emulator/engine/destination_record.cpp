#include "emulator/engine/destination_record.hpp"

#include <nlohmann/json.hpp>

#include "emulator/common/utc_time.hpp"

namespace stratus::engine {

namespace {

using Json = nlohmann::ordered_json;

Json embed(const std::string& payload) {
  Json parsed = Json::parse(payload, nullptr, false);
  return parsed.is_discarded() ? Json(payload) : parsed;
}

}  // namespace

const char* condition_name(AsyncOutcome::Condition condition) {
  switch (condition) {
    case AsyncOutcome::Condition::success: return "Success";
    case AsyncOutcome::Condition::retries_exhausted: return "RetriesExhausted";
    case AsyncOutcome::Condition::event_age_exceeded: break;
  }
  return "EventAgeExceeded";
}

std::string destination_record(const AsyncOutcome& outcome, const std::string& function_arn) {
  Json record;
  record["version"] = "1.0";
  record["timestamp"] = format_iso_ms(outcome.unix_ms);
  record["requestContext"] = {{"requestId", outcome.request_id},
                              {"functionArn", function_arn + ":$LATEST"},
                              {"condition", condition_name(outcome.condition)},
                              {"approximateInvokeCount", outcome.attempts}};
  record["requestPayload"] = embed(outcome.payload);
  if (outcome.attempts > 0) {
    Json context = {{"statusCode", 200}, {"executedVersion", outcome.last.executed_version}};
    if (outcome.last.status == InvokeStatus::function_error)
      context["functionError"] =
          outcome.last.function_error_type.empty() ? "Unhandled" : outcome.last.function_error_type;
    record["responseContext"] = context;
    record["responsePayload"] = outcome.last.payload.empty() ? Json() : embed(outcome.last.payload);
  }
  return record.dump();
}

}  // namespace stratus::engine
