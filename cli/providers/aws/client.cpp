#include "cli/providers/aws/client.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <iostream>
#include <random>
#include <thread>

#include "emulator/common/clock.hpp"

namespace stratus::aws {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto low = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
           return low(x) == low(y);
         });
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// An endpoint URL cut into what the wire needs.
struct ParsedUrl {
  std::string origin;     // scheme://host[:port]
  std::string authority;  // host[:port], the Host header
  std::string base_path;  // "" or "/prefix" (no trailing slash)
};

std::optional<ParsedUrl> parse_endpoint(std::string_view url) {
  std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::nullopt;
  std::string scheme = lower(url.substr(0, scheme_end));
  if (scheme != "http" && scheme != "https") return std::nullopt;
  std::string_view rest = url.substr(scheme_end + 3);
  std::size_t slash = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, slash);
  if (auto at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
  if (authority.empty()) return std::nullopt;
  ParsedUrl parsed;
  parsed.authority = std::string(authority);
  parsed.origin = scheme + "://" + parsed.authority;
  if (slash != std::string_view::npos && rest[slash] == '/') {
    std::string_view path = rest.substr(slash);
    path = path.substr(0, path.find('?'));
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);
    parsed.base_path = std::string(path);
  }
  return parsed;
}

bool is_sensitive_parameter(std::string_view name) {
  std::string n = lower(name);
  for (std::string_view word : {"signature", "credential", "token", "secret", "password", "x-amz-security"}) {
    if (n.find(word) != std::string::npos) return true;
  }
  return false;
}

std::optional<std::chrono::milliseconds> retry_after(const Response& response) {
  std::string value = response.header("Retry-After");
  int seconds = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (value.empty() || ec != std::errc{} || end != value.data() + value.size() || seconds < 0)
    return std::nullopt;
  return std::chrono::seconds(seconds);
}

}  // namespace

std::string Response::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (iequals(n, name)) return v;
  }
  return {};
}

std::optional<AwsError> Response::error() const {
  return parse_aws_error(status, headers, body);
}

std::string redact_url(std::string_view url) {
  std::string out;
  std::size_t scheme_end = url.find("://");
  std::size_t authority_start = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
  std::size_t authority_end = url.find_first_of("/?", authority_start);
  if (authority_end == std::string_view::npos) authority_end = url.size();
  std::string_view authority = url.substr(authority_start, authority_end - authority_start);
  if (auto at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
  out += url.substr(0, authority_start);
  out += authority;
  std::string_view rest = url.substr(authority_end);
  std::size_t q = rest.find('?');
  out += rest.substr(0, q);
  if (q == std::string_view::npos) return out;
  out += '?';
  std::string_view query = rest.substr(q + 1);
  bool first = true;
  while (!query.empty()) {
    std::size_t amp = query.find('&');
    std::string_view piece = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (!first) out += '&';
    first = false;
    std::size_t eq = piece.find('=');
    std::string_view name = piece.substr(0, eq);
    out += name;
    if (eq == std::string_view::npos) continue;
    out += '=';
    out += is_sensitive_parameter(name) ? std::string_view("***") : piece.substr(eq + 1);
  }
  return out;
}

bool is_retryable(const Response& response) {
  if (response.status == 429 || response.status == 500 || response.status == 502 || response.status == 503 ||
      response.status == 504) {
    return true;
  }
  auto error = response.error();
  return error && error->is_throttling();
}

std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int attempt, double random) {
  double ceiling = static_cast<double>(policy.base_delay.count()) * std::pow(2.0, std::max(0, attempt - 1));
  ceiling = std::min(ceiling, static_cast<double>(policy.max_delay.count()));
  return std::chrono::milliseconds(static_cast<std::int64_t>(ceiling * std::clamp(random, 0.0, 1.0)));
}

struct Client::Impl {
  auth::Credentials credentials;
  ClientOptions options;

  void log(const std::string& line) const {
    if (options.verbose) options.log(line);
  }
};

Client::Client(auth::Credentials credentials, ClientOptions options)
    : m_impl(std::make_unique<Impl>(Impl{std::move(credentials), std::move(options)})) {
  ClientOptions& o = m_impl->options;
  if (o.ca_file.empty()) {
    if (auto bundle = o.env("AWS_CA_BUNDLE")) o.ca_file = *bundle;
  }
  if (!o.transport) o.transport = http_transport({o.ca_file});
  if (!o.now) o.now = [] { return unix_ms_now() / 1000; };
  if (!o.sleep) o.sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  if (!o.random) {
    o.random = [] {
      thread_local std::mt19937_64 engine{std::random_device{}()};
      return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
    };
  }
  if (!o.log) o.log = [](const std::string& line) { std::cerr << line << '\n'; };
}

Client::~Client() = default;

Endpoint Client::endpoint(std::string_view service) const {
  const ClientOptions& o = m_impl->options;
  return resolve_endpoint(service, o.region, o.endpoint_override, o.env);
}

Response Client::call(std::string_view service, const Request& request) {
  const ClientOptions& o = m_impl->options;
  const Endpoint ep = endpoint(service);
  std::optional<ParsedUrl> url = parse_endpoint(ep.url);
  if (!url) {
    throw UserError("endpoint '" + redact_url(ep.url) + "' (from " + ep.source +
                    ") is not an http:// or https:// URL; fix: set it to e.g. http://127.0.0.1:4566");
  }

  HttpExchange exchange;
  exchange.method = request.method;
  exchange.origin = url->origin;
  const std::string path = url->base_path + (request.path.empty() ? "/" : request.path);
  // Sent in canonical form, so what travels is exactly what was signed.
  const std::string query = auth::canonical_query_string(request.query);
  exchange.target = query.empty() ? path : path + "?" + query;
  exchange.body = request.body;
  exchange.connect_timeout = o.connect_timeout;
  exchange.read_timeout = o.read_timeout;
  const std::string shown_url = redact_url(url->origin + exchange.target);
  const auth::Scope scope{ep.signing_region, ep.signing_service};

  std::string last_error;
  std::optional<Response> last_response;
  const int attempts = std::max(1, o.retry.max_attempts);
  int made = 0;
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    made = attempt;
    // Signed afresh each time: a retry after a long back-off must not carry a stale date.
    auth::HttpRequestView view;
    view.method = request.method;
    view.path = path;
    view.query = query;
    view.headers = request.headers;
    view.headers.emplace_back("Host", url->authority);
    view.body = request.body;
    auth::SignResult signed_request = auth::sign(view, m_impl->credentials, scope, o.now());
    exchange.headers = view.headers;
    exchange.headers.insert(exchange.headers.end(), signed_request.headers_to_add.begin(),
                            signed_request.headers_to_add.end());
    exchange.headers.emplace_back("User-Agent", "stratus/" STRATUS_VERSION);

    auto started = std::chrono::steady_clock::now();
    HttpOutcome outcome = o.transport(exchange);
    auto elapsed =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started)
            .count();

    bool retry = false;
    std::string line = request.method + " " + shown_url + " -> ";
    if (outcome.status == 0) {
      last_error = outcome.error;
      line += "error: " + outcome.error;
      // A certificate that fails verification will fail again.
      retry = outcome.error.find("certificate") == std::string::npos;
    } else {
      last_response = Response{outcome.status, std::move(outcome.headers), std::move(outcome.body)};
      line += std::to_string(last_response->status);
      retry = is_retryable(*last_response);
    }
    line += " (" + std::to_string(elapsed) + " ms)";
    if (!retry || attempt == attempts) {
      m_impl->log(line);
      break;
    }
    std::chrono::milliseconds delay = backoff_delay(o.retry, attempt, o.random());
    if (last_response && outcome.status != 0) {
      if (auto after = retry_after(*last_response))
        delay = std::min(std::max(delay, *after), o.retry.max_delay);
    }
    m_impl->log(line + ", retrying in " + std::to_string(delay.count()) + " ms");
    last_response.reset();
    o.sleep(delay);
  }
  if (last_response) return std::move(*last_response);
  throw ConnectionError("cannot reach " + std::string(service) + " at " + redact_url(url->origin) +
                        " (from " + ep.source + "): " + last_error + " after " + std::to_string(made) +
                        (made == 1 ? " attempt" : " attempts"));
}

}  // namespace stratus::aws
