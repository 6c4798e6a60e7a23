// stratus trigger: send an event to a running `stratus offline`, as the real trigger would.
//   stratus trigger schedule NAME   fires the schedule rule NAME now (POST
//                                   /_stratus/schedules/NAME/fire on offline's Lambda port)
//   stratus trigger sqs -f FN       invokes FN synchronously through the offline's Lambda Invoke API
//                                   with the SQS event of one message (as the queue's event source
//                                   mapping would), printing the result
//   stratus trigger s3 -f FN        the same with the S3 notification of one object event
// Which offline: --endpoint URL, else --lambda-port P on 127.0.0.1, else the one whose
// .stratus/offline.json is in the current directory (written at its start, so a --lambda-port 0 is
// found too), else 127.0.0.1:3002, offline's default.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cctype>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <variant>

#include "cli/commands/commands.hpp"
#include "cli/context.hpp"
#include "cli/errors.hpp"
#include "cli/manifest/manifest.hpp"
#include "cli/run/event_sources.hpp"
#include "cli/run/sample_events.hpp"
#include "emulator/net/http_client.hpp"
#include "emulator/net/http_wire.hpp"

namespace stratus {

namespace {

struct TriggerOptions {
  std::string name;
  int lambda_port = -1;
  std::string endpoint;
  // sqs and s3
  std::string function;
  std::string body;
  std::string body_file;
  std::string queue;
  std::string bucket;
  std::string key;
  std::string event = "s3:ObjectCreated:Put";
  long long size = 0;
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

// Which offline, from the options (see the top of this file).
Target resolve_target(Context& ctx, const TriggerOptions& o) {
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
  return target;
}

void run_trigger_schedule(Context& ctx, const TriggerOptions& o) {
  const Target target = resolve_target(ctx, o);
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

// The service's manifest when there is one here (or --config names one); its region, queues and
// buckets give the events their defaults. Without one, --queue / --bucket are needed.
const manifest::LoadedManifest* optional_manifest(Context& ctx) {
  const auto dir = ctx.cwd();
  const bool present = !ctx.options.config.empty() || std::filesystem::exists(dir / "serverless.yml") ||
                       std::filesystem::exists(dir / "serverless.yaml") ||
                       std::filesystem::exists(dir / "serverless.json");
  return present ? &ctx.manifest() : nullptr;
}

// The manifest's function for `name` (its key or its deployed name), if any.
const manifest::Function* manifest_function(const manifest::LoadedManifest* m, const std::string& name) {
  if (!m) return nullptr;
  for (const auto& fn : m->service.functions)
    if (fn.key == name || fn.name == name) return &fn;
  return nullptr;
}

std::string path_segment(const std::string& text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == ':' || c == '$') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// The offline has no such function: exit 2, naming the ones it has.
[[noreturn]] void unknown_function(const Target& target, const std::string& function,
                                   const manifest::LoadedManifest* m) {
  const std::string where = target.host + ":" + std::to_string(target.port);
  std::string known;
  const net::ClientResult list =
      net::http_request(target.host, target.port, "GET", "/2015-03-31/functions/?MaxItems=10000", "");
  if (list.response && list.response->status == 200) {
    const auto doc = nlohmann::json::parse(list.response->body, nullptr, false);
    if (doc.is_object() && doc.contains("Functions") && doc["Functions"].is_array())
      for (const auto& f : doc["Functions"]) {
        std::string name = f.value("FunctionName", "");
        if (const auto* fn = manifest_function(m, name)) name = fn->key;
        known += (known.empty() ? "" : ", ") + name;
      }
  }
  throw UserError("no function named '" + function + "' in stratus offline on " + where +
                  (known.empty() ? "; it has no functions" : "; its functions: " + known));
}

// Before an error about the function's events: whether the offline is there and has the function
// (GetFunction), so those errors come first.
void require_function(const Target& target, const std::string& function, const manifest::LoadedManifest* m) {
  const std::string where = target.host + ":" + std::to_string(target.port);
  const net::ClientResult r = net::http_request(target.host, target.port, "GET",
                                                "/2015-03-31/functions/" + path_segment(function), "");
  if (!r.connected)
    throw UserError("no stratus offline on " + where + "; start it or pass --lambda-port", kExitFailure);
  if (r.response && r.response->status == 404 &&
      r.response->header("x-amzn-ErrorType").rfind("ResourceNotFoundException", 0) == 0)
    unknown_function(target, function, m);
}

// Invokes `function` synchronously (RequestResponse) on the offline at `target` with `event`, as
// the trigger would, and prints what it returned. A function error: its error JSON, exit 1.
void invoke_through_offline(Context& ctx, const Target& target, const std::string& function,
                            const std::string& event, const manifest::LoadedManifest* m) {
  const std::string where = target.host + ":" + std::to_string(target.port);
  const net::ClientResult result =
      net::http_request(target.host, target.port, "POST",
                        "/2015-03-31/functions/" + path_segment(function) + "/invocations", event,
                        std::chrono::minutes(16));  // a synchronous invocation runs up to 15 min
  if (!result.connected)
    throw UserError("no stratus offline on " + where + "; start it or pass --lambda-port", kExitFailure);
  if (!result.response)
    throw UserError("stratus offline on " + where + " did not answer: " + result.error, kExitFailure);
  const net::ClientResponse& res = *result.response;
  if (res.status == 404 && res.header("x-amzn-ErrorType").rfind("ResourceNotFoundException", 0) == 0)
    unknown_function(target, function, m);
  if (res.status != 200)
    throw UserError(
        "stratus offline on " + where + " answered " + std::to_string(res.status) + ": " + res.body,
        kExitFailure);
  const std::string error_type = res.header("X-Amz-Function-Error");
  if (ctx.options.json) {
    nlohmann::json doc = {{"function", function},
                          {"requestId", res.header("X-Amzn-RequestId")},
                          {"status", error_type.empty() ? "ok" : "error"}};
    doc["payload"] =
        nlohmann::json::accept(res.body) ? nlohmann::json::parse(res.body) : nlohmann::json(res.body);
    ctx.out().data(doc.dump(2) + "\n");
  } else {
    ctx.out().data(res.body + "\n");
  }
  ctx.exit_code = error_type.empty() ? kExitOk : kExitFailure;
}

std::string region_of(const manifest::LoadedManifest* m) {
  return m ? m->service.provider.region : "us-east-1";
}

void run_trigger_sqs(Context& ctx, const TriggerOptions& o) {
  const Target target = resolve_target(ctx, o);
  std::string body = o.body;
  if (!o.body_file.empty()) {
    std::ifstream in(o.body_file, std::ios::binary);
    if (!in) throw UserError("--path " + o.body_file + ": cannot read the file");
    body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  const manifest::LoadedManifest* m = optional_manifest(ctx);
  std::string queue = o.queue;
  if (queue.empty()) {
    if (const auto* fn = manifest_function(m, o.function))
      for (const auto& e : fn->events)
        if (const auto* q = std::get_if<manifest::SqsEvent>(&e.detail); q && !q->queue_name.empty()) {
          queue = q->queue_name;
          break;
        }
  }
  if (queue.empty()) require_function(target, o.function, m);
  if (queue.empty())
    throw UserError("function '" + o.function + "' has no sqs event" +
                    (m ? "" : " (no serverless.yml here)") + "; name the queue with --queue");
  invoke_through_offline(ctx, target, o.function, run::sqs_message_event(body, queue, region_of(m)), m);
}

void run_trigger_s3(Context& ctx, const TriggerOptions& o) {
  const Target target = resolve_target(ctx, o);
  const manifest::LoadedManifest* m = optional_manifest(ctx);
  const manifest::Function* fn = manifest_function(m, o.function);
  run::S3Sample sample;
  sample.bucket = o.bucket;
  if (sample.bucket.empty() && fn && m) {  // the bucket of the function's s3 event
    for (const auto& rule : run::event_sources(m->service, m->service.provider.region).rules)
      if (rule.function == fn->name) {
        sample.bucket = rule.bucket;
        break;
      }
  }
  if (sample.bucket.empty()) require_function(target, o.function, m);
  if (sample.bucket.empty())
    throw UserError("function '" + o.function + "' has no s3 event" + (m ? "" : " (no serverless.yml here)") +
                    "; name the bucket with --bucket");
  sample.key = o.key;
  sample.event_name = o.event.substr(o.event.rfind("s3:", 0) == 0 ? 3 : 0);
  sample.size = o.size;
  sample.region = region_of(m);
  sample.function = fn ? fn->name : o.function;
  invoke_through_offline(ctx, target, o.function, run::s3_object_event(sample), m);
}

// --lambda-port and --endpoint, as every trigger subcommand takes them.
void add_target_options(CLI::App& cmd, TriggerOptions& o) {
  auto* port = cmd.add_option("--lambda-port", o.lambda_port,
                              "Lambda port of the offline (default: from .stratus/offline.json, else 3002)");
  port->check(CLI::Range(1, 65535));
  cmd.add_option("--endpoint", o.endpoint, "The offline's Lambda endpoint, e.g. http://127.0.0.1:3002")
      ->excludes(port);
}

}  // namespace

void register_trigger(CLI::App& app, Context& ctx) {
  auto* trigger = app.add_subcommand(
      "trigger", "Send an event to a running stratus offline (trigger schedule NAME | sqs -f FN | s3 -f FN)");
  trigger->require_subcommand(1);
  auto o = std::make_shared<TriggerOptions>();
  auto* schedule = trigger->add_subcommand("schedule", "Fire a schedule rule now, as EventBridge would");
  schedule->add_option("name", o->name, "The rule's name, as stratus offline lists it")->required();
  add_target_options(*schedule, *o);
  schedule->callback([&ctx, o] { run_trigger_schedule(ctx, *o); });

  auto q = std::make_shared<TriggerOptions>();
  auto* sqs = trigger->add_subcommand(
      "sqs",
      "Invoke a function with the SQS event of one message, as its queue's event source mapping would");
  sqs->add_option("-f,--function", q->function, "The function (its name in serverless.yml)")->required();
  auto* body = sqs->add_option("--body", q->body, "The message body (default: empty)");
  sqs->add_option("--path", q->body_file, "A file whose content is the message body")->excludes(body);
  sqs->add_option("--queue", q->queue, "The queue's name (default: the queue of the function's sqs event)");
  add_target_options(*sqs, *q);
  sqs->callback([&ctx, q] { run_trigger_sqs(ctx, *q); });

  auto b = std::make_shared<TriggerOptions>();
  auto* s3 = trigger->add_subcommand("s3", "Invoke a function with the S3 notification of one object event");
  s3->add_option("-f,--function", b->function, "The function (its name in serverless.yml)")->required();
  s3->add_option("--bucket", b->bucket, "The bucket (default: the bucket of the function's s3 event)");
  s3->add_option("--key", b->key, "The object key")->required();
  s3->add_option("--event", b->event, "s3:ObjectCreated:Put (default) or s3:ObjectRemoved:Delete, ...")
      ->check(CLI::IsMember(run::s3_event_names()));
  s3->add_option("--size", b->size, "The object's size in bytes (created events; default 0)")
      ->check(CLI::NonNegativeNumber);
  add_target_options(*s3, *b);
  s3->callback([&ctx, b] { run_trigger_s3(ctx, *b); });
}

}  // namespace stratus
