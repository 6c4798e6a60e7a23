// stratus offline: the service's functions behind the Lambda Invoke API on --lambda-port, each
// invocation through a pool of real runtime processes, logs printed live and stored, every
// invocation metered; SQS and S3 (and the Invoke API again) on one AWS endpoint, --aws-port, with
// the service's queues and buckets, its `sqs` event source mappings and `s3` notifications.
// The service's `schedule` events fire on their rate/cron (UTC); POST /_stratus/schedules/NAME/fire on
// the Lambda port (what `stratus trigger schedule` calls) fires one now. While it runs,
// .stratus/offline.json tells `stratus trigger` where the endpoints are.
// Ctrl-C (or SIGTERM) drains what is in flight and exits cleanly.
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli/commands/commands.hpp"
#include "cli/context.hpp"
#include "cli/errors.hpp"
#include "cli/manifest/manifest.hpp"
#include "cli/run/console_sink.hpp"
#include "cli/run/event_sources.hpp"
#include "cli/run/function_configs.hpp"
#include "cli/run/hot_reload.hpp"
#include "cli/run/run_options.hpp"
#include "cli/run/schedules.hpp"
#include "emulator/common/utc_time.hpp"
#include "emulator/engine/destination_record.hpp"
#include "emulator/engine/engine.hpp"
#include "emulator/net/http_server.hpp"
#include "emulator/store/database.hpp"
#include "emulator/store/migrations.hpp"
#include "emulator/store/store.hpp"
#include "emulator/triggers/aws_endpoint.hpp"
#include "emulator/triggers/invoke_api/invoke_api.hpp"
#include "emulator/triggers/s3/s3_api.hpp"
#include "emulator/triggers/schedule/control.hpp"
#include "emulator/triggers/sqs/sqs_api.hpp"

namespace stratus {

namespace {

struct OfflineOptions {
  std::string host;
  int lambda_port = -1;  // -1: custom.serverless-offline.lambdaPort, else 3002
  int aws_port = 4566;
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
}

// SIGINT/SIGTERM are blocked in every thread (the engine's included) and taken here, synchronously.
int wait_for_signal(const sigset_t& set) {
  int sig = 0;
  sigwait(&set, &sig);
  return sig;
}

// .stratus/offline.json while offline runs: {pid, lambdaEndpoint, awsEndpoint}, for `stratus trigger`
// (ports chosen with 0 are known only to this process). Written then renamed; removed however
// run_offline ends.
class RunFile {
 public:
  RunFile(std::filesystem::path path, const std::string& lambda_url, const std::string& aws_url)
      : m_path(std::move(path)) {
    const nlohmann::json doc = {{"pid", static_cast<long long>(::getpid())},
                                {"lambdaEndpoint", lambda_url},
                                {"awsEndpoint", aws_url}};
    std::error_code ec;
    std::filesystem::create_directories(m_path.parent_path(), ec);
    const auto tmp = m_path.string() + ".tmp";
    std::ofstream(tmp) << doc.dump() << "\n";
    std::filesystem::rename(tmp, m_path, ec);
  }
  ~RunFile() {
    std::error_code ec;
    std::filesystem::remove(m_path, ec);
  }
  RunFile(const RunFile&) = delete;
  RunFile& operator=(const RunFile&) = delete;

 private:
  std::filesystem::path m_path;
};

std::string next_text(const triggers::schedule::RuleStatus& r) {
  if (!r.enabled) return "disabled";
  return r.next ? format_iso8601(*r.next) : "never";
}

void run_offline(Context& ctx, OfflineOptions o) {
  const auto& m = ctx.manifest();
  apply_manifest_settings(m.service, o);
  if (o.host.empty()) o.host = "127.0.0.1";
  if (o.lambda_port < 0) o.lambda_port = 3002;

  run::FunctionConfigs configs = run::function_configs(m.service, ctx.load_options().account_id);
  for (const auto& w : configs.warnings) ctx.out().warning(w);
  std::map<std::string, std::string> names;
  for (const auto& f : configs.functions) names[f.name] = f.short_name;

  // Block the stop signals before any thread starts, so they all inherit the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  // The log store and ledger outlive the sinks that feed them (declared first, destroyed last).
  std::unique_ptr<store::Store> recorder;
  try {
    recorder = std::make_unique<store::Store>(store::stratus_db_path(m.service.dir));
  } catch (const std::runtime_error& e) {
    ctx.out().warning(std::string(e.what()) + "; invocations are not recorded");
  }
  run::ConsoleSink console(stderr, true, ctx.out().color() && !o.json_logs, names, o.json_logs);
  if (recorder) console.forward_to(recorder.get());
  engine::EngineSettings settings;
  settings.state_dir = m.service.dir / ".stratus";
  settings.sink = &console;
  settings.host = engine::HostEnv::capture(o.run.inherit_env);
  settings.env_overrides = run::env_overrides(o.run.env);
  settings.max_instances = o.run.max_instances;
  settings.idle_timeout = std::chrono::milliseconds(static_cast<long long>(o.run.idle_timeout_s * 1000));
  settings.account_concurrency = o.run.account_concurrency;
  // The AWS endpoint listens first: its port (an ephemeral one for --aws-port 0) goes into the
  // functions' environment. Requests wait for the APIs behind it (no client knows the port before
  // the banner, which comes after).
  std::atomic<const triggers::AwsEndpoint*> aws_ready{nullptr};
  std::unique_ptr<net::HttpServer> aws_server;
  try {
    aws_server = std::make_unique<net::HttpServer>(
        o.host, o.aws_port,
        [&aws_ready](const net::Request& request, net::Responder responder) {
          if (const triggers::AwsEndpoint* aws = aws_ready.load())
            return aws->handle(request, std::move(responder));
          net::Response res;
          res.status = 503;
          res.body = R"({"message":"stratus offline is starting"})";
          responder.send(std::move(res));
        },
        triggers::AwsEndpoint::server_options());
  } catch (const net::BindError& e) {
    throw UserError(e.what(), kExitFailure);
  }
  const std::string aws_url = "http://" + (o.host == "0.0.0.0" ? std::string("127.0.0.1") : o.host) + ":" +
                              std::to_string(aws_server->port());
  // A handler's own SDK calls reach the local queues and buckets, never a real account by accident.
  const bool endpoint_given = std::any_of(settings.env_overrides.begin(), settings.env_overrides.end(),
                                          [](const auto& kv) { return kv.first == "AWS_ENDPOINT_URL"; });
  if (o.aws_endpoint_env && !endpoint_given) settings.env_overrides.emplace_back("AWS_ENDPOINT_URL", aws_url);
  // Queues and buckets from events and resources; async destinations (records to those queues, or
  // to functions).
  const run::EventSources sources = run::event_sources(m.service, m.service.provider.region);
  for (const auto& w : sources.warnings) ctx.out().warning(w);
  // SQS and S3 keep their state in stratus.db, each on a connection of its own (the SQS store
  // holds transactions across calls); object bytes are files under .stratus/s3/.
  // Declared before the engine: its async queue may still send to a queue while it stops.
  std::unique_ptr<store::Database> sqs_db, s3_db;
  std::unique_ptr<triggers::sqs::SqsStore> queues;
  std::unique_ptr<triggers::s3::S3Store> buckets;
  try {
    sqs_db =
        std::make_unique<store::Database>(store::stratus_db_path(m.service.dir), store::stratus_migrations());
    s3_db =
        std::make_unique<store::Database>(store::stratus_db_path(m.service.dir), store::stratus_migrations());
    queues = std::make_unique<triggers::sqs::SqsStore>(*sqs_db, m.service.provider.region);
    buckets = std::make_unique<triggers::s3::S3Store>(*s3_db, m.service.dir / ".stratus" / "s3");
    for (const auto& q : sources.queues) {
      if (queues->find_queue(q.name))
        queues->set_queue_attributes(q.name, q.attributes);
      else
        queues->create_queue(q.name, q.attributes);
    }
    for (const auto& b : sources.buckets)
      if (!buckets->bucket_exists(b)) buckets->create_bucket(b);
  } catch (const std::exception& e) {
    throw UserError(std::string("cannot set up the service's queues and buckets: ") + e.what());
  }
  std::unique_ptr<engine::Engine> engine;
  const std::string function_arn_prefix =
      "arn:aws:lambda:" + m.service.provider.region + ":" + ctx.load_options().account_id + ":function:";
  settings.async.on_outcome = [&sources, &engine, &queues,
                               function_arn_prefix](const engine::AsyncOutcome& outcome) {
    auto found = sources.destinations.find(outcome.function);
    if (found == sources.destinations.end() || !engine || !queues) return;
    const run::FunctionDestinations& d = found->second;
    const bool ok = outcome.condition == engine::AsyncOutcome::Condition::success;
    const run::Destination& target = ok ? d.on_success : d.on_failure;
    if (target.kind != run::Destination::Kind::none) {
      std::string record = engine::destination_record(outcome, function_arn_prefix + outcome.function);
      if (target.kind == run::Destination::Kind::queue)
        queues->send(target.name, triggers::sqs::SendRequest{record, {}, {}, {}, {}, {}});
      else
        engine->invoke_async(target.name, std::move(record));
    }
    if (!ok && d.on_error.kind == run::Destination::Kind::queue) {
      // A dead-letter queue gets the event itself, with the error in message attributes.
      triggers::sqs::SendRequest dlq;
      dlq.body = outcome.payload;
      dlq.attributes["RequestID"] = {"String", outcome.request_id, ""};
      dlq.attributes["ErrorCode"] = {"Number", "200", ""};
      dlq.attributes["ErrorMessage"] = {"String",
                                        outcome.last.payload.empty()
                                            ? std::string(engine::condition_name(outcome.condition))
                                            : outcome.last.payload,
                                        ""};
      queues->send(d.on_error.name, dlq);
    }
  };
  try {
    engine = std::make_unique<engine::Engine>(configs.functions, std::move(settings));
  } catch (const std::runtime_error& e) {
    throw UserError(e.what());
  }
  for (const auto& w : engine->warnings()) ctx.out().warning(w);

  // Schedules fire through the engine; the scheduler starts after it and stops before it.
  run::ScheduleRules schedule_rules = run::schedule_rules(m.service);
  for (const auto& w : schedule_rules.warnings) ctx.out().warning(w);
  triggers::schedule::SystemClock schedule_clock;
  std::unique_ptr<triggers::schedule::Scheduler> scheduler;
  try {
    scheduler = std::make_unique<triggers::schedule::Scheduler>(
        std::move(schedule_rules.rules), *engine, schedule_clock,
        triggers::schedule::SchedulerSettings{m.service.provider.region, ctx.load_options().account_id});
  } catch (const std::invalid_argument& e) {
    throw UserError(e.what());
  }

  triggers::InvokeApiOptions api_options;
  api_options.region = m.service.provider.region;
  api_options.account_id = ctx.load_options().account_id;
  triggers::InvokeApi api(*engine, api_options);
  net::ServerOptions server_options = triggers::InvokeApi::server_options();
  server_options.port_flag = "--lambda-port";
  std::unique_ptr<net::HttpServer> server;
  try {
    server = std::make_unique<net::HttpServer>(
        o.host, o.lambda_port,
        [&api, &scheduler](const net::Request& request, net::Responder responder) {
          if (auto control = triggers::schedule::handle_control(*scheduler, request))
            return responder.send(std::move(*control));
          api.handle_async(request, std::move(responder));
        },
        server_options);
  } catch (const net::BindError& e) {
    throw UserError(e.what(), kExitFailure);
  }
  triggers::s3::NotifierOptions notifier_options;
  notifier_options.region = m.service.provider.region;
  triggers::s3::S3Notifier notifier(*engine, sources.rules, notifier_options);
  triggers::sqs::SqsApiOptions sqs_options;
  sqs_options.default_host = o.host + ":" + std::to_string(aws_server->port());
  triggers::sqs::SqsApi sqs_api(*queues, sqs_options);
  triggers::s3::S3ApiOptions s3_options;
  s3_options.region = m.service.provider.region;
  triggers::s3::S3Api s3_api(*buckets, s3_options, &notifier);
  triggers::AwsEndpoint aws(&api, &sqs_api, &s3_api);
  aws_ready = &aws;
  // However this function ends, the endpoint stops before the APIs behind it are destroyed.
  struct StopFirst {
    net::HttpServer& server;
    triggers::sqs::SqsStore& queues;
    ~StopFirst() {
      queues.close_waits();
      server.stop();
    }
  } stop_first{*aws_server, *queues};
  engine->start();
  std::vector<std::unique_ptr<triggers::sqs::SqsPoller>> pollers;
  for (const auto& p : sources.pollers) {
    pollers.push_back(std::make_unique<triggers::sqs::SqsPoller>(*queues, *engine, p));
    pollers.back()->start();
  }
  if (!sources.existing.empty())
    triggers::s3::S3Notifier(*engine, sources.existing, notifier_options).notify_existing(*buckets);
  scheduler->start();
  auto hot_reload = o.reload ? run::start_hot_reload(*engine, ctx.out()) : nullptr;  // hot reload

  const std::string invoke_url = "http://" + o.host + ":" + std::to_string(server->port());
  const RunFile run_file(m.service.dir / ".stratus" / "offline.json", invoke_url, aws_url);
  const auto schedules = scheduler->rules();
  if (ctx.options.json) {
    nlohmann::json banner = {{"service", m.service.name},
                             {"stage", m.service.provider.stage},
                             {"region", m.service.provider.region},
                             {"lambdaEndpoint", invoke_url},
                             {"awsEndpoint", aws_url},
                             {"queues", nlohmann::json::array()},
                             {"buckets", sources.buckets},
                             {"functions", nlohmann::json::array()},
                             {"schedules", nlohmann::json::array()}};
    for (const auto& q : sources.queues) banner["queues"].push_back(q.name);
    for (const auto& f : configs.functions)
      banner["functions"].push_back(
          {{"name", f.short_name}, {"deployedName", f.name}, {"runtime", f.runtime}});
    for (const auto& r : schedules)
      banner["schedules"].push_back(
          {{"name", r.name},
           {"function", r.function},
           {"expression", r.expression},
           {"enabled", r.enabled},
           {"next", r.next ? nlohmann::json(format_iso8601(*r.next)) : nlohmann::json()}});
    ctx.out().data(banner.dump() + "\n");
    std::fflush(stdout);
  } else {
    auto& out = ctx.out();
    out.info(out.bold("stratus offline") + ": " + m.service.name + " (stage " + m.service.provider.stage +
             ", region " + m.service.provider.region + ")");
    out.info("  Lambda Invoke API   " + invoke_url + "   (aws lambda invoke --endpoint-url " + invoke_url +
             " ...)");
    out.info("  AWS endpoint        " + aws_url + "   (SQS, S3, Lambda: AWS_ENDPOINT_URL=" + aws_url + ")");
    for (const auto& q : sources.queues)
      out.info("  " + out.dim("queue   ") + q.name + "   " + out.dim(aws_url + "/000000000000/" + q.name));
    for (const auto& b : sources.buckets)
      out.info("  " + out.dim("bucket  ") + b + "   " + out.dim(aws_url + "/" + b));
    for (const auto& f : configs.functions)
      out.info("  " + out.green(f.short_name) + "  " +
               out.dim(f.name + " · " + f.runtime + " · " + std::to_string(f.memory_mb) + " MB · " +
                       std::to_string(f.timeout_s) + " s"));
    for (const auto& r : schedules)
      out.info("  " + out.dim("schedule") + " " + r.name + "   " + r.expression + " -> " + r.function +
               "   " + out.dim("next " + next_text(r) + " · stratus trigger schedule " + r.name));
    out.info(out.dim("Ctrl-C to stop."));
  }

  const int sig = wait_for_signal(stop_signals);
  ctx.out().info(std::string("stratus offline: ") + (sig == SIGINT ? "interrupted" : "terminated") +
                 ", draining invocations in flight");
  hot_reload.reset();  // hot reload
  scheduler->stop();
  for (auto& poller : pollers) poller->stop();
  queues->close_waits();  // long polls end now, so the servers can drain
  aws_server->stop();
  server->stop();  // no new requests; requests in flight finish
  engine->stop(std::chrono::seconds(5));
  ctx.exit_code = kExitOk;
}

}  // namespace

void register_offline(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<OfflineOptions>();
  auto* cmd =
      app.add_subcommand("offline", "Serve the functions locally: the Lambda Invoke API on --lambda-port");
  cmd->add_option("--host", o->host, "Address to listen on (default: 127.0.0.1)");
  cmd->add_option("--lambda-port", o->lambda_port, "Port of the Lambda Invoke API (default: 3002)")
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--aws-port", o->aws_port,
                  "Port of the AWS endpoint: SQS, S3 and the Invoke API (default: 4566)")
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
