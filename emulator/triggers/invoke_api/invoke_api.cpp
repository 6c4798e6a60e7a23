#include "emulator/triggers/invoke_api/invoke_api.hpp"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "emulator/common/base64.hpp"
#include "emulator/common/ids.hpp"
#include "emulator/common/sha256.hpp"
#include "emulator/common/utc_time.hpp"
#include "emulator/triggers/invoke_api/list_page.hpp"

namespace stratus::triggers {
namespace {

using Json = nlohmann::ordered_json;
using net::Request;
using net::Response;

constexpr std::string_view kPrefix = "/2015-03-31/functions";
constexpr std::string_view kInvokeAsyncPrefix = "/2014-11-13/functions/";

Response json_response(int status, const Json& body) {
  Response res;
  res.status = status;
  res.body = body.dump();
  return res;
}

// A service error as Lambda's front end sends it (spec section 2.1).
Response service_error(int status, const std::string& code, const std::string& message,
                       const char* message_key = "message") {
  Json body = {{"Type", "User"}, {message_key, message}};
  Response res = json_response(status, body);
  res.headers.emplace_back("x-amzn-ErrorType", code);
  return res;
}

Response invalid_parameter(const std::string& message) {
  return service_error(400, "InvalidParameterValueException", message);
}

// "name", "name:qual", "123456789012:function:name[:qual]", "arn:aws:lambda:r:a:function:name[:qual]"
struct FunctionRef {
  std::string base;  // without the qualifier: what Dispatcher::find_function takes
  std::optional<std::string> qualifier;
};

FunctionRef parse_function_ref(const std::string& text) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    std::size_t colon = text.find(':', start);
    parts.push_back(text.substr(start, colon - start));
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  std::size_t plain_parts = 1;  // parts before the qualifier
  if (parts.size() >= 7 && parts[0] == "arn")
    plain_parts = 7;
  else if (parts.size() >= 3 && parts[1] == "function")
    plain_parts = 3;
  FunctionRef ref;
  if (parts.size() == plain_parts + 1) {
    ref.qualifier = parts.back();
    ref.base = text.substr(0, text.rfind(':'));
  } else {
    ref.base = text;
  }
  return ref;
}

std::string format_last_modified(std::chrono::system_clock::time_point t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  const std::int64_t seconds = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  CivilTime c = civil_from_unix(seconds);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04lld-%02d-%02dT%02d:%02d:%02d.%03d+0000", static_cast<long long>(c.year),
                c.month, c.day, c.hour, c.minute, c.second, static_cast<int>(ms - seconds * 1000));
  return buf;
}

// Stand-ins for what a zip upload would give: stable for one configuration.
Sha256Digest config_digest(const engine::FunctionConfig& fn, std::string_view salt) {
  Sha256 h;
  h.update(salt);
  for (const std::string& s : {fn.name, fn.runtime, fn.handler, fn.code_dir.string(), fn.description}) {
    h.update(s);
    h.update("\n", 1);
  }
  h.update(std::to_string(fn.memory_mb) + "/" + std::to_string(fn.timeout_s) + "/" +
           std::to_string(fn.ephemeral_mb) + "/" + fn.architecture);
  for (const auto& [key, value] : fn.environment) h.update(key + "=" + value + "\n");
  return h.finish();
}

std::string revision_id(const engine::FunctionConfig& fn) {
  std::string hex = to_hex(config_digest(fn, "revision"));
  hex[12] = '4';  // shaped as a UUID v4, as Lambda's are
  hex[16] = "89ab"[hex[16] % 4];
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
         hex.substr(20, 12);
}

// What the unknown token in a non-JSON body was, as Lambda's message quotes it.
std::string first_token(std::string_view body) {
  std::size_t i = 0;
  while (i < body.size() && std::isspace(static_cast<unsigned char>(body[i]))) ++i;
  std::size_t end = i;
  while (end < body.size() && end - i < 64 && !std::isspace(static_cast<unsigned char>(body[end])) &&
         std::string_view("{}[],:\"").find(body[end]) == std::string_view::npos)
    ++end;
  return std::string(body.substr(i, std::max<std::size_t>(end - i, i < body.size() ? 1 : 0)));
}

class Handler {
 public:
  // With a `responder`, an invocation answers through it (see deferred()).
  Handler(engine::Dispatcher& dispatcher, const InvokeApiOptions& options, const Request& req,
          net::Responder* responder = nullptr)
      : m_dispatcher(dispatcher), m_options(options), m_req(req), m_responder(responder) {}

  // route() started an invocation that answers through the responder: its return value is void.
  bool deferred() const { return m_deferred; }

  Response route() {
    std::string_view path = m_req.path;
    if (path.starts_with(kInvokeAsyncPrefix))
      return route_invoke_async(path.substr(kInvokeAsyncPrefix.size()));
    if (path.substr(0, kPrefix.size()) != kPrefix) return unknown_operation();
    std::string_view rest = path.substr(kPrefix.size());
    if (rest.empty() || rest == "/") return require("GET", [&] { return list_functions(); });
    if (rest[0] != '/') return unknown_operation();
    rest.remove_prefix(1);
    std::size_t slash = rest.find('/');
    std::string name = net::wire::percent_decode(rest.substr(0, slash), false);
    if (name.empty()) return unknown_operation();
    if (slash == std::string_view::npos) return require("GET", [&] { return get_function(name, true); });
    std::string_view op = rest.substr(slash + 1);
    if (op == "configuration") return require("GET", [&] { return get_function(name, false); });
    if (op == "invocations") return require("POST", [&] { return invoke(name); });
    return unknown_operation();
  }

 private:
  // InvokeAsync, Lambda's deprecated first async API (serverless-offline serves it): an Event
  // invocation, answered 202 as one.
  Response route_invoke_async(std::string_view rest) {
    const std::size_t slash = rest.find('/');
    if (slash == std::string_view::npos || slash == 0) return unknown_operation();
    const std::string_view op = rest.substr(slash);
    if (op != "/invoke-async/" && op != "/invoke-async") return unknown_operation();
    const std::string name = net::wire::percent_decode(rest.substr(0, slash), false);
    return require("POST", [&] { return invoke(name, "Event"); });
  }

  template <typename F>
  Response require(const char* method, F&& f) {
    if (m_req.method == method) return f();
    Response res = service_error(405, "MethodNotAllowedException",
                                 "The method " + m_req.method + " is not allowed for " + m_req.path);
    res.headers.emplace_back("Allow", method);
    return res;
  }

  Response unknown_operation() {
    return service_error(404, "UnknownOperationException",
                         "No Lambda operation matches " + m_req.method + " " + m_req.path);
  }

  std::string arn_for(const FunctionRef& ref) const {
    std::string arn;
    if (ref.base.rfind("arn:", 0) == 0)
      arn = ref.base;
    else if (ref.base.find(":function:") != std::string::npos)
      arn = "arn:aws:lambda:" + m_options.region + ":" + ref.base;
    else
      arn = "arn:aws:lambda:" + m_options.region + ":" + m_options.account_id + ":function:" + ref.base;
    return ref.qualifier ? arn + ":" + *ref.qualifier : arn;
  }

  // The function the path names, or the error response to send.
  std::optional<engine::FunctionConfig> resolve(const std::string& name, Response& error,
                                                std::optional<std::string>& qualifier) {
    FunctionRef ref = parse_function_ref(name);
    std::optional<std::string> query = m_req.query_param("Qualifier");
    if (query && ref.qualifier && *query != *ref.qualifier) {
      error = invalid_parameter(
          "The derived qualifier from the function name does not match the specified qualifier.");
      return std::nullopt;
    }
    if (query && !ref.qualifier) ref.qualifier = query;
    auto fn = m_dispatcher.find_function(ref.base);
    if (fn && ref.qualifier && *ref.qualifier != "$LATEST" && m_options.qualifier_key) {
      const std::optional<std::string> key = m_options.qualifier_key(fn->name, *ref.qualifier);
      fn = key ? m_dispatcher.find_function(*key) : std::nullopt;
    }
    if (!fn || (ref.qualifier && *ref.qualifier != "$LATEST" && !m_options.qualifier_key &&
                *ref.qualifier != fn->version)) {
      error =
          service_error(404, "ResourceNotFoundException", "Function not found: " + arn_for(ref), "Message");
      return std::nullopt;
    }
    qualifier = ref.qualifier;
    return fn;
  }

  // `type`: the invocation type when the operation fixes it, else the X-Amz-Invocation-Type header's.
  Response invoke(const std::string& name, std::string type = "") {
    if (type.empty()) type = m_req.header("X-Amz-Invocation-Type");
    if (type.empty()) type = "RequestResponse";
    if (type != "RequestResponse" && type != "Event" && type != "DryRun")
      return invalid_parameter("Unsupported invocation type " + type +
                               "; expected RequestResponse, Event or DryRun");
    std::string log_type = m_req.header("X-Amz-Log-Type");
    if (!log_type.empty() && log_type != "None" && log_type != "Tail")
      return invalid_parameter("Unsupported log type " + log_type + "; expected None or Tail");

    const std::size_t size = m_req.body_size;
    if (type == "Event" && size > kMaxEventPayloadBytes)
      return service_error(413, "RequestEntityTooLargeException",
                           std::to_string(size) +
                               " byte payload is too large for the Event invocation type (limit " +
                               std::to_string(kMaxEventPayloadBytes) + " bytes)");
    if (size > kMaxSyncPayloadBytes)
      return service_error(413, "RequestEntityTooLargeException",
                           "Request must be smaller than " + std::to_string(kMaxSyncPayloadBytes) +
                               " bytes for the InvokeFunction operation");

    Response error;
    std::optional<std::string> qualifier;
    auto fn = resolve(name, error, qualifier);
    if (!fn) return error;

    engine::InvokeRequest request;
    // Lambda hands a handler {} when the caller sent no payload.
    request.payload = m_req.body.empty() ? "{}" : m_req.body;
    if (!m_req.body.empty() && !nlohmann::json::accept(m_req.body))
      return service_error(400, "InvalidRequestContentException",
                           "Could not parse request body into json: Could not parse payload into json: "
                           "Unrecognized token '" +
                               first_token(m_req.body) +
                               "': was expecting (JSON String, Number, Array, Object or token 'null', "
                               "'true' or 'false')");
    if (m_req.has_header("X-Amz-Client-Context")) {
      auto decoded = base64_decode(m_req.header("X-Amz-Client-Context"));
      if (!decoded || !nlohmann::json::accept(*decoded))
        return service_error(400, "InvalidRequestContentException",
                             "Client context must be a valid Base64-encoded JSON object.");
      request.client_context = std::move(*decoded);
    }

    if (type == "DryRun") {
      Response res;
      res.status = 204;
      return res;
    }
    if (type == "Event") {
      std::string id;
      try {
        id = m_dispatcher.invoke_async(fn->id(), std::move(request.payload));
      } catch (const std::runtime_error& e) {
        // Not recorded, so not accepted: the client may send it again.
        Response res = json_response(
            500,
            Json{{"Type", "Service"}, {"message", std::string("The event was not queued: ") + e.what()}});
        res.headers.emplace_back("x-amzn-ErrorType", "ServiceException");
        return res;
      }
      Response res;
      res.status = 202;
      res.headers.emplace_back("X-Amzn-RequestId", id.empty() ? new_request_id() : id);
      return res;
    }

    request.invoked_arn = fn->arn() + (qualifier ? ":" + *qualifier : "");
    const bool tail = log_type == "Tail";
    request.want_log = tail;
    if (m_responder) {
      // std::function wants a copyable callable; the responder moves into a shared one.
      auto responder = std::make_shared<net::Responder>(std::move(*m_responder));
      m_deferred = true;
      m_dispatcher.invoke_then(fn->id(), std::move(request), [responder, tail](engine::InvokeResult result) {
        responder->send(invoke_response(std::move(result), tail));
      });
      return {};
    }
    return invoke_response(m_dispatcher.invoke(fn->id(), std::move(request)), tail);
  }

  static Response invoke_response(engine::InvokeResult result, bool tail) {
    const std::string request_id = result.request_id.empty() ? new_request_id() : result.request_id;
    if (result.status == engine::InvokeStatus::throttled) {
      Json body = {
          {"Reason", result.throttle_reason.empty() ? "ReservedFunctionConcurrentInvocationLimitExceeded"
                                                    : result.throttle_reason},
          {"Type", "User"},
          {"message", "Rate Exceeded."}};
      Response res = json_response(429, body);
      res.headers.emplace_back("x-amzn-ErrorType", "TooManyRequestsException");
      res.headers.emplace_back("Retry-After", "1");
      res.headers.emplace_back("X-Amzn-RequestId", request_id);
      return res;
    }
    Response res;
    res.status = 200;
    res.content_type = result.content_type.empty() ? "application/json" : result.content_type;
    res.body = std::move(result.payload);
    res.headers.emplace_back("X-Amzn-RequestId", request_id);
    res.headers.emplace_back("X-Amz-Executed-Version", result.executed_version);
    if (result.status == engine::InvokeStatus::function_error)
      res.headers.emplace_back("X-Amz-Function-Error",
                               result.function_error_type.empty() ? "Unhandled" : result.function_error_type);
    if (tail) {
      std::string_view log = result.log;
      if (log.size() > kLogTailBytes) log = log.substr(log.size() - kLogTailBytes);
      res.headers.emplace_back("X-Amz-Log-Result", base64_encode(log));
    }
    return res;
  }

  Json configuration(const engine::FunctionConfig& fn) const {
    const Sha256Digest code = config_digest(fn, "code");
    Json env = Json::object();
    for (const auto& [key, value] : fn.environment) env[key] = value;
    Json c = {
        {"FunctionName", fn.name},
        {"FunctionArn", fn.arn()},
        {"Runtime", fn.runtime},
        {"Role", m_options.role_arn},
        {"Handler", fn.handler},
        {"CodeSize", 0},
        {"Description", fn.description},
        {"Timeout", fn.timeout_s},
        {"MemorySize", fn.memory_mb},
        {"LastModified", format_last_modified(m_options.last_modified)},
        {"CodeSha256",
         base64_encode(std::string_view(reinterpret_cast<const char*>(code.data()), code.size()))},
        {"Version", fn.version},
    };
    if (!fn.environment.empty()) c["Environment"] = {{"Variables", env}};
    c["TracingConfig"] = {{"Mode", "PassThrough"}};
    c["RevisionId"] = revision_id(fn);
    c["State"] = "Active";
    c["LastUpdateStatus"] = "Successful";
    c["PackageType"] = "Zip";
    c["Architectures"] = Json::array({fn.architecture});
    c["EphemeralStorage"] = {{"Size", fn.ephemeral_mb}};
    c["LoggingConfig"] = {{"LogFormat", "Text"}, {"LogGroup", "/aws/lambda/" + fn.name}};
    return c;
  }

  Response get_function(const std::string& name, bool whole) {
    Response error;
    std::optional<std::string> qualifier;
    auto fn = resolve(name, error, qualifier);
    if (!fn) return error;
    if (!whole) return json_response(200, configuration(*fn));
    Json body = {{"Configuration", configuration(*fn)},
                 {"Code", {{"RepositoryType", "S3"}, {"Location", "file://" + fn->code_dir.string()}}},
                 {"Tags", Json::object()}};
    if (fn->reserved_concurrency)
      body["Concurrency"] = {{"ReservedConcurrentExecutions", *fn->reserved_concurrency}};
    return json_response(200, body);
  }

  Response list_functions() {
    std::vector<engine::FunctionConfig> all = m_dispatcher.functions();
    std::vector<std::string> names;
    for (const auto& fn : all) names.push_back(fn.name);
    const ListPage page = list_page(names, m_req.query_param("MaxItems"), m_req.query_param("Marker"));
    if (!page.error.empty()) return invalid_parameter(page.error);
    Json functions = Json::array();
    for (std::size_t i = page.begin; i < page.end; ++i) functions.push_back(configuration(all[i]));
    Json body = {{"Functions", std::move(functions)}};
    if (!page.next_marker.empty()) body["NextMarker"] = page.next_marker;
    return json_response(200, body);
  }

  engine::Dispatcher& m_dispatcher;
  const InvokeApiOptions& m_options;
  const Request& m_req;
  net::Responder* m_responder;
  bool m_deferred = false;
};

void add_request_id(Response& res) {
  const bool has_id = std::any_of(res.headers.begin(), res.headers.end(),
                                  [](const auto& h) { return h.first == "X-Amzn-RequestId"; });
  if (!has_id) res.headers.emplace_back("X-Amzn-RequestId", new_request_id());
}

}  // namespace

InvokeApi::InvokeApi(engine::Dispatcher& dispatcher, InvokeApiOptions options)
    : m_dispatcher(dispatcher), m_options(std::move(options)) {}

net::Response InvokeApi::handle(const net::Request& request) const {
  net::Response res = Handler(m_dispatcher, m_options, request).route();
  add_request_id(res);
  return res;
}

void InvokeApi::handle_async(const net::Request& request, net::Responder responder) const {
  Handler handler(m_dispatcher, m_options, request, &responder);
  net::Response res = handler.route();
  if (handler.deferred()) return;
  add_request_id(res);
  responder.send(std::move(res));
}

net::ServerOptions InvokeApi::server_options() {
  net::ServerOptions options;
  options.limits.body_keep = kMaxSyncPayloadBytes + 1;
  options.limits.body_max = 64 * 1024 * 1024;
  options.port_flag = "--lambda-port";
  // handle_async never blocks over the Engine (invoke_then and invoke_async return at once).
  options.event_loop = true;
  return options;
}

}  // namespace stratus::triggers
