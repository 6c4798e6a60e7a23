// stratus offline: the service's functions behind the Lambda Invoke API on --lambda-port, each
// invocation through a pool of real runtime processes, logs printed live and stored, every
// invocation metered; SQS and S3 (and the Invoke API again) on one AWS endpoint, --aws-port, with
// the service's queues and buckets, its `sqs` event source mappings and `s3` notifications; API
// Gateway on --http-port (`http`, `httpApi` and `url` events), when the service has such events.
// The service's `schedule` events fire on their rate/cron (UTC); POST /_stratus/schedules/NAME/fire on
// the Lambda port (what `stratus trigger schedule` calls) fires one now. While it runs,
// .stratus/offline.json tells `stratus trigger` where the endpoints are.
// Everything runs in a run::OfflineSession; this file reads the options and prints the banner.
// Ctrl-C (or SIGTERM) drains what is in flight and exits cleanly.
#include <pthread.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/commands/commands.hpp"
#include "cli/context.hpp"
#include "cli/errors.hpp"
#include "cli/manifest/manifest.hpp"
#include "cli/run/hot_reload.hpp"
#include "cli/run/offline_session.hpp"
#include "cli/run/run_options.hpp"
#include "emulator/common/utc_time.hpp"

namespace stratus {

namespace {

struct OfflineOptions {
  std::string host;
  int lambda_port = -1;  // -1: custom.serverless-offline.lambdaPort, else 3002
  int aws_port = 4566;
  int http_port = -1;            // -1: custom.serverless-offline.httpPort, else 3000
  bool aws_endpoint_env = true;  // AWS_ENDPOINT_URL for the functions
  bool json_logs = false;        // one JSON object per log line
  bool reload = true;            // hot reload (--no-reload: off)
  run::RunOptions run;
};

// serverless-offline's settings in the manifest (custom.serverless-offline), where we share them.
void apply_manifest_settings(const manifest::Service& service, OfflineOptions& o) {
  const manifest::Value* so = service.custom.find("serverless-offline");
  if (!so || !so->is_map()) return;
  if (const auto* host = so->find("host"); host && host->is_string() && o.host.empty())
    o.host = host->as_string();
  if (const auto* port = so->find("lambdaPort"); port && port->is_number() && o.lambda_port < 0)
    o.lambda_port = static_cast<int>(port->as_int());
  if (const auto* port = so->find("httpPort"); port && port->is_number() && o.http_port < 0)
    o.http_port = static_cast<int>(port->as_int());
}

// SIGINT/SIGTERM are blocked in every thread (the engine's included) and taken here, synchronously.
int wait_for_signal(const sigset_t& set) {
  int sig = 0;
  sigwait(&set, &sig);
  return sig;
}

std::string next_text(const triggers::schedule::RuleStatus& r) {
  if (!r.enabled) return "disabled";
  return r.next ? format_iso8601(*r.next) : "never";
}

const char* api_name(triggers::http::ApiKind kind) {
  switch (kind) {
    case triggers::http::ApiKind::rest: return "rest";
    case triggers::http::ApiKind::http_api: return "httpApi";
    case triggers::http::ApiKind::function_url: return "functionUrl";
  }
  return "";
}

std::string method_text(const triggers::http::RouteSpec& r) {
  return r.method == "*" ? "ANY" : r.method;
}

void print_banner(Context& ctx, const run::OfflineSession& session) {
  const auto& service = ctx.manifest().service;
  const auto& sources = session.sources();
  const auto& functions = session.configs().functions;
  const auto schedules = session.schedules();
  if (ctx.options.json) {
    nlohmann::json banner = {
        {"service", service.name},
        {"stage", service.provider.stage},
        {"region", service.provider.region},
        {"lambdaEndpoint", session.lambda_url()},
        {"awsEndpoint", session.aws_url()},
        {"httpEndpoint", session.http_url().empty() ? nlohmann::json() : nlohmann::json(session.http_url())},
        {"routes", nlohmann::json::array()},
        {"queues", nlohmann::json::array()},
        {"buckets", sources.buckets},
        {"functions", nlohmann::json::array()},
        {"schedules", nlohmann::json::array()}};
    for (const auto& q : sources.queues) banner["queues"].push_back(q.name);
    for (const auto& f : functions)
      banner["functions"].push_back(
          {{"name", f.short_name}, {"deployedName", f.name}, {"runtime", f.runtime}});
    if (const auto* table = session.http_routes())
      for (const auto& r : table->routes())
        banner["routes"].push_back({{"api", api_name(r.kind)},
                                    {"method", method_text(r)},
                                    {"path", table->url_path(r)},
                                    {"url", session.http_url() + table->url_path(r)},
                                    {"routeKey", triggers::http::RouteTable::route_key(r)},
                                    {"function", r.display_name}});
    for (const auto& r : schedules)
      banner["schedules"].push_back(
          {{"name", r.name},
           {"function", r.function},
           {"expression", r.expression},
           {"enabled", r.enabled},
           {"next", r.next ? nlohmann::json(format_iso8601(*r.next)) : nlohmann::json()}});
    ctx.out().data(banner.dump() + "\n");
    std::fflush(stdout);
    return;
  }
  auto& out = ctx.out();
  const std::string& invoke_url = session.lambda_url();
  const std::string& aws_url = session.aws_url();
  out.info(out.bold("stratus offline") + ": " + service.name + " (stage " + service.provider.stage +
           ", region " + service.provider.region + ")");
  out.info("  Lambda Invoke API   " + invoke_url + "   (aws lambda invoke --endpoint-url " + invoke_url +
           " ...)");
  out.info("  AWS endpoint        " + aws_url + "   (SQS, S3, Lambda: AWS_ENDPOINT_URL=" + aws_url + ")");
  if (const auto* table = session.http_routes()) {
    out.info("  API Gateway         " + session.http_url() + "   (" + std::to_string(table->routes().size()) +
             (table->routes().size() == 1 ? " route)" : " routes)"));
    for (const auto& r : table->routes())
      out.info("  " + out.dim(api_name(r.kind)) +
               std::string(12 - std::string(api_name(r.kind)).size(), ' ') + method_text(r) + " " +
               session.http_url() + table->url_path(r) + " -> " + r.display_name);
  }
  for (const auto& q : sources.queues)
    out.info("  " + out.dim("queue   ") + q.name + "   " + out.dim(aws_url + "/000000000000/" + q.name));
  for (const auto& b : sources.buckets)
    out.info("  " + out.dim("bucket  ") + b + "   " + out.dim(aws_url + "/" + b));
  for (const auto& f : functions)
    out.info("  " + out.green(f.short_name) + "  " +
             out.dim(f.name + " · " + f.runtime + " · " + std::to_string(f.memory_mb) + " MB · " +
                     std::to_string(f.timeout_s) + " s"));
  for (const auto& r : schedules)
    out.info("  " + out.dim("schedule") + " " + r.name + "   " + r.expression + " -> " + r.function + "   " +
             out.dim("next " + next_text(r) + " · stratus trigger schedule " + r.name));
  out.info(out.dim("Ctrl-C to stop."));
}

void run_offline(Context& ctx, OfflineOptions o) {
  const auto& m = ctx.manifest();
  apply_manifest_settings(m.service, o);
  run::OfflineSettings settings;
  settings.host = o.host.empty() ? "127.0.0.1" : o.host;
  settings.lambda_port = o.lambda_port < 0 ? 3002 : o.lambda_port;
  settings.aws_port = o.aws_port;
  settings.http_port = o.http_port < 0 ? 3000 : o.http_port;
  settings.aws_endpoint_env = o.aws_endpoint_env;
  settings.json_logs = o.json_logs;
  settings.color = ctx.out().color();
  settings.account_id = ctx.load_options().account_id;
  settings.run = o.run;

  // Block the stop signals before any thread starts, so they all inherit the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  run::OfflineSession session(m.service, std::move(settings),
                              [&ctx](const std::string& w) { ctx.out().warning(w); });
  session.start();
  auto hot_reload = o.reload ? run::start_hot_reload(session.engine(), ctx.out()) : nullptr;
  print_banner(ctx, session);

  const int sig = wait_for_signal(stop_signals);
  ctx.out().info(std::string("stratus offline: ") + (sig == SIGINT ? "interrupted" : "terminated") +
                 ", draining invocations in flight");
  hot_reload.reset();
  session.stop();
  ctx.exit_code = kExitOk;
}

}  // namespace

void register_offline(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<OfflineOptions>();
  auto* cmd = app.add_subcommand(
      "offline",
      "Serve the functions locally: API Gateway on --http-port, the Lambda Invoke API on --lambda-port");
  cmd->add_option("--host", o->host, "Address to listen on (default: 127.0.0.1)");
  cmd->add_option("--lambda-port", o->lambda_port, "Port of the Lambda Invoke API (default: 3002)")
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--aws-port", o->aws_port,
                  "Port of the AWS endpoint: SQS, S3 and the Invoke API (default: 4566)")
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--http-port", o->http_port,
                  "Port of the API Gateway routes: http, httpApi and url events (default: 3000)")
      ->check(CLI::Range(0, 65535));
  cmd->add_flag("--json-logs", o->json_logs,
                "Function logs as one JSON object per line (time, function, requestId, stream, message)");
  cmd->add_flag("!--no-aws-endpoint-env", o->aws_endpoint_env,
                "Do not point the functions' AWS SDKs at the AWS endpoint (AWS_ENDPOINT_URL)");
  cmd->add_flag("!--no-reload", o->reload, "Do not restart a function's instances when its files change");
  run::add_run_options(*cmd, o->run, true);
  cmd->callback([&ctx, o] { run_offline(ctx, *o); });
}

}  // namespace stratus
