#pragma once
// A small HTTP/1.1 server for the emulator's front doors (the Lambda Invoke API, later API Gateway,
// SQS, S3): one thread accepts, one thread serves each connection (keep-alive; SDK clients keep a
// few), the handler runs on that thread. Responses leave in one send() on a TCP_NODELAY socket.
//
// What the server answers by itself, without calling the handler:
//   - a request that is not HTTP/1.x, or headers over wire::kMaxHeaderBytes -> 400, then close
//   - a body over ServerOptions::limits.body_max                          -> 413, then close
//   - a handler that throws                                               -> 500 (text/plain)
// A HEAD request reaches the handler as HEAD; its response goes out without the body.
//
// stop() closes the listening socket, lets requests in flight finish (their responses carry
// `Connection: close`), waits up to ServerOptions::drain for them, then cuts the remaining
// connections and joins every thread. Idle keep-alive connections are closed at once.
#include <chrono>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

#include "emulator/net/http_wire.hpp"

namespace stratus::net {

using Request = wire::Request;
using Response = wire::Response;
// Called concurrently from connection threads: it must be thread-safe.
using Handler = std::function<Response(const Request&)>;

struct ServerOptions {
  wire::Limits limits;
  std::chrono::milliseconds drain{5000};   // stop(): how long requests in flight may take
  std::chrono::seconds idle_timeout{300};  // a connection silent this long is closed
  std::string port_flag = "--port";        // named in the "already in use" error
};

// Thrown by the constructor when the address cannot be bound; what() is the user-facing text,
// e.g. "127.0.0.1:3002 is already in use; pass --lambda-port to choose another".
class BindError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class HttpServer {
 public:
  // Binds host:port (port 0 = an ephemeral port) and starts serving. `host` is an IPv4 literal
  // or "localhost". Throws BindError.
  HttpServer(std::string host, int port, Handler handler, ServerOptions options = {});
  ~HttpServer();  // stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  int port() const;             // the bound port (the ephemeral one when 0 was asked)
  std::string address() const;  // "127.0.0.1:PORT"
  void stop();                  // idempotent; see above

 private:
  struct State;
  std::unique_ptr<State> m_state;
};

}  // namespace stratus::net
