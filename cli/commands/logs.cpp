// stratus logs -f FN: the deployed function's logs from the remote platform (CloudWatch Logs on
// AWS, moto, or a `stratus serve` platform), like `sls logs`: one line per event, oldest first;
// --tail follows until Ctrl-C (which ends it with exit 0).
#include "cli/remote/logs.hpp"

#include <signal.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <thread>

#include "cli/commands/commands.hpp"
#include "cli/commands/remote_output.hpp"
#include "cli/context.hpp"
#include "cli/deploy/remote.hpp"
#include "cli/errors.hpp"
#include "cli/manifest/diagnostics.hpp"
#include "cli/manifest/manifest.hpp"
#include "cli/ui/progress.hpp"
#include "emulator/common/json_writer.hpp"

namespace stratus {

namespace {

struct LogsOptions {
  std::string function;
  bool tail = false;
  std::string start_time = "10m";  // sls's default: the last ten minutes
  std::string filter;
  int interval_ms = 1000;
  deploy::RemoteFlags remote;
};

std::atomic<bool> g_stop{false};

// The status lines' tasks.
constexpr const char* kTask = "fetching logs";
constexpr const char* kWaiting = "waiting for new events";

extern "C" void on_stop_signal(int) {
  g_stop.store(true);
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Without --tail, --json prints one document: {"function", "name", "logGroup", "events": [...]}.
std::string events_document(const manifest::Function& fn, const std::string& log_group,
                            const std::vector<remote::LogEvent>& events) {
  JsonWriter w;
  w.begin_object().key("function").value(fn.key).key("name").value(fn.name).key("logGroup").value(log_group);
  w.key("events").begin_array();
  for (const remote::LogEvent& e : events) w.raw(remote::event_json(e));
  w.end_array().end_object();
  return w.take() + "\n";
}

void print_events(Context& ctx, const std::vector<remote::LogEvent>& events) {
  std::string text;
  for (const remote::LogEvent& e : events)
    text += (ctx.options.json ? remote::event_json(e) : remote::format_event(e, ctx.out().color())) + "\n";
  ctx.out().data(text);
  std::fflush(stdout);
}

// Sleeps `ms` in short steps, returning early once a stop signal came; the status line's spinner
// moves meanwhile.
void wait_interval(int ms, ui::ProgressDisplay& status) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (!g_stop.load() && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    status.tick();
  }
}

// Every event of the query, with "fetching logs: page N, M events" on the status line meanwhile;
// the line is erased before this returns (or throws), so what prints next starts on a clean line.
std::vector<remote::LogEvent> fetch(aws::Client& client, const remote::FilterQuery& query,
                                    const std::string& label, ui::ProgressDisplay& status) {
  struct Erase {
    ui::ProgressDisplay& status;
    ~Erase() { status.end(kTask, ""); }
  } erase{status};
  status.begin(kTask, 0);
  return remote::filter_all(client, query, label, [&status](std::size_t pages, std::size_t events) {
    status.detail(kTask, "page " + std::to_string(pages) + ", " + std::to_string(events) + " event" +
                             (events == 1 ? "" : "s"));
  });
}

void run_logs(Context& ctx, const LogsOptions& o) {
  // Recipe: the function's log group, the start time, the platform, then every page once, or (with
  // --tail) poll from the newest event seen until a signal.
  const auto& m = ctx.manifest();
  const manifest::Function* fn = m.service.find_function(o.function);
  if (!fn) {
    std::vector<std::string> keys;
    for (const auto& f : m.service.functions) keys.push_back(f.key);
    throw UserError("function '" + o.function + "' is not in " + m.service.config_file.filename().string() +
                    manifest::did_you_mean_suffix(o.function, keys));
  }
  if (o.interval_ms < 100) throw UserError("--interval must be at least 100 (milliseconds)");
  remote::FilterQuery query;
  query.log_group = "/aws/lambda/" + fn->name;
  query.start_time = remote::parse_start_time(o.start_time, now_ms());
  query.filter_pattern = o.filter;
  const std::string label = fn->key + " (" + fn->name + ")";

  aws::ClientOptions client_options;
  if (o.tail) client_options.retry.max_attempts = 2;  // the next poll is the retry
  deploy::Remote target = deploy::connect_remote(m.service, ctx.options, o.remote, client_options);
  ctx.out().verbose("logs of " + query.log_group + " on " +
                    (target.endpoint.empty() ? "AWS" : target.endpoint) +
                    " (credentials: " + target.credentials_source + ")");

  ui::ProgressDisplay status(stderr, commands::status_style(ctx), "", "");
  if (!o.tail) {
    const std::vector<remote::LogEvent> events = fetch(*target.client, query, label, status);
    if (ctx.options.json)
      ctx.out().data(events_document(*fn, query.log_group, events));
    else
      print_events(ctx, events);
    ctx.exit_code = kExitOk;
    return;
  }

  // Ctrl-C and SIGTERM only set a flag: the poll in flight finishes, then the loop ends.
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  remote::TailCursor cursor(*query.start_time);
  // The status line is erased before each batch of events prints and drawn again after, so it
  // never shares a line with them.
  while (!g_stop.load()) {
    query.start_time = cursor.since();
    try {
      print_events(ctx, cursor.fresh(fetch(*target.client, query, label, status)));
    } catch (const UserError&) {
      if (g_stop.load()) break;  // the signal interrupted the call
      throw;
    }
    status.begin(kWaiting, 0);
    wait_interval(o.interval_ms, status);
    status.end(kWaiting, "");
  }
  ctx.exit_code = kExitOk;
}

}  // namespace

void register_logs(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<LogsOptions>();
  auto* cmd = app.add_subcommand(
      "logs", "Print a deployed function's logs (CloudWatch Logs on AWS, or a `stratus serve` platform)");
  cmd->add_option("-f,--function", o->function, "Function key in serverless.yml")->required();
  cmd->add_flag("-t,--tail", o->tail,
                "Keep printing new events until Ctrl-C (with --json: one object a line)");
  cmd->add_option(
      "--startTime", o->start_time,
      "From when: 30s, 10m, 2h, 1d back, a UTC time (2026-11-23T10:00:00Z) or epoch ms (default: 10m)");
  cmd->add_option("--filter", o->filter, "A CloudWatch Logs filter pattern: terms, \"quoted phrases\"");
  cmd->add_option("-i,--interval", o->interval_ms, "With --tail: milliseconds between polls (default: 1000)");
  deploy::add_remote_flags(*cmd, o->remote);
  cmd->callback([&ctx, o] { run_logs(ctx, *o); });
}

}  // namespace stratus
