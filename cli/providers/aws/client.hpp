#pragma once
// The AWS API client every deploy step goes through: it finds the service's endpoint, signs the
// request with SigV4, sends it (HTTPS with verification, or plain HTTP to a local endpoint such as
// moto, LocalStack or `stratus serve`), retries throttling, 5xx and lost connections with
// exponential back-off and full jitter, and reads AWS errors into AwsError.
//
// Under `verbose` every attempt is logged as `METHOD redacted-url -> status (ms)`: the query's
// signatures, credentials and tokens are masked, and no header or body is ever printed.
//
// One Client may be used from several threads at once. Each attempt is a fresh connection
// (`Connection: close`); connection reuse is a later optimisation behind the Transport seam.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cli/errors.hpp"
#include "cli/providers/aws/credentials.hpp"
#include "cli/providers/aws/errors.hpp"
#include "cli/providers/aws/http_transport.hpp"
#include "emulator/auth/sigv4.hpp"

namespace stratus::aws {

struct Request {
  std::string method = "GET";
  std::string path = "/";                                  // percent-encoded ("/2015-03-31/functions/my-fn")
  std::vector<std::pair<std::string, std::string>> query;  // decoded; encoded and sorted when sent
  Headers headers;                                         // e.g. Content-Type, X-Amz-Target
  std::string body;
};

struct Response {
  int status = 0;
  Headers headers;
  std::string body;

  // The first header of that name, any case; "" when absent.
  std::string header(std::string_view name) const;
  bool ok() const { return status >= 200 && status < 300; }
  // The AWS error this response carries (nullopt for 2xx/3xx).
  std::optional<AwsError> error() const;
};

// No response at all, after every attempt: the endpoint is unreachable, TLS failed, or it timed
// out. Exit code 1 (the remote call failed).
class ConnectionError : public UserError {
 public:
  explicit ConnectionError(const std::string& message) : UserError(message, kExitFailure) {}
};

struct RetryPolicy {
  int max_attempts = 5;  // the first try included
  std::chrono::milliseconds base_delay{500};
  std::chrono::milliseconds max_delay{20'000};
};

struct ClientOptions {
  std::string region = "us-east-1";
  std::string endpoint_override;  // one URL for every service (--endpoint); "" = per-service rules
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds read_timeout{60'000};
  RetryPolicy retry;
  bool verbose = false;
  std::string ca_file;  // trust this PEM bundle instead of the system store ("" = AWS_CA_BUNDLE or system)

  // Seams, defaulted to the real thing: the environment (endpoint variables), the wire, the wall
  // clock (Unix seconds, for signing), sleeping between attempts, jitter in [0, 1), the log sink.
  EnvLookup env = process_environment();
  Transport transport;  // empty: http_transport({ca_file})
  std::function<std::int64_t()> now;
  std::function<void(std::chrono::milliseconds)> sleep;
  std::function<double()> random;
  std::function<void(const std::string&)> log;  // one line, no newline; default: stderr
};

class Client {
 public:
  Client(auth::Credentials credentials, ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Sends `request` to `service` (a name resolve_endpoint knows) and returns its final response,
  // whatever its status: a 4xx is the caller's to read (`response.error()`). Retryable answers
  // (429, 5xx, throttling codes) are retried; the last one is returned when attempts run out.
  // Throws ConnectionError when no attempt got a response.
  Response call(std::string_view service, const Request& request);

  // The endpoint `service` resolves to for this client.
  Endpoint endpoint(std::string_view service) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

// "https://host/path?X-Amz-Signature=***&Marker=abc": the URL for logs, with the values of
// query parameters that could hold a secret masked and any user:password removed.
std::string redact_url(std::string_view url);

// Whether an answer is worth another attempt: 429, 500, 502, 503, 504, or a throttling code.
bool is_retryable(const Response& response);

// The delay before attempt `attempt` (1 = the first retry): full jitter over an exponential
// ceiling, random in [0, 1).
std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int attempt, double random);

}  // namespace stratus::aws
