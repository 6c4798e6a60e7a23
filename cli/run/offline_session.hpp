#pragma once
// Everything `stratus offline` runs, built from the service model: the log store and console, the
// engine with its journal of Event invocations, the queues and buckets (the journal, SQS and S3
// state all in stratus.db), the AWS endpoint (--aws-port), the Lambda Invoke API (--lambda-port),
// API Gateway (--http-port: `http`, `httpApi` and `url` events), the sqs pollers, s3
// notifications and the schedules.
//
// The constructor binds the ports and builds everything (throws UserError naming the problem: a
// port in use, a runtime that cannot run, a queue that cannot be made); start() starts the engine
// (which queues again the Event invocations a previous run left unfinished), the pollers and the
// scheduler and writes .stratus/offline.json; stop() drains: schedules and pollers first, then the
// servers (requests in flight finish), then the engine. The destructor stops what still runs and
// removes offline.json.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cli/run/event_sources.hpp"
#include "cli/run/function_configs.hpp"
#include "cli/run/run_options.hpp"
#include "emulator/triggers/http/routes.hpp"
#include "emulator/triggers/schedule/scheduler.hpp"

namespace stratus::manifest {
struct Service;
}

namespace stratus::engine {
class Engine;
}

namespace stratus::run {

struct OfflineSettings {
  std::string host = "127.0.0.1";
  int lambda_port = 3002;
  int aws_port = 4566;
  int http_port = 3000;          // the API Gateway routes; served only when the service has some
  bool aws_endpoint_env = true;  // AWS_ENDPOINT_URL for the functions
  bool json_logs = false;        // one JSON object per log line
  bool color = false;            // coloured log prefixes
  std::string account_id = "000000000000";
  RunOptions run;
};

class OfflineSession {
 public:
  using Warn = std::function<void(const std::string&)>;
  OfflineSession(const manifest::Service& service, OfflineSettings settings, const Warn& warn);
  ~OfflineSession();
  OfflineSession(const OfflineSession&) = delete;
  OfflineSession& operator=(const OfflineSession&) = delete;

  void start();
  void stop();  // idempotent

  // For the banner.
  const std::string& lambda_url() const;
  const std::string& aws_url() const;
  const std::string& http_url() const;  // "" when the service has no http, httpApi or url events
  const triggers::http::RouteTable* http_routes() const;  // null likewise
  const FunctionConfigs& configs() const;
  const EventSources& sources() const;
  std::vector<triggers::schedule::RuleStatus> schedules() const;
  // What hot reload drives (valid from construction until destruction).
  engine::Engine& engine();

 private:
  struct State;
  std::unique_ptr<State> m_state;
};

}  // namespace stratus::run
