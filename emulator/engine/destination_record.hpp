#pragma once
// The invocation record Lambda sends to an asynchronous invocation's destination (onSuccess,
// onFailure; AWS "Capturing records of Lambda asynchronous invocations"):
//   {"version":"1.0","timestamp":"…Z","requestContext":{"requestId","functionArn","condition",
//    "approximateInvokeCount"},"requestPayload":…,"responseContext":{"statusCode","executedVersion",
//    "functionError"},"responsePayload":…}
// condition is Success, RetriesExhausted or EventAgeExceeded. Payloads that are JSON are embedded
// as JSON, others as strings.
#include <string>

#include "emulator/engine/async_queue.hpp"

namespace stratus::engine {

std::string destination_record(const AsyncOutcome& outcome, const std::string& function_arn);

const char* condition_name(AsyncOutcome::Condition condition);

}  // namespace stratus::engine
