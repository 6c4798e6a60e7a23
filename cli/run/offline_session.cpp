#include "cli/run/offline_session.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli/errors.hpp"
#include "cli/manifest/model.hpp"
#include "cli/run/console_sink.hpp"
#include "cli/run/http_routes.hpp"
#include "cli/run/schedules.hpp"
#include "emulator/engine/destination_record.hpp"
#include "emulator/engine/engine.hpp"
#include "emulator/net/http_server.hpp"
#include "emulator/store/async_journal.hpp"
#include "emulator/store/database.hpp"
#include "emulator/store/migrations.hpp"
#include "emulator/store/store.hpp"
#include "emulator/triggers/aws_endpoint.hpp"
#include "emulator/triggers/http/http_trigger.hpp"
#include "emulator/triggers/invoke_api/invoke_api.hpp"
#include "emulator/triggers/s3/s3_api.hpp"
#include "emulator/triggers/schedule/control.hpp"
#include "emulator/triggers/sqs/sqs_api.hpp"

namespace stratus::run {

namespace {

// .stratus/offline.json while offline runs: {pid, lambdaEndpoint, awsEndpoint, httpEndpoint}, for `stratus
// trigger` (ports chosen with 0 are known only to this process). Written then renamed; removed with the
// session.
class RunFile {
 public:
  RunFile(std::filesystem::path path, const nlohmann::json& endpoints) : m_path(std::move(path)) {
    nlohmann::json doc = {{"pid", static_cast<long long>(::getpid())}};
    doc.update(endpoints);
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

std::string url_of(const std::string& host, int port) {
  return "http://" + (host == "0.0.0.0" ? std::string("127.0.0.1") : host) + ":" + std::to_string(port);
}

}  // namespace

// Members in the order they are built; destroyed in reverse, so whatever calls into something is
// destroyed before it.
struct OfflineSession::State {
  const manifest::Service& service;
  OfflineSettings settings;
  FunctionConfigs configs;
  EventSources sources;
  // The log store and ledger outlive the sinks that feed them.
  std::unique_ptr<store::Store> recorder;
  std::unique_ptr<ConsoleSink> console;
  // The AWS endpoint answers 503 until every API behind it exists.
  std::atomic<const triggers::AwsEndpoint*> aws_ready{nullptr};
  std::unique_ptr<net::HttpServer> aws_server;
  std::string aws_url;
  // Declared before the engine: its async queue may still send to a queue while it stops.
  std::unique_ptr<store::Database> sqs_db, s3_db;
  std::unique_ptr<triggers::sqs::SqsStore> queues;
  std::unique_ptr<triggers::s3::S3Store> buckets;
  // Event invocations the engine accepted and has not ended, on a connection of their own.
  std::unique_ptr<store::Database> async_db;
  std::unique_ptr<store::SqliteAsyncJournal> journal;
  std::unique_ptr<engine::Engine> engine;
  triggers::schedule::SystemClock schedule_clock;
  std::unique_ptr<triggers::schedule::Scheduler> scheduler;
  std::unique_ptr<triggers::InvokeApi> api;
  std::unique_ptr<net::HttpServer> lambda_server;
  std::string lambda_url;
  triggers::s3::NotifierOptions notifier_options;
  std::unique_ptr<triggers::s3::S3Notifier> notifier;
  std::unique_ptr<triggers::sqs::SqsApi> sqs_api;
  std::unique_ptr<triggers::s3::S3Api> s3_api;
  std::unique_ptr<triggers::AwsEndpoint> aws;
  std::unique_ptr<triggers::http::HttpTrigger> http;
  std::unique_ptr<net::HttpServer> http_server;
  std::string http_url;
  std::vector<std::unique_ptr<triggers::sqs::SqsPoller>> pollers;
  std::unique_ptr<RunFile> run_file;
  bool stopped = false;

  State(const manifest::Service& s, OfflineSettings o) : service(s), settings(std::move(o)) {}
  ~State() {
    // However the session ends, the servers stop before the APIs behind them are destroyed.
    if (queues) queues->close_waits();
    if (aws_server) aws_server->stop();
    if (lambda_server) lambda_server->stop();
    if (http_server) http_server->stop();
  }

  void on_async_outcome(const engine::AsyncOutcome& outcome, const std::string& function_arn_prefix);
};

void OfflineSession::State::on_async_outcome(const engine::AsyncOutcome& outcome,
                                             const std::string& function_arn_prefix) {
  auto found = sources.destinations.find(outcome.function);
  if (found == sources.destinations.end() || !engine || !queues) return;
  const FunctionDestinations& d = found->second;
  const bool ok = outcome.condition == engine::AsyncOutcome::Condition::success;
  const Destination& target = ok ? d.on_success : d.on_failure;
  if (target.kind != Destination::Kind::none) {
    std::string record = engine::destination_record(outcome, function_arn_prefix + outcome.function);
    if (target.kind == Destination::Kind::queue)
      queues->send(target.name, triggers::sqs::SendRequest{record, {}, {}, {}, {}, {}});
    else
      engine->invoke_async(target.name, std::move(record));
  }
  if (!ok && d.on_error.kind == Destination::Kind::queue) {
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
}

OfflineSession::OfflineSession(const manifest::Service& service, OfflineSettings settings, const Warn& warn)
    : m_state(std::make_unique<State>(service, std::move(settings))) {
  State& s = *m_state;
  const OfflineSettings& o = s.settings;
  const std::string& region = service.provider.region;

  // The AWS endpoint listens first: its port (an ephemeral one for --aws-port 0) goes into the
  // functions' environment, in AWS_ENDPOINT_URL and in what references to the service's queues and
  // buckets resolve to. Requests wait for the APIs behind it (no client knows the port before
  // the banner, which comes after).
  try {
    s.aws_server = std::make_unique<net::HttpServer>(
        o.host, o.aws_port,
        [&s](const net::Request& request, net::Responder responder) {
          if (const triggers::AwsEndpoint* aws = s.aws_ready.load())
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
  s.aws_url = url_of(o.host, s.aws_server->port());

  s.configs = function_configs(service, o.account_id, [&](const manifest::Value& v) {
    return local_reference(service, v, region, s.aws_url);
  });
  for (const auto& w : s.configs.warnings) warn(w);
  std::map<std::string, std::string> names;
  for (const auto& f : s.configs.functions) names[f.name] = f.short_name;

  try {
    s.recorder = std::make_unique<store::Store>(store::stratus_db_path(service.dir));
  } catch (const std::runtime_error& e) {
    warn(std::string(e.what()) + "; invocations are not recorded");
  }
  // Batched: a write every 10 ms at most, not one per invocation (unnoticeable to a reader).
  s.console = std::make_unique<ConsoleSink>(stderr, true, o.color && !o.json_logs, names, o.json_logs,
                                            std::chrono::milliseconds(10));
  if (s.recorder) s.console->forward_to(s.recorder.get());
  engine::EngineSettings es;
  es.state_dir = service.dir / ".stratus";
  es.sink = s.console.get();
  es.host = engine::HostEnv::capture(o.run.inherit_env);
  es.env_overrides = env_overrides(o.run.env);
  es.max_instances = o.run.max_instances;
  es.idle_timeout = std::chrono::milliseconds(static_cast<long long>(o.run.idle_timeout_s * 1000));
  es.account_concurrency = o.run.account_concurrency;

  // A handler's own SDK calls reach the local queues and buckets, never a real account by accident.
  const bool endpoint_given = std::any_of(es.env_overrides.begin(), es.env_overrides.end(),
                                          [](const auto& kv) { return kv.first == "AWS_ENDPOINT_URL"; });
  if (o.aws_endpoint_env && !endpoint_given) es.env_overrides.emplace_back("AWS_ENDPOINT_URL", s.aws_url);

  // Queues and buckets from events and resources; async destinations (records to those queues, or
  // to functions).
  s.sources = event_sources(service, region);
  for (const auto& w : s.sources.warnings) warn(w);
  // SQS and S3 keep their state in stratus.db, each on a connection of its own (the SQS store
  // holds transactions across calls); object bytes are files under .stratus/s3/.
  try {
    s.sqs_db =
        std::make_unique<store::Database>(store::stratus_db_path(service.dir), store::stratus_migrations());
    s.s3_db =
        std::make_unique<store::Database>(store::stratus_db_path(service.dir), store::stratus_migrations());
    s.queues = std::make_unique<triggers::sqs::SqsStore>(*s.sqs_db, region);
    s.buckets = std::make_unique<triggers::s3::S3Store>(*s.s3_db, service.dir / ".stratus" / "s3");
    for (const auto& q : s.sources.queues) {
      if (s.queues->find_queue(q.name))
        s.queues->set_queue_attributes(q.name, q.attributes);
      else
        s.queues->create_queue(q.name, q.attributes);
    }
    for (const auto& b : s.sources.buckets)
      if (!s.buckets->bucket_exists(b)) s.buckets->create_bucket(b);
  } catch (const std::exception& e) {
    throw UserError(std::string("cannot set up the service's queues and buckets: ") + e.what());
  }
  // Event invocations survive a restart, or a kill: the engine queues again at start what this holds.
  try {
    s.async_db =
        std::make_unique<store::Database>(store::stratus_db_path(service.dir), store::stratus_migrations());
    s.journal = std::make_unique<store::SqliteAsyncJournal>(*s.async_db);
  } catch (const std::exception& e) {
    throw UserError(std::string("cannot set up the journal of Event invocations: ") + e.what());
  }
  es.async.journal = s.journal.get();
  es.async.warn = warn;
  const std::string function_arn_prefix = "arn:aws:lambda:" + region + ":" + o.account_id + ":function:";
  es.async.on_outcome = [&s, function_arn_prefix](const engine::AsyncOutcome& outcome) {
    s.on_async_outcome(outcome, function_arn_prefix);
  };
  try {
    s.engine = std::make_unique<engine::Engine>(s.configs.functions, std::move(es));
  } catch (const std::runtime_error& e) {
    throw UserError(e.what());
  }
  for (const auto& w : s.engine->warnings()) warn(w);

  // Schedules fire through the engine; the scheduler starts after it and stops before it.
  ScheduleRules schedule_rules = run::schedule_rules(service);
  for (const auto& w : schedule_rules.warnings) warn(w);
  try {
    s.scheduler = std::make_unique<triggers::schedule::Scheduler>(
        std::move(schedule_rules.rules), *s.engine, s.schedule_clock,
        triggers::schedule::SchedulerSettings{region, o.account_id});
  } catch (const std::invalid_argument& e) {
    throw UserError(e.what());
  }

  triggers::InvokeApiOptions api_options;
  api_options.region = region;
  api_options.account_id = o.account_id;
  s.api = std::make_unique<triggers::InvokeApi>(*s.engine, api_options);
  net::ServerOptions server_options = triggers::InvokeApi::server_options();
  server_options.port_flag = "--lambda-port";
  try {
    s.lambda_server = std::make_unique<net::HttpServer>(
        o.host, o.lambda_port,
        [&s](const net::Request& request, net::Responder responder) {
          if (auto control = triggers::schedule::handle_control(*s.scheduler, request))
            return responder.send(std::move(*control));
          s.api->handle_async(request, std::move(responder));
        },
        server_options);
  } catch (const net::BindError& e) {
    throw UserError(e.what(), kExitFailure);
  }
  s.lambda_url = "http://" + o.host + ":" + std::to_string(s.lambda_server->port());

  s.notifier_options.region = region;
  s.notifier = std::make_unique<triggers::s3::S3Notifier>(*s.engine, s.sources.rules, s.notifier_options);
  triggers::sqs::SqsApiOptions sqs_options;
  sqs_options.default_host = o.host + ":" + std::to_string(s.aws_server->port());
  s.sqs_api = std::make_unique<triggers::sqs::SqsApi>(*s.queues, sqs_options);
  triggers::s3::S3ApiOptions s3_options;
  s3_options.region = region;
  s.s3_api = std::make_unique<triggers::s3::S3Api>(*s.buckets, s3_options, s.notifier.get());
  s.aws = std::make_unique<triggers::AwsEndpoint>(s.api.get(), s.sqs_api.get(), s.s3_api.get());
  s.aws_ready = s.aws.get();

  // API Gateway: `http` (REST), `httpApi` and `url` events on one port.
  HttpRoutes routes = run::http_routes(service);
  for (const auto& w : routes.warnings) warn(w);
  if (routes.routes.empty()) return;
  triggers::http::HttpTriggerOptions http_options;
  http_options.region = region;
  http_options.account_id = o.account_id;
  http_options.no_timeout = routes.no_timeout;
  http_options.binary_media_types = std::move(routes.binary_media_types);
  s.http = std::make_unique<triggers::http::HttpTrigger>(
      *s.engine,
      triggers::http::RouteTable(std::move(routes.routes), routes.stage, routes.prepend_stage, routes.prefix),
      http_options);
  try {
    s.http_server = std::make_unique<net::HttpServer>(
        o.host, o.http_port,
        [&s](const net::Request& request, net::Responder responder) {
          s.http->handle(request, std::move(responder));
        },
        triggers::http::HttpTrigger::server_options());
  } catch (const net::BindError& e) {
    throw UserError(e.what(), kExitFailure);
  }
  s.http_url = "http://" + o.host + ":" + std::to_string(s.http_server->port());
}

OfflineSession::~OfflineSession() {
  stop();
}

void OfflineSession::start() {
  State& s = *m_state;
  s.engine->start();
  for (const auto& p : s.sources.pollers) {
    s.pollers.push_back(std::make_unique<triggers::sqs::SqsPoller>(*s.queues, *s.engine, p));
    s.pollers.back()->start();
  }
  if (!s.sources.existing.empty())
    triggers::s3::S3Notifier(*s.engine, s.sources.existing, s.notifier_options).notify_existing(*s.buckets);
  s.scheduler->start();
  s.run_file = std::make_unique<RunFile>(
      s.service.dir / ".stratus" / "offline.json",
      nlohmann::json{{"lambdaEndpoint", s.lambda_url},
                     {"awsEndpoint", s.aws_url},
                     {"httpEndpoint", s.http_url.empty() ? nlohmann::json() : nlohmann::json(s.http_url)}});
}

void OfflineSession::stop() {
  State& s = *m_state;
  if (s.stopped) return;
  s.stopped = true;
  s.scheduler->stop();
  for (auto& poller : s.pollers) poller->stop();
  s.queues->close_waits();  // long polls end now, so the servers can drain
  s.aws_server->stop();
  s.lambda_server->stop();  // no new requests; requests in flight finish
  if (s.http_server) s.http_server->stop();
  s.engine->stop(std::chrono::seconds(5));
  s.run_file.reset();
}

const std::string& OfflineSession::lambda_url() const {
  return m_state->lambda_url;
}
const std::string& OfflineSession::aws_url() const {
  return m_state->aws_url;
}
const std::string& OfflineSession::http_url() const {
  return m_state->http_url;
}
const triggers::http::RouteTable* OfflineSession::http_routes() const {
  return m_state->http ? &m_state->http->table() : nullptr;
}
engine::Engine& OfflineSession::engine() {
  return *m_state->engine;
}
const FunctionConfigs& OfflineSession::configs() const {
  return m_state->configs;
}
const EventSources& OfflineSession::sources() const {
  return m_state->sources;
}
std::vector<triggers::schedule::RuleStatus> OfflineSession::schedules() const {
  return m_state->scheduler->rules();
}

}  // namespace stratus::run
