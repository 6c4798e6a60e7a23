// stratus invoke local: one cold invocation of a function through the real Runtime API, like
// `sls invoke local`: the result on stdout, the function's logs and the REPORT line on stderr,
// exit 1 when the function failed.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "cli/commands/commands.hpp"
#include "cli/context.hpp"
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

struct InvokeLocalOptions {
  std::string function;
  std::string data;
  std::string path;
  std::string context;
  bool raw = false;
  run::RunOptions run;
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

std::string read_event(const InvokeLocalOptions& o, const std::filesystem::path& cwd) {
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

void run_invoke_local(Context& ctx, const InvokeLocalOptions& o) {
  const auto& m = ctx.manifest();
  const manifest::Function* fn = m.service.find_function(o.function);
  if (!fn) {
    std::vector<std::string> keys;
    for (const auto& f : m.service.functions) keys.push_back(f.key);
    throw UserError("function '" + o.function + "' is not in " + m.service.config_file.filename().string() +
                    manifest::did_you_mean_suffix(o.function, keys));
  }
  const std::string event = read_event(o, ctx.cwd());
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
  auto* invoke = app.add_subcommand("invoke", "Invoke a function (invoke local: on this machine)");
  invoke->require_subcommand(1);
  auto o = std::make_shared<InvokeLocalOptions>();
  auto* local =
      invoke->add_subcommand("local", "Run one invocation on this machine through the Lambda Runtime API");
  local->add_option("-f,--function", o->function, "Function key in serverless.yml")->required();
  local->add_option("-d,--data", o->data, "Event: JSON (a non-JSON value is sent as a string)");
  local->add_option("-p,--path", o->path,
                    "Event from a JSON or YAML file (default: stdin when piped, else {})");
  local->add_option("--context", o->context, "Client context (JSON), as context.clientContext");
  local->add_flag("--raw", o->raw, "Send the data as a JSON string, unparsed");
  run::add_run_options(*local, o->run, false);
  local->callback([&ctx, o] { run_invoke_local(ctx, *o); });
}

}  // namespace stratus
