// stratus invoke -f FN: one invocation of the deployed function on the remote platform (AWS Lambda
// or `stratus serve`, see cli/deploy/remote.hpp), like `sls invoke`.
// stratus invoke local: one cold invocation of a function through the real Runtime API, like
// `sls invoke local`.
// Both: the result on stdout, logs on stderr, exit 1 when the function failed.
#include "cli/remote/invoke.hpp"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "cli/commands/commands.hpp"
#include "cli/commands/remote_output.hpp"
#include "cli/context.hpp"
#include "cli/deploy/remote.hpp"
#include "cli/errors.hpp"
#include "cli/manifest/diagnostics.hpp"
#include "cli/manifest/emit.hpp"
#include "cli/manifest/load.hpp"
#include "cli/manifest/manifest.hpp"
#include "cli/run/console_sink.hpp"
#include "cli/run/function_configs.hpp"
#include "cli/run/run_options.hpp"
#include "emulator/engine/engine.hpp"
#include "emulator/store/store.hpp"

namespace stratus {

namespace {

// Where the event comes from: --data, --path, or stdin.
struct EventOptions {
  std::string data;
  std::string path;
  bool raw = false;
};

struct InvokeLocalOptions {
  std::string function;
  EventOptions event;
  std::string context;
  run::RunOptions run;
};

struct InvokeRemoteOptions {
  std::string function;
  EventOptions event;
  std::string type = "RequestResponse";
  bool log = false;
  std::string qualifier;
  deploy::RemoteFlags remote;
};

// Records the invocation's ledger row for --json.
class LastRow : public engine::Sink {
 public:
  void log(const logs::LogRecord&) override {}
  void ledger(const billing::LedgerRow& row) override { last = row; }
  std::optional<billing::LedgerRow> last;
};

std::string read_stream(std::istream& in) {
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// nlohmann's message for text that does not parse, e.g. "[json.exception.parse_error.101] ...".
std::string json_error(const std::string& text) {
  try {
    auto parsed = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    return e.what();
  }
  return "";
}

// The event bytes: JSON as given; anything else (or everything, with --raw) as a JSON string,
// as sls does.
std::string event_payload(const std::string& text, bool raw, const std::string& where) {
  if (!raw) {
    if (nlohmann::json::accept(text)) return text;
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first != std::string::npos && (text[first] == '{' || text[first] == '['))
      throw UserError(where + " looks like JSON but does not parse: " + json_error(text) +
                      "\n  (fix it, or pass --raw to send it as a string)");
  }
  return nlohmann::json(text).dump();
}

std::string read_event(const EventOptions& o, const std::filesystem::path& cwd) {
  if (!o.data.empty() && !o.path.empty()) throw UserError("give either --data or --path, not both");
  if (!o.data.empty()) return event_payload(o.data, o.raw, "--data");
  if (!o.path.empty()) {
    std::filesystem::path file = o.path;
    if (file.is_relative()) file = cwd / file;
    std::ifstream in(file, std::ios::binary);
    if (!in) throw UserError("--path: cannot read " + o.path + ": no such file");
    const std::string text = read_stream(in);
    const std::string ext = file.extension().string();
    if (!o.raw && (ext == ".yml" || ext == ".yaml")) {
      manifest::Sources sources;
      manifest::Diagnostics diags;
      manifest::Value doc = manifest::parse_document(text, o.path, sources, diags);
      if (diags.has_errors()) throw UserError(diags.sorted(), sources);
      return manifest::to_json(doc, -1);
    }
    return event_payload(text, o.raw, "--path " + o.path);
  }
  if (!::isatty(STDIN_FILENO)) {
    const std::string text = read_stream(std::cin);
    if (!text.empty()) return event_payload(text, o.raw, "stdin");
  }
  return "{}";
}

const manifest::Function& find_function(const manifest::Service& service, const std::string& key) {
  const manifest::Function* fn = service.find_function(key);
  if (!fn) {
    std::vector<std::string> keys;
    for (const auto& f : service.functions) keys.push_back(f.key);
    throw UserError("function '" + key + "' is not in " + service.config_file.filename().string() +
                    manifest::did_you_mean_suffix(key, keys));
  }
  return *fn;
}

void run_invoke_remote(Context& ctx, const InvokeRemoteOptions& o) {
  // Recipe: the function's deployed name, the event, the platform, one Invoke call, the answer.
  const auto& m = ctx.manifest();
  const manifest::Function& fn = find_function(m.service, o.function);
  remote::InvokeCall call;
  call.function_name = fn.name;
  call.payload = read_event(o.event, ctx.cwd());
  call.type = o.type;
  call.qualifier = o.qualifier;
  call.tail_log = o.log;
  if (o.log && o.type != "RequestResponse")
    ctx.out().warning("--log needs --type RequestResponse; a " + o.type + " call returns no log");
  deploy::Remote target = deploy::connect_remote(m.service, ctx.options, o.remote);
  ctx.out().verbose("invoke " + fn.name + " on " + (target.endpoint.empty() ? "AWS" : target.endpoint) +
                    " (credentials: " + target.credentials_source + ")");
  aws::Response response;
  {
    // On a terminal: "invoking hello (app-dev-hello)... 1.2s" while the call waits, erased after
    // (also when it throws), before anything else is printed.
    ui::ProgressDisplay status(stderr, commands::status_style(ctx), "invoking", "");
    const std::string task = fn.key + " (" + fn.name + ")";
    status.begin(task, 0);
    ui::StatusTicker ticker(status);
    response = target.client->call("lambda", remote::invoke_request(call));
  }
  if (const auto error = response.error()) throw remote::invoke_error(*error, fn.key, fn.name);
  const remote::InvokeOutcome outcome = remote::read_invoke_response(response);

  if (outcome.log && !ctx.options.json) {
    std::string log = *outcome.log;
    if (!log.empty() && log.back() != '\n') log += '\n';
    std::fputs(log.c_str(), ctx.out().human_stream());
  }
  if (ctx.options.json) {
    ctx.out().data(remote::outcome_json(outcome));
  } else if (o.type == "Event") {
    ctx.out().info("stratus: " + fn.key + " (" + fn.name + ") invoked asynchronously (" +
                   std::to_string(outcome.status_code) + " Accepted)");
  } else if (o.type == "DryRun") {
    ctx.out().info("stratus: DryRun: " + fn.key + " (" + fn.name + ") may be invoked (" +
                   std::to_string(outcome.status_code) + ")");
  } else {
    ctx.out().data(outcome.payload + "\n");
  }
  if (!outcome.function_error.empty() && !ctx.options.json)
    ctx.out().info("stratus: " + fn.key + " (" + fn.name + ") failed: " + outcome.function_error);
  ctx.exit_code = outcome.function_error.empty() ? kExitOk : kExitFailure;
}

void run_invoke_local(Context& ctx, const InvokeLocalOptions& o) {
  const auto& m = ctx.manifest();
  const manifest::Function* fn = &find_function(m.service, o.function);
  const std::string event = read_event(o.event, ctx.cwd());
  std::optional<std::string> client_context;
  if (!o.context.empty()) {
    if (!nlohmann::json::accept(o.context))
      throw UserError("--context must be a JSON object, e.g. --context '{\"custom\":{}}'");
    client_context = o.context;
  }

  auto overrides = run::env_overrides(o.run.env);

  run::FunctionConfigs configs = run::function_configs(m.service, ctx.load_options().account_id);
  std::vector<engine::FunctionConfig> selected;
  for (auto& c : configs.functions)
    if (c.short_name == fn->key) selected.push_back(std::move(c));
  selected.front().provisioned_concurrency = 0;  // one cold invocation
  // Only the warnings that concern this function.
  for (const auto& w : configs.warnings)
    if (w.find("'" + fn->key + "'") != std::string::npos || w.find("(every function)") != std::string::npos)
      ctx.out().warning(w);

  // The log store and ledger (what `stratus billing` reads); declared before the sinks that feed
  // it, so it outlives them and commits on the way out. An unreadable state file costs only the
  // record, not the invocation.
  std::unique_ptr<store::Store> recorder;
  try {
    recorder = std::make_unique<store::Store>(store::stratus_db_path(m.service.dir));
  } catch (const std::runtime_error& e) {
    ctx.out().warning(std::string(e.what()) + "; this invocation is not recorded");
  }
  run::ConsoleSink console(stderr, false, false, {});
  LastRow last;
  console.forward_to(&last);
  if (recorder) console.forward_to(recorder.get());
  engine::EngineSettings settings;
  settings.state_dir = m.service.dir / ".stratus";
  settings.sink = &console;
  settings.host = engine::HostEnv::capture(o.run.inherit_env);
  settings.env_overrides = std::move(overrides);
  std::unique_ptr<engine::Engine> engine;
  try {
    engine = std::make_unique<engine::Engine>(std::move(selected), std::move(settings));
  } catch (const std::runtime_error& e) {
    throw UserError(e.what());
  }
  for (const auto& w : engine->warnings()) ctx.out().warning(w);
  engine->start();
  engine::InvokeRequest request;
  request.payload = event;
  request.client_context = client_context;
  const engine::InvokeResult result = engine->invoke(fn->name, std::move(request));
  engine->stop(std::chrono::milliseconds(0));

  const bool failed = result.status != engine::InvokeStatus::ok;
  if (ctx.options.json) {
    nlohmann::json doc;
    doc["function"] = fn->key;
    doc["requestId"] = result.request_id;
    doc["status"] = result.status == engine::InvokeStatus::ok               ? "ok"
                    : result.status == engine::InvokeStatus::function_error ? "error"
                                                                            : "throttled";
    doc["payload"] = nlohmann::json::accept(result.payload) ? nlohmann::json::parse(result.payload)
                                                            : nlohmann::json(result.payload);
    if (result.status == engine::InvokeStatus::function_error) doc["errorType"] = result.error_type;
    if (result.status == engine::InvokeStatus::throttled) doc["throttleReason"] = result.throttle_reason;
    if (last.last) {
      doc["durationMs"] = last.last->duration_ms;
      doc["billedDurationMs"] = last.last->billed_ms;
      doc["memorySizeMb"] = last.last->memory_mb;
      doc["maxMemoryUsedMb"] = last.last->max_memory_used_mb;
      if (last.last->init_duration_ms) doc["initDurationMs"] = *last.last->init_duration_ms;
    }
    ctx.out().data(doc.dump(2) + "\n");
  } else if (result.status == engine::InvokeStatus::throttled) {
    ctx.out().info("stratus: TooManyRequestsException (" + result.throttle_reason + "): " + fn->key +
                   " has reservedConcurrency " + std::to_string(fn->reserved_concurrency.value_or(0)));
  } else {
    ctx.out().data(result.payload + "\n");
  }
  ctx.exit_code = failed ? kExitFailure : kExitOk;
}

}  // namespace

void register_invoke(CLI::App& app, Context& ctx) {
  auto* invoke = app.add_subcommand(
      "invoke",
      "Invoke a deployed function (AWS or a `stratus serve` platform); invoke local: on this machine");
  invoke->require_subcommand(0, 1);
  auto r = std::make_shared<InvokeRemoteOptions>();
  auto* function = invoke->add_option("-f,--function", r->function, "Function key in serverless.yml");
  invoke->add_option("-d,--data", r->event.data, "Event: JSON (a non-JSON value is sent as a string)");
  invoke->add_option("-p,--path", r->event.path,
                     "Event from a JSON or YAML file (default: stdin when piped, else {})");
  invoke->add_flag("--raw", r->event.raw, "Send the data as a JSON string, unparsed");
  invoke->add_option("-t,--type", r->type, "RequestResponse (default), Event (asynchronous) or DryRun")
      ->check(CLI::IsMember({"RequestResponse", "Event", "DryRun"}));
  invoke->add_flag("-l,--log", r->log, "Print the end of the invocation's log (its last 4 KB) on stderr");
  invoke->add_option("-q,--qualifier", r->qualifier, "A version or alias (default: $LATEST)");
  deploy::add_remote_flags(*invoke, r->remote);
  auto o = std::make_shared<InvokeLocalOptions>();
  auto* local =
      invoke->add_subcommand("local", "Run one invocation on this machine through the Lambda Runtime API");
  local->add_option("-f,--function", o->function, "Function key in serverless.yml")->required();
  local->add_option("-d,--data", o->event.data, "Event: JSON (a non-JSON value is sent as a string)");
  local->add_option("-p,--path", o->event.path,
                    "Event from a JSON or YAML file (default: stdin when piped, else {})");
  local->add_option("--context", o->context, "Client context (JSON), as context.clientContext");
  local->add_flag("--raw", o->event.raw, "Send the data as a JSON string, unparsed");
  run::add_run_options(*local, o->run, false);
  local->callback([&ctx, o] { run_invoke_local(ctx, *o); });
  // Runs after `local`'s callback too: only the remote form when no subcommand was given.
  invoke->callback([&ctx, r, local, function] {
    if (local->parsed()) return;
    if (function->count() == 0)
      throw UserError(
          "stratus invoke needs -f FUNCTION (a function key in serverless.yml), or `invoke local`");
    run_invoke_remote(ctx, *r);
  });
}

}  // namespace stratus
