#pragma once
// What the remote commands (deploy, remove, info) print alike: where calls go, the steps of a plan
// as they are applied (a progress line on a TTY, one plain line each otherwise), lists in --json.
#include <chrono>
#include <string>
#include <vector>

#include "cli/deploy/plan.hpp"
#include "cli/ui/progress.hpp"

namespace stratus {
class Context;
class JsonWriter;
namespace deploy {
struct Remote;
}
}  // namespace stratus

namespace stratus::commands {

// Milliseconds since `t0`.
double ms_since(std::chrono::steady_clock::time_point t0);

// "AWS", "http://127.0.0.1:9000 (stratus serve)", or the endpoint calls go to.
std::string where_to(const deploy::Remote& remote);

// Applies `plan` (deploy::apply), showing each step; `applied` gets each action's words as it ends.
// Under --json nothing is shown on stderr.
void apply_with_progress(Context& ctx, const deploy::Plan& plan, std::vector<std::string>& applied);

// The style of a status line while a command waits on the network (info, invoke, logs): drawn on a
// terminal; nothing with --json, with --verbose (which prints each call instead) or off a terminal.
ui::ProgressStyle status_style(Context& ctx);

// "endpoints": [{kind, function, description, url}] into an open object.
void write_endpoints(JsonWriter& w, const std::vector<deploy::Endpoint>& endpoints);

// "endpoints:\n  httpApi GET /users - https://… (fn)\n…", or "" when there are none.
std::string endpoint_lines(const std::vector<deploy::Endpoint>& endpoints);

// "name": ["a", "b"] into an open object.
void write_strings(JsonWriter& w, const char* name, const std::vector<std::string>& items);

}  // namespace stratus::commands
