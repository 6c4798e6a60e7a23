#pragma once
// The local control endpoint that fires a schedule on demand, served on the Lambda Invoke API's port
// beside the Invoke API (AWS has no such call; the /_stratus/ prefix keeps it apart from AWS paths):
//
//   POST /_stratus/schedules/{name}/fire
//     202 {"schedule":NAME,"function":DEPLOYED_NAME,"requestId":ID}  the event is queued
//     404 {"message":"no schedule named 'x'","schedules":[known names]}
//     405 {"message":...}   another method
//   anything else under /_stratus/ -> 404 {"message":...}
#include <optional>

#include "emulator/net/http_server.hpp"
#include "emulator/triggers/schedule/scheduler.hpp"

namespace stratus::triggers::schedule {

inline constexpr const char* kControlPrefix = "/_stratus/";

// The response for a control request, or nullopt when `request` is not one (its path does not start
// with kControlPrefix) and belongs to the Invoke API.
std::optional<net::Response> handle_control(Scheduler& scheduler, const net::Request& request);

}  // namespace stratus::triggers::schedule
