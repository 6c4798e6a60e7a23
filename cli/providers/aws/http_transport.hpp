#pragma once
// The wire under the AWS client: one HTTP(S) exchange. A seam (STYLE 8): the client's retry,
// signing and logging are tested with a fake, and the real one (cpp-httplib, OpenSSL) is tested
// against local servers.
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace stratus::aws {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpExchange {
  std::string method;
  std::string origin;  // "https://lambda.us-east-1.amazonaws.com", "http://127.0.0.1:5000"
  std::string target;  // "/2015-03-31/functions?MaxItems=10", already encoded
  Headers headers;     // sent as given (Host included)
  std::string body;
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds read_timeout{60'000};
};

struct HttpOutcome {
  int status = 0;  // 0: no response (see error)
  Headers headers;
  std::string body;
  std::string error;  // why there is no response: "connection refused", "certificate verify failed", ...
};

using Transport = std::function<HttpOutcome(const HttpExchange&)>;

struct TlsOptions {
  // A PEM bundle to trust instead of the system's (AWS_CA_BUNDLE, tests); "" = the system store.
  std::string ca_file;
};

// HTTP and HTTPS over cpp-httplib with certificate and host name verification. Connections are
// kept alive and reused per origin; calls to one origin are serialized, calls to different
// origins may run in parallel. Never throws.
Transport http_transport(const TlsOptions& tls = {});

}  // namespace stratus::aws
