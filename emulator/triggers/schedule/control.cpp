#include "emulator/triggers/schedule/control.hpp"

#include <nlohmann/json.hpp>

namespace stratus::triggers::schedule {

namespace {

net::Response json_response(int status, const nlohmann::ordered_json& body) {
  net::Response res;
  res.status = status;
  res.body = body.dump();
  return res;
}

}  // namespace

std::optional<net::Response> handle_control(Scheduler& scheduler, const net::Request& request) {
  const std::string_view path = request.path;
  if (!path.starts_with(kControlPrefix)) return std::nullopt;
  constexpr std::string_view prefix = "/_stratus/schedules/";
  constexpr std::string_view suffix = "/fire";
  if (!path.starts_with(prefix) || !path.ends_with(suffix) || path.size() <= prefix.size() + suffix.size())
    return json_response(404, {{"message", "unknown control path " + request.path +
                                               "; POST /_stratus/schedules/{name}/fire fires a schedule"}});
  if (request.method != "POST")
    return json_response(405, {{"message", "use POST to fire a schedule (got " + request.method + ")"}});
  const std::string name = net::wire::percent_decode(
      path.substr(prefix.size(), path.size() - prefix.size() - suffix.size()), false);
  const auto id = scheduler.fire_now(name);
  if (!id)
    return json_response(404,
                         {{"message", "no schedule named '" + name + "'"}, {"schedules", scheduler.names()}});
  std::string function;
  for (const auto& rule : scheduler.rules())
    if (rule.name == name) function = rule.function;
  return json_response(202, {{"schedule", name}, {"function", function}, {"requestId", *id}});
}

}  // namespace stratus::triggers::schedule
