// stratus trigger: send an event to a running `stratus offline`, as the real trigger would.
//   stratus trigger schedule NAME   fires the schedule rule NAME now (POST
//                                   /_stratus/schedules/NAME/fire on offline's Lambda port)
// Which offline: --endpoint URL, else --lambda-port P on 127.0.0.1, else the one whose
// .stratus/offline.json is in the current directory (written at its start, so a --lambda-port 0 is
// found too), else 127.0.0.1:3002, offline's default.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli/commands/commands.hpp"
#include "cli/context.hpp"
#include "cli/errors.hpp"
#include "emulator/net/http_client.hpp"
#include "emulator/net/http_wire.hpp"

namespace stratus {

namespace {

struct TriggerOptions {
  std::string name;
  int lambda_port = -1;
  std::string endpoint;
};

struct Target {
  std::string host = "127.0.0.1";
  int port = 3002;
};

// "http://127.0.0.1:3002" (a trailing '/' allowed); nullopt for anything else.
std::optional<Target> parse_endpoint(std::string url) {
  if (url.rfind("http://", 0) != 0) return std::nullopt;
  url = url.substr(7);
  if (!url.empty() && url.back() == '/') url.pop_back();
  const auto colon = url.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == url.size()) return std::nullopt;
  Target t;
  t.host = url.substr(0, colon);
  const std::string port = url.substr(colon + 1);
  if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  t.port = std::stoi(port);
  if (t.port < 1 || t.port > 65535) return std::nullopt;
  return t;
}

bool process_alive(long long pid) {
  return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM);
}

// The running offline's Lambda endpoint from .stratus/offline.json; nullopt when there is no such
// file, or it is left over from an offline that is gone.
std::optional<Target> from_run_file(const std::filesystem::path& dir) {
  std::ifstream in(dir / ".stratus" / "offline.json");
  if (!in) return std::nullopt;
  const auto doc = nlohmann::json::parse(in, nullptr, false);
  if (!doc.is_object() || !doc.contains("pid") || !doc["pid"].is_number_integer() ||
      !process_alive(doc["pid"].get<long long>()) || !doc.contains("lambdaEndpoint") ||
      !doc["lambdaEndpoint"].is_string())
    return std::nullopt;
  return parse_endpoint(doc["lambdaEndpoint"].get<std::string>());
}

void run_trigger_schedule(Context& ctx, const TriggerOptions& o) {
  Target target;
  if (!o.endpoint.empty()) {
    auto parsed = parse_endpoint(o.endpoint);
    if (!parsed)
      throw UserError("--endpoint " + o.endpoint + ": expected http://HOST:PORT, e.g. http://127.0.0.1:3002");
    target = *parsed;
  } else if (o.lambda_port > 0) {
    target.port = o.lambda_port;
  } else if (auto found = from_run_file(ctx.cwd())) {
    target = *found;
  }
  const std::string where = target.host + ":" + std::to_string(target.port);
  const std::string path = "/_stratus/schedules/" + o.name + "/fire";
  const net::ClientResult result = net::http_request(target.host, target.port, "POST", path, "");
  if (!result.connected)
    throw UserError("no stratus offline on " + where + "; start it or pass --lambda-port", kExitFailure);
  if (!result.response)
    throw UserError("stratus offline on " + where + " did not answer: " + result.error, kExitFailure);
  const auto body = nlohmann::json::parse(result.response->body, nullptr, false);
  const int status = result.response->status;
  if (status == 404 && body.is_object() && body.contains("schedules")) {
    std::string known;
    for (const auto& n : body["schedules"]) known += (known.empty() ? "" : ", ") + n.get<std::string>();
    throw UserError("no schedule named '" + o.name + "' in stratus offline on " + where +
                    (known.empty() ? "; it has no schedules" : "; its schedules: " + known));
  }
  if (status != 202 || !body.is_object())
    throw UserError(
        "stratus offline on " + where + " answered " + std::to_string(status) + ": " + result.response->body,
        kExitFailure);
  if (ctx.options.json) {
    ctx.out().data(body.dump() + "\n");
  } else {
    ctx.out().data("fired schedule " + body.value("schedule", o.name) + " -> " + body.value("function", "") +
                   " (request id " + body.value("requestId", "") + ")\n");
  }
  ctx.exit_code = kExitOk;
}

}  // namespace

void register_trigger(CLI::App& app, Context& ctx) {
  auto* trigger =
      app.add_subcommand("trigger", "Send an event to a running stratus offline (trigger schedule NAME)");
  trigger->require_subcommand(1);
  auto o = std::make_shared<TriggerOptions>();
  auto* schedule = trigger->add_subcommand("schedule", "Fire a schedule rule now, as EventBridge would");
  schedule->add_option("name", o->name, "The rule's name, as stratus offline lists it")->required();
  auto* port =
      schedule->add_option("--lambda-port", o->lambda_port,
                           "Lambda port of the offline (default: from .stratus/offline.json, else 3002)");
  port->check(CLI::Range(1, 65535));
  schedule->add_option("--endpoint", o->endpoint, "The offline's Lambda endpoint, e.g. http://127.0.0.1:3002")
      ->excludes(port);
  schedule->callback([&ctx, o] { run_trigger_schedule(ctx, *o); });
}

}  // namespace stratus
