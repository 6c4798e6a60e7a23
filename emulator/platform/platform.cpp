#include "emulator/platform/platform.hpp"

#include <chrono>
#include <map>
#include <mutex>
#include <stdexcept>

#include "emulator/auth/sigv4.hpp"
#include "emulator/common/ids.hpp"
#include "emulator/engine/engine.hpp"
#include "emulator/platform/control_plane.hpp"
#include "emulator/platform/log_store.hpp"
#include "emulator/platform/logs_api.hpp"
#include "emulator/platform/registry.hpp"
#include "emulator/platform/sts.hpp"
#include "emulator/triggers/http/http_trigger.hpp"
#include "emulator/triggers/invoke_api/invoke_api.hpp"

namespace stratus::platform {

namespace {

// CreateFunction's limit: a 50 MB zip as base64 in JSON (spec 2.1).
constexpr std::size_t kMaxRequestBytes = 69905067;
constexpr std::string_view kInvokePrefix = "/2015-03-31/functions/";
constexpr std::string_view kInvokeSuffix = "/invocations";
constexpr std::string_view kUrlPrefix = "/_url/";

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void add_request_id(net::Response& res) {
  for (const auto& [name, value] : res.headers)
    if (name == "X-Amzn-RequestId") return;
  res.headers.emplace_back("X-Amzn-RequestId", new_request_id());
}

}  // namespace

// One account: its engine, the Invoke API over it, and the HTTP trigger for its function URLs.
struct Account {
  std::string id;
  std::unique_ptr<engine::Engine> engine;
  std::unique_ptr<triggers::InvokeApi> invoke;
  // Rebuilt when a URL comes or goes; replaced ones are kept (a request in flight may still use
  // one) until the platform ends. Guarded by Impl::urls_mutex.
  std::shared_ptr<triggers::http::HttpTrigger> urls;
  std::vector<std::shared_ptr<triggers::http::HttpTrigger>> old_urls;
};

// Who signed a request, and for which service (the credential scope's: lambda, sts, logs).
struct Caller {
  std::string account_id;
  std::string service;
};

struct Platform::Impl {
  PlatformSettings settings;
  std::unique_ptr<Registry> registry;
  std::unique_ptr<LogStore> log_store;  // declared before the engines: it outlives their sinks
  std::map<std::string, std::unique_ptr<Account>> accounts;  // fixed after the constructor
  std::unique_ptr<ControlPlane> control;
  std::vector<std::string> warnings;
  std::mutex urls_mutex;
  std::map<std::string, std::pair<Account*, std::string>> url_targets;  // url id -> account, function
  std::once_flag stopped;

  Account& account(const std::string& id) {
    auto it = accounts.find(id);
    if (it == accounts.end()) throw std::logic_error("no engine for account " + id);
    return *it->second;
  }

  // The routes of `account`'s function URLs, from the registry.
  void rebuild_urls(const std::string& account_id) {
    Account& a = account(account_id);
    std::vector<triggers::http::RouteSpec> routes;
    std::map<std::string, std::string> ids;
    for (const FunctionRecord& r : registry->list(account_id)) {
      if (!r.url) continue;
      triggers::http::RouteSpec route;
      route.kind = triggers::http::ApiKind::function_url;
      route.method = "*";
      route.path = "";
      route.function = r.name;
      route.display_name = r.name;
      route.timeout_ms = r.timeout_s * 1000;
      routes.push_back(std::move(route));
      ids[r.url->url_id] = r.name;
    }
    triggers::http::HttpTriggerOptions options;
    options.region = settings.region;
    options.account_id = account_id;
    auto trigger = std::make_shared<triggers::http::HttpTrigger>(
        *a.engine, triggers::http::RouteTable(std::move(routes), "$default", false), options);
    std::lock_guard lock(urls_mutex);
    if (a.urls) a.old_urls.push_back(std::move(a.urls));
    a.urls = std::move(trigger);
    std::erase_if(url_targets, [&](const auto& entry) { return entry.second.first == &a; });
    for (const auto& [id, name] : ids) url_targets[id] = {&a, name};
  }

  void serve_url(const net::Request& request, net::Responder responder) {
    std::string_view rest = std::string_view(request.path).substr(kUrlPrefix.size());
    const std::string id(rest.substr(0, rest.find('/')));
    std::shared_ptr<triggers::http::HttpTrigger> trigger;
    std::string function;
    {
      std::lock_guard lock(urls_mutex);
      auto it = url_targets.find(id);
      if (it != url_targets.end()) {
        trigger = it->second.first->urls;
        function = it->second.second;
      }
    }
    if (!trigger) {
      net::Response res;
      res.status = 404;
      res.body = R"({"Message":null})";  // what an unknown Function URL answers
      return responder.send(std::move(res));
    }
    // The trigger serves /_url/<function>/...: the URL id becomes the function's name.
    net::Request routed = request;
    routed.path = std::string(kUrlPrefix) + function + std::string(rest.substr(id.size()));
    if (rest.size() == id.size()) routed.path += "/";
    trigger->handle(routed, std::move(responder));
  }

  // The SigV4 check; the caller's account and the service of the credential scope, or nullopt
  // with the error sent in that service's shape (an unsigned query-protocol call is STS's).
  std::optional<Caller> authenticate(const net::Request& request, net::Responder& responder) {
    auth::HttpRequestView view;
    view.method = request.method;
    view.path = request.path;
    view.query = request.query;
    view.headers = request.headers;
    view.body = request.body;
    auto lookup = [this](std::string_view key) -> std::optional<std::string> {
      if (const AccessKey* k = settings.keys.find(key)) return k->secret_access_key;
      return std::nullopt;
    };
    auth::VerifyOptions options;
    options.max_skew_seconds = settings.max_skew_seconds;
    const auth::VerifyResult verdict = auth::verify(view, lookup, unix_now(), options);
    if (verdict.ok) return Caller{settings.keys.find(verdict.access_key_id)->account_id, verdict.service};
    if (verdict.service == "sts" || (verdict.service.empty() && is_query_protocol(request))) {
      responder.send(sts_auth_error(verdict));
      return std::nullopt;
    }
    const auth::AuthError error = auth::to_aws_error(verdict);
    if (verdict.service == "logs") {
      responder.send(logs_error(error.status, error.code, error.message));
      return std::nullopt;
    }
    net::Response res = lambda_error(error.status, error.code, error.message);
    add_request_id(res);
    responder.send(std::move(res));
    return std::nullopt;
  }

  void handle(const net::Request& request, net::Responder responder) {
    if (request.path.starts_with(kUrlPrefix)) return serve_url(request, std::move(responder));
    if (request.body_size > request.body.size()) {
      net::Response res = lambda_error(413, "RequestEntityTooLargeException",
                                       "Request must be smaller than " + std::to_string(kMaxRequestBytes) +
                                           " bytes for the CreateFunction operation");
      add_request_id(res);
      return responder.send(std::move(res));
    }
    const std::optional<Caller> caller = authenticate(request, responder);
    if (!caller) return;
    if (caller->service == "sts") return responder.send(sts_handle(request, caller->account_id));
    if (caller->service == "logs")
      return responder.send(logs_handle(request, caller->account_id, settings.region, *log_store));
    const std::string& account_id = caller->account_id;
    Account& a = account(account_id);
    std::string_view path = request.path;
    if (path.starts_with(kInvokePrefix) && path.ends_with(kInvokeSuffix) &&
        path.size() > kInvokePrefix.size() + kInvokeSuffix.size()) {
      // Only the caller's own functions: a name or an ARN of another account is not found.
      const std::string reference = net::wire::percent_decode(
          path.substr(kInvokePrefix.size(), path.size() - kInvokePrefix.size() - kInvokeSuffix.size()),
          false);
      FunctionTarget target = resolve_function(reference, account_id, settings.region);
      if (target.name.empty() && reference.find(':') != std::string::npos &&
          reference.find("function") != std::string::npos) {
        net::Response res =
            lambda_error(404, "ResourceNotFoundException", "Function not found: " + target.arn, "Message");
        add_request_id(res);
        return responder.send(std::move(res));
      }
      return a.invoke->handle_async(request, std::move(responder));
    }
    net::Response res = control->handle(request, account_id, request.header("Host"));
    add_request_id(res);
    responder.send(std::move(res));
  }
};

Platform::Platform(PlatformSettings settings) : m_impl(std::make_unique<Impl>()) {
  Impl& s = *m_impl;
  s.settings = std::move(settings);
  std::error_code ec;
  std::filesystem::create_directories(s.settings.data_dir / "functions", ec);
  if (ec)
    throw std::runtime_error("cannot create the data dir " + s.settings.data_dir.string() + ": " +
                             ec.message());
  std::filesystem::remove_all(s.settings.data_dir / "trash", ec);  // deletions a crash interrupted
  s.registry = std::make_unique<Registry>(s.settings.data_dir / "serve.db");
  s.log_store = std::make_unique<LogStore>(s.settings.data_dir / "logs.db");
  const std::vector<std::string> account_ids = s.settings.keys.accounts();
  for (const std::string& id : account_ids) {
    auto a = std::make_unique<Account>();
    a->id = id;
    engine::EngineSettings es;
    es.state_dir = s.settings.data_dir / "state" / id;
    es.sink = s.log_store->sink_for(id, s.settings.sink);
    es.host = s.settings.host;
    a->engine = std::make_unique<engine::Engine>(std::vector<engine::FunctionConfig>{}, std::move(es));
    triggers::InvokeApiOptions options;
    options.region = s.settings.region;
    options.account_id = id;
    // Versions and aliases: the control plane (made below, before any request) knows them.
    options.qualifier_key = [&s, id](const std::string& function, const std::string& qualifier) {
      return s.control->engine_key(id, function, qualifier);
    };
    a->invoke = std::make_unique<triggers::InvokeApi>(*a->engine, options);
    s.accounts.emplace(id, std::move(a));
  }
  ControlPlane::Callbacks callbacks;
  callbacks.engine_for = [&s](const std::string& id) -> engine::Engine& { return *s.account(id).engine; };
  callbacks.urls_changed = [&s](const std::string& id) { s.rebuild_urls(id); };
  s.control = std::make_unique<ControlPlane>(*s.registry, s.settings.data_dir, s.settings.region, callbacks);
  s.warnings = s.control->load(account_ids);
  for (auto& [id, a] : s.accounts) {
    a->engine->start();
    s.rebuild_urls(id);
  }
}

Platform::~Platform() {
  stop(std::chrono::milliseconds(0));
}

const std::vector<std::string>& Platform::warnings() const {
  return m_impl->warnings;
}

std::size_t Platform::function_count() const {
  std::size_t n = 0;
  for (const auto& [id, a] : m_impl->accounts)
    for (const auto& f : a->engine->functions())
      n += f.key.empty() ? 1 : 0;  // published versions are not functions
  return n;
}

void Platform::handle(const net::Request& request, net::Responder responder) {
  m_impl->handle(request, std::move(responder));
}

void Platform::stop(std::chrono::milliseconds drain) {
  std::call_once(m_impl->stopped, [&] {
    for (auto& [id, a] : m_impl->accounts) a->engine->stop(drain);
  });
}

net::ServerOptions Platform::server_options() {
  net::ServerOptions options;
  options.limits.body_keep = kMaxRequestBytes;
  options.limits.body_max = 128 * 1024 * 1024;
  options.port_flag = "--port";
  options.event_loop = false;
  return options;
}

}  // namespace stratus::platform
