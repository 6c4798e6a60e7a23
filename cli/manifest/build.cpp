#include "cli/manifest/build.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

#include "emulator/schedule/expression.hpp"

namespace stratus::manifest {

namespace {

// The runtime a function gets when neither it nor the provider names one (Serverless v3 defaults to
// Node.js as well).
constexpr const char* kDefaultRuntime = "nodejs20.x";

struct Builder {
  const Value& root;
  Diagnostics& diags;
  bool strict = true;  // false for providers other than aws

  // Reads helpers: schema validation already checked types, so a wrong type here only means the
  // document was invalid and we must simply not crash.
  static std::string str(const Value* v, std::string fallback = "") {
    return v && (v->is_string() || v->is_number() || v->is_bool()) ? v->to_text() : fallback;
  }
  // Numbers and booleans may arrive as strings (from ${env:} or --param); the schema accepted
  // them as Serverless does (ajv's coerceTypes), so the model reads them the same way.
  static std::optional<int> integer(const Value* v) {
    if (!v) return std::nullopt;
    if (v->is_number()) return static_cast<int>(std::clamp<std::int64_t>(v->as_int(), INT32_MIN, INT32_MAX));
    if (!v->is_string() || v->as_string().empty()) return std::nullopt;
    std::int64_t out = 0;
    const std::string& s = v->as_string();
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return static_cast<int>(std::clamp<std::int64_t>(out, INT32_MIN, INT32_MAX));
  }
  static bool boolean(const Value* v, bool fallback) {
    if (v && v->is_bool()) return v->as_bool();
    if (v && v->is_string() && (v->as_string() == "true" || v->as_string() == "false"))
      return v->as_string() == "true";
    return fallback;
  }

  std::vector<std::string> string_list(const Value* v) {
    std::vector<std::string> out;
    if (!v) return out;
    if (v->is_string()) out.push_back(v->as_string());
    if (v->is_sequence())
      for (const auto& item : v->items())
        if (item.is_string()) out.push_back(item.as_string());
    return out;
  }

  PackageConfig package(const Value* v, const std::string& path) {
    PackageConfig p;
    if (!v || !v->is_map()) return p;
    // v3 order: `exclude` entries become negated patterns, then `include` entries, then `patterns`.
    auto exclude = string_list(v->find("exclude"));
    auto include = string_list(v->find("include"));
    if (!exclude.empty() || !include.empty())
      diags.warning((v->find("exclude") ? v->find("exclude") : v->find("include"))->mark, path,
                    path + ".include and " + path + ".exclude are deprecated; use " + path +
                        ".patterns (excludes as '!pattern')");
    // An exclude entry written "!x" re-includes x, as in the Serverless Framework.
    for (const auto& e : exclude) p.patterns.push_back(e.starts_with('!') ? e.substr(1) : "!" + e);
    for (const auto& i : include) p.patterns.push_back(i);
    for (const auto& s : string_list(v->find("patterns"))) p.patterns.push_back(s);
    p.artifact = str(v->find("artifact"));
    if (const Value* ind = v->find("individually"); ind && ind->is_bool()) p.individually = ind->as_bool();
    p.exclude_dev_dependencies = boolean(v->find("excludeDevDependencies"), true);
    return p;
  }

  static std::string upper(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
    return s;
  }

  // "GET /users/{id}" -> method, path. `any_token` is what a route may use for "any method".
  bool split_route(const Value& v, const std::string& path, std::string& method, std::string& route,
                   std::span<const std::string> methods, const char* example) {
    const std::string& s = v.as_string();
    auto space = s.find_first_of(" \t");
    if (space == std::string::npos) {
      diags.error(v.mark, path, path + " must be 'METHOD /path', e.g. '" + example + "' (got '" + s + "')");
      return false;
    }
    method = upper(s.substr(0, space));
    route = s.substr(s.find_first_not_of(" \t", space));
    return check_method_and_path(v.mark, path, method, route, methods);
  }

  bool check_method_and_path(const Mark& mark, const std::string& path, std::string& method,
                             std::string& route, std::span<const std::string> methods) {
    bool ok = true;
    // HTTP API routes write "any method" as ANY (API Gateway's route keys) or '*' (Serverless).
    if (method == "ANY" && std::find(methods.begin(), methods.end(), "*") != methods.end()) method = "*";
    if (std::find(methods.begin(), methods.end(), method) == methods.end()) {
      std::string list;
      for (const auto& m : methods) list += (list.empty() ? "" : ", ") + m;
      diags.error(mark, path,
                  path + ": unknown HTTP method '" + method + "'" + did_you_mean_suffix(method, methods) +
                      "; use one of " + list);
      ok = false;
    }
    if (route.empty() || route.find_first_of(" \t") != std::string::npos) {
      diags.error(mark, path, path + ": the path must not be empty or contain spaces (got '" + route + "')");
      ok = false;
    }
    if (!route.empty() && route.front() != '/' && route != "*")
      route = "/" + route;  // sls accepts "users/{id}"
    return ok;
  }

  std::optional<HttpEvent> http(const Value& v, const std::string& path) {
    static const std::array<std::string, 8> methods = {"GET",    "POST", "PUT",     "PATCH",
                                                       "DELETE", "HEAD", "OPTIONS", "ANY"};
    HttpEvent e;
    if (v.is_string()) {
      if (!split_route(v, path, e.method, e.path, methods, "GET /users/{id}")) return std::nullopt;
      return e;
    }
    if (!v.is_map()) return std::nullopt;
    e.method = upper(str(v.find("method")));
    e.path = str(v.find("path"));
    if (e.method.empty() || e.path.empty()) {
      diags.error(v.mark, path, path + " needs both 'path' and 'method'");
      return std::nullopt;
    }
    if (!check_method_and_path(v.mark, path, e.method, e.path, methods)) return std::nullopt;
    if (const Value* cors = v.find("cors")) e.cors = cors->is_map() || cors->as_bool();
    e.is_private = boolean(v.find("private"), false);
    e.async = boolean(v.find("async"), false);
    std::string integration = str(v.find("integration"), "lambda-proxy");
    // AWS's own names are accepted by Serverless as aliases.
    if (integration == "AWS_PROXY" || integration == "aws_proxy" || integration == "aws-proxy")
      integration = "lambda-proxy";
    if (integration == "AWS" || integration == "aws") integration = "lambda";
    if (integration == "HTTP") integration = "http";
    if (integration == "HTTP_PROXY") integration = "http-proxy";
    if (integration == "MOCK") integration = "mock";
    e.integration = integration;
    return e;
  }

  std::optional<HttpApiEvent> http_api(const Value& v, const std::string& path,
                                       const std::string& default_payload) {
    static const std::array<std::string, 8> methods = {"GET",    "POST", "PUT",     "PATCH",
                                                       "DELETE", "HEAD", "OPTIONS", "*"};
    HttpApiEvent e;
    e.payload = default_payload;
    if (v.is_string() && (v.as_string() == "*" || v.as_string() == "$default")) {
      e.method = e.path = "*";
      return e;
    }
    if (v.is_string()) {
      if (!split_route(v, path, e.method, e.path, methods, "GET /users/{id}")) return std::nullopt;
      return e;
    }
    if (!v.is_map()) return std::nullopt;
    e.method = upper(str(v.find("method"), "*"));
    if (e.method == "ANY") e.method = "*";
    e.path = str(v.find("path"));
    if (e.path.empty()) {
      diags.error(v.mark, path, path + " needs a 'path' (or use the string form 'GET /path')");
      return std::nullopt;
    }
    if (e.path == "*" && e.method == "*") return e;
    if (!check_method_and_path(v.mark, path, e.method, e.path, methods)) return std::nullopt;
    return e;
  }

  std::optional<ScheduleEvent> schedule(const Value& v, const std::string& path) {
    ScheduleEvent e;
    const Value* rate = &v;
    std::string rate_path = path;
    if (v.is_map()) {
      rate = v.find("rate");
      rate_path = path + ".rate";
      if (!rate) {
        diags.error(v.mark, path, path + " needs a 'rate' (e.g. rate: rate(10 minutes))");
        return std::nullopt;
      }
      e.enabled = boolean(v.find("enabled"), true);
      e.name = str(v.find("name"));
      e.description = str(v.find("description"));
      if (const Value* input = v.find("input")) e.input = *input;
      e.input_path = str(v.find("inputPath"));
      if (const Value* t = v.find("inputTransformer")) e.input_transformer = *t;
      int inputs = (e.input ? 1 : 0) + (e.input_path.empty() ? 0 : 1) + (e.input_transformer ? 1 : 0);
      if (inputs > 1)
        diags.error(v.mark, path, path + ": use only one of input, inputPath and inputTransformer");
    }
    std::vector<const Value*> expressions;
    if (rate->is_sequence())
      for (const auto& item : rate->items()) expressions.push_back(&item);
    else
      expressions.push_back(rate);
    bool ok = true;
    for (const Value* x : expressions) {
      if (!x->is_string()) continue;  // the schema reported it
      auto parsed = schedule::parse(x->as_string());
      if (!parsed.expression) {
        diags.error(x->mark, rate_path, parsed.error);
        ok = false;
        continue;
      }
      e.expressions.push_back(x->as_string());
    }
    if (!ok) return std::nullopt;
    return e;
  }

  std::optional<SqsEvent> sqs(const Value& v, const std::string& path) {
    SqsEvent e;
    const Value* arn = v.is_map() ? v.find("arn") : &v;
    if (!arn) return std::nullopt;
    e.arn = *arn;
    if (arn->is_string()) {
      // arn:aws:sqs:region:account:name
      const std::string& s = arn->as_string();
      auto colons = std::count(s.begin(), s.end(), ':');
      if (s.rfind("arn:", 0) != 0 || colons != 5 || s.find(":sqs:") == std::string::npos) {
        diags.error(arn->mark, path,
                    path + ": '" + s +
                        "' is not an SQS queue ARN (arn:aws:sqs:REGION:ACCOUNT:NAME); for a queue "
                        "defined in resources use { \"Fn::GetAtt\": [LogicalId, Arn] }");
        return std::nullopt;
      }
      e.queue_name = s.substr(s.rfind(':') + 1);
    } else if (is_intrinsic(*arn)) {
      // {Fn::GetAtt: [Queue, Arn]} or {Ref: Queue}: name the queue after the resource.
      const Value& inner = arn->entries().front().value;
      if (inner.is_sequence() && !inner.items().empty())
        e.queue_name = inner.items().front().to_text();
      else if (inner.is_string())
        e.queue_name = inner.as_string();
      if (const Value* props = root.at_path("resources.Resources." + e.queue_name + ".Properties.QueueName");
          props && props->is_string())
        e.queue_name = props->as_string();
    }
    if (v.is_map()) {
      e.batch_size = integer(v.find("batchSize")).value_or(10);
      e.maximum_batching_window = integer(v.find("maximumBatchingWindow")).value_or(0);
      e.enabled = boolean(v.find("enabled"), true);
      e.report_batch_item_failures = str(v.find("functionResponseType")) == "ReportBatchItemFailures";
      if (const Value* f = v.find("filterPatterns")) e.filter_patterns = *f;
      bool fifo = e.queue_name.size() > 5 && e.queue_name.ends_with(".fifo");
      if (fifo && e.batch_size > 10)
        diags.error(v.find("batchSize")->mark, path + ".batchSize",
                    path + ".batchSize must be at most 10 for a FIFO queue (got " +
                        std::to_string(e.batch_size) + ")");
      if (e.batch_size > 10 && e.batch_size <= 10000 && e.maximum_batching_window < 1)
        diags.error(v.find("batchSize")->mark, path + ".batchSize",
                    path + ".batchSize above 10 needs maximumBatchingWindow of at least 1 second (AWS rule)");
    }
    return e;
  }

  std::optional<S3Event> s3(const Value& v, const std::string& path) {
    S3Event e;
    if (v.is_string()) {
      e.bucket = v.as_string();
      return e;
    }
    if (!v.is_map()) return std::nullopt;
    const Value* bucket = v.find("bucket");
    if (bucket && is_intrinsic(*bucket)) {
      const Value& inner = bucket->entries().front().value;
      e.bucket =
          inner.is_sequence() && !inner.items().empty() ? inner.items().front().to_text() : inner.to_text();
    } else {
      e.bucket = str(bucket);
    }
    e.event = str(v.find("event"), e.event);
    if (e.event.rfind("s3:", 0) != 0) {
      diags.error(
          v.find("event")->mark, path + ".event",
          path + ".event must be an S3 event name such as s3:ObjectCreated:* (got '" + e.event + "')");
      return std::nullopt;
    }
    if (const Value* rules = v.find("rules"); rules && rules->is_sequence())
      for (const auto& r : rules->items()) {
        if (const Value* p = r.find("prefix")) e.prefix = str(p);
        if (const Value* s = r.find("suffix")) e.suffix = str(s);
      }
    e.existing = boolean(v.find("existing"), false);
    return e;
  }

  Event event(const Value& item, const std::string& path, const std::string& default_payload) {
    Event ev;
    ev.mark = item.mark;
    if (!item.is_map() || item.entries().size() != 1) return ev;  // the schema reported it
    const auto& entry = item.entries().front();
    ev.type = entry.key;
    ev.raw = entry.value;
    std::string p = path + "." + entry.key;
    const Value& v = entry.value;
    if (!strict) return ev;
    if (ev.type == "http") {
      if (auto e = http(v, p)) ev.detail = *e;
    } else if (ev.type == "httpApi") {
      if (auto e = http_api(v, p, default_payload)) {
        if (const Value* payload = v.find("payload")) e->payload = str(payload);
        ev.detail = *e;
      }
    } else if (ev.type == "schedule") {
      if (auto e = schedule(v, p)) ev.detail = *e;
    } else if (ev.type == "sqs") {
      if (auto e = sqs(v, p)) ev.detail = *e;
    } else if (ev.type == "s3") {
      if (auto e = s3(v, p)) ev.detail = *e;
    }
    return ev;
  }

  Function function(const Service& service, const Value::Entry& entry) {
    Function f;
    f.key = entry.key;
    f.mark = entry.key_mark;
    const Value& v = entry.value;
    const std::string path = "functions." + entry.key;
    const Provider& p = service.provider;
    f.name = str(v.find("name"), service.name + "-" + p.stage + "-" + entry.key);
    f.handler = str(v.find("handler"));
    f.image = str(v.find("image"));
    if (v.find("image") && v.find("image")->is_map()) f.image = str(v.find("image")->find("name"), "image");
    if (f.handler.empty() && f.image.empty() && strict)
      diags.error(entry.key_mark, path,
                  path + " needs a 'handler' (e.g. handler: handler.hello) or an 'image'");
    if (!f.handler.empty() && f.image.empty() && strict) {
      auto dot = f.handler.rfind('.');
      bool ok = dot != std::string::npos && dot > 0 && dot + 1 < f.handler.size() && f.handler.back() != '/';
      if (!ok)
        diags.error(v.find("handler")->mark, path + ".handler",
                    path +
                        ".handler must be 'file.function' (e.g. handler.hello for hello() in handler.py or "
                        "handler.js), got '" +
                        f.handler + "'");
    }
    if (!f.name.empty() &&
        (f.name.size() > 64 ||
         f.name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") !=
             std::string::npos)) {
      const Value* n = v.find("name");
      diags.error(n ? n->mark : entry.key_mark, path + ".name",
                  "the deployed name of " + path + " is '" + f.name +
                      "': Lambda names are at most 64 letters, digits, hyphens or underscores; set " + path +
                      ".name to a shorter one");
    }
    f.runtime = str(v.find("runtime"), p.runtime.empty() ? kDefaultRuntime : p.runtime);
    f.architecture = str(v.find("architecture"), p.architecture);
    f.memory_size = integer(v.find("memorySize")).value_or(p.memory_size);
    f.timeout = integer(v.find("timeout")).value_or(p.timeout);
    f.ephemeral_storage_size = integer(v.find("ephemeralStorageSize")).value_or(512);
    f.description = str(v.find("description"));
    if (const Value* role = v.find("role")) f.role = role->is_string() ? role->as_string() : role->to_text();
    f.environment = p.environment;
    if (const Value* env = v.find("environment"); env && env->is_map())
      for (const auto& e : env->entries()) f.environment.set(e.key, e.value, e.key_mark);
    f.tags = p.tags;
    if (const Value* tags = v.find("tags"); tags && tags->is_map())
      for (const auto& t : tags->entries()) f.tags.set(t.key, t.value, t.key_mark);
    f.reserved_concurrency = integer(v.find("reservedConcurrency"));
    f.provisioned_concurrency = integer(v.find("provisionedConcurrency"));
    if (const Value* url = v.find("url"); url && !(url->is_bool() && !url->as_bool())) f.url = *url;
    f.maximum_retry_attempts = integer(v.find("maximumRetryAttempts"));
    f.maximum_event_age = integer(v.find("maximumEventAge"));
    f.log_retention_in_days = integer(v.find("logRetentionInDays"));
    if (const Value* d = v.find("destinations")) f.destinations = *d;
    if (const Value* o = v.find("onError")) f.on_error = *o;
    if (const Value* l = v.find("layers"); l && l->is_sequence()) f.layers = *l;
    f.package = package(v.find("package"), path + ".package");
    // As Serverless deploys it: the function's httpApi.payload, else the provider's, else 2.0.
    const Value* own_payload = v.at_path("httpApi.payload");
    std::string default_payload =
        own_payload ? str(own_payload) : str(root.at_path("provider.httpApi.payload"), "2.0");
    if (const Value* events = v.find("events"); events && events->is_sequence())
      for (std::size_t i = 0; i < events->items().size(); ++i)
        f.events.push_back(event(events->items()[i], path + ".events." + std::to_string(i), default_payload));
    return f;
  }
};

}  // namespace

Service build_service(const Value& root, const std::filesystem::path& config_file, const std::string& stage,
                      const std::string& region, Diagnostics& diags) {
  Builder b{root, diags};
  Service s;
  s.config_file = config_file;
  s.dir = config_file.parent_path();
  const Value* service = root.find("service");
  s.name = service && service->is_map() ? Builder::str(service->find("name")) : Builder::str(service);
  s.framework_version = Builder::str(root.find("frameworkVersion"));
  s.config_validation_mode = Builder::str(root.find("configValidationMode"), "warn");
  s.use_dotenv = Builder::boolean(root.find("useDotenv"), false);

  Provider& p = s.provider;
  if (const Value* prov = root.find("provider"); prov && prov->is_map()) {
    p.name = Builder::str(prov->find("name"), "aws");
    p.endpoint = Builder::str(prov->find("endpoint"));
    p.runtime = Builder::str(prov->find("runtime"));
    p.profile = Builder::str(prov->find("profile"));
    p.architecture = Builder::str(prov->find("architecture"), "x86_64");
    p.memory_size = Builder::integer(prov->find("memorySize")).value_or(1024);
    p.timeout = Builder::integer(prov->find("timeout")).value_or(6);
    p.log_retention_in_days = Builder::integer(prov->find("logRetentionInDays"));
    if (const Value* db = prov->find("deploymentBucket"))
      p.deployment_bucket = db->is_map() ? Builder::str(db->find("name")) : Builder::str(db);
    for (auto [key, field] : {std::pair{"environment", &p.environment},
                              {"tags", &p.tags},
                              {"iam", &p.iam},
                              {"httpApi", &p.http_api},
                              {"apiGateway", &p.api_gateway}})
      if (const Value* v = prov->find(key); v && v->is_map()) *field = *v;
  }
  p.stage = stage;
  p.region = region;
  s.package = b.package(root.find("package"), "package");
  for (auto [key, field] :
       {std::pair{"layers", &s.layers}, {"custom", &s.custom}, {"resources", &s.resources}})
    if (const Value* v = root.find(key); v && v->is_map()) *field = *v;
  if (const Value* plugins = root.find("plugins")) s.plugins = *plugins;

  // Another provider's handlers and events follow its own rules: keep them as written, check nothing.
  b.strict = p.name == "aws";
  if (const Value* fns = root.find("functions"); fns && fns->is_map())
    for (const auto& entry : fns->entries()) {
      if (!entry.value.is_map()) continue;  // the schema reported it
      s.functions.push_back(b.function(s, entry));
    }
  return s;
}

const Function* Service::find_function(std::string_view key) const {
  for (const auto& f : functions)
    if (f.key == key) return &f;
  return nullptr;
}

}  // namespace stratus::manifest
