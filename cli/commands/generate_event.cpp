// stratus generate-event: a sample of the event a trigger hands a function, printed as JSON (like
// `sls generate-event`), built by the same code the emulator's triggers use, so it is exactly what
// `stratus offline` would deliver. Pipe it into `stratus invoke local -f FN`.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/commands/commands.hpp"
#include "cli/context.hpp"
#include "cli/errors.hpp"
#include "cli/run/sample_events.hpp"
#include "emulator/common/clock.hpp"
#include "emulator/common/ids.hpp"
#include "emulator/common/local_account.hpp"
#include "emulator/triggers/http/api_gateway_events.hpp"
#include "emulator/triggers/s3/s3_store.hpp"
#include "emulator/triggers/schedule/scheduled_event.hpp"

namespace stratus {

namespace {

struct GenerateEventOptions {
  std::string type;
  std::string body;
  std::string path = "/";
  std::string method = "GET";
  std::vector<std::string> headers;
  std::string bucket = "example-bucket";
  std::string key = "test/key";
  std::string queue = "example-queue";
  std::string region = "us-east-1";
  std::string rule = "my-schedule";
};

triggers::http::ApiRequest api_request(const GenerateEventOptions& o) {
  triggers::http::ApiRequest request;
  request.method = o.method;
  const auto q = o.path.find('?');
  request.path = o.path.substr(0, q);
  if (request.path.empty() || request.path[0] != '/')
    throw UserError("--path must start with '/' (got '" + o.path + "')");
  if (q != std::string::npos) request.raw_query = o.path.substr(q + 1);
  request.headers = {{"Host", "localhost:3000"}, {"User-Agent", "stratus"}};
  if (!o.body.empty())
    request.headers.emplace_back("Content-Type",
                                 nlohmann::json::accept(o.body) ? "application/json" : "text/plain");
  for (const auto& h : o.headers) {
    const auto colon = h.find(':');
    if (colon == std::string::npos || colon == 0)
      throw UserError("--header '" + h + "' must be NAME:VALUE, e.g. --header 'Accept: text/html'");
    std::string value = h.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    request.headers.emplace_back(h.substr(0, colon), value);
  }
  request.body = o.body;
  request.time_ms = unix_ms_now();
  return request;
}

std::string generate(const GenerateEventOptions& o) {
  if (o.type == "aws:apiGateway" || o.type == "aws:httpApi") {
    const auto request = api_request(o);
    triggers::http::ApiRoute route;
    route.resource = request.path;
    route.route_key = o.method + " " + request.path;
    triggers::http::ApiContext context;
    if (o.type == "aws:apiGateway") {
      route.stage = "dev";
      return triggers::http::rest_event(request, route, context);
    }
    return triggers::http::http_api_event(request, route, context);
  }
  if (o.type == "aws:sqs")
    return run::sqs_message_event(o.body.empty() ? "Hello from SQS!" : o.body, o.queue, o.region);
  if (o.type == "aws:schedule")
    return triggers::schedule::scheduled_event(
               new_request_id(), unix_ms_now() / 1000, o.region, kLocalAccountId,
               triggers::schedule::rule_arn(o.region, kLocalAccountId, o.rule))
        .dump();
  run::S3Sample sample;
  sample.bucket = o.bucket;
  sample.key = o.key;
  sample.size = static_cast<std::int64_t>(o.body.size());
  sample.etag = triggers::s3::md5_hex(o.body);
  sample.region = o.region;
  sample.configuration_id = "testConfigRule";  // as sls generate-event's sample (no rule made it)
  return run::s3_object_event(sample);
}

}  // namespace

void register_generate_event(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<GenerateEventOptions>();
  auto* cmd =
      app.add_subcommand("generate-event", "Print a sample trigger event (pipe it into invoke local)");
  cmd->add_option("-t,--type", o->type, "aws:apiGateway | aws:httpApi | aws:sqs | aws:s3 | aws:schedule")
      ->required()
      ->check(CLI::IsMember({"aws:apiGateway", "aws:httpApi", "aws:sqs", "aws:s3", "aws:schedule"}));
  cmd->add_option("-b,--body", o->body, "The request body, message body or object content");
  cmd->add_option("--path", o->path, "HTTP: the request path, with a query string if any (default: /)");
  cmd->add_option("--method", o->method, "HTTP: the method (default: GET)");
  cmd->add_option("--header", o->headers, "HTTP: a header, NAME:VALUE (repeatable)");
  cmd->add_option("--bucket", o->bucket, "S3: the bucket (default: example-bucket)");
  cmd->add_option("--key", o->key, "S3: the object key (default: test/key)");
  cmd->add_option("--queue", o->queue, "SQS: the queue name (default: example-queue)");
  cmd->add_option("--rule", o->rule, "Schedule: the rule name in resources (default: my-schedule)");
  cmd->add_option("--region", o->region, "The region in ARNs and records (default: us-east-1)");
  cmd->callback([&ctx, o] {
    ctx.out().data(nlohmann::ordered_json::parse(generate(*o)).dump(2) + "\n");
    ctx.exit_code = kExitOk;
  });
}

}  // namespace stratus
