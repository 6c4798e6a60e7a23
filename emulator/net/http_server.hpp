#pragma once
// A small HTTP/1.1 server for the emulator's front doors (the Lambda Invoke API, API Gateway, SQS,
// S3): one thread accepts, one thread serves each connection (keep-alive; SDK clients keep a
// few), the handler runs on that thread; or (ServerOptions::event_loop) one epoll thread serves
// them all. Responses leave in one send() on a TCP_NODELAY socket.
//
// A Handler returns its response. An AsyncHandler gets a Responder instead and may answer later
// from any thread (the engine answers a queued invocation from the thread that runs it, so no
// thread wakes only to pass a result on); the connection's thread meanwhile goes back to reading,
// and answers that connection's next request only after this one's response has left.
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

struct Exchange;

// The answer to one request, sent once from any thread. Move-only; when the last one is dropped
// without send(), the server answers 500, so a request is never left without a response.
class Responder {
 public:
  explicit Responder(std::shared_ptr<Exchange> exchange) : m_exchange(std::move(exchange)) {}
  Responder(Responder&&) noexcept = default;
  Responder& operator=(Responder&&) noexcept = default;
  Responder(const Responder&) = delete;
  Responder& operator=(const Responder&) = delete;

  void send(Response response);

 private:
  std::shared_ptr<Exchange> m_exchange;
};

// Called concurrently from connection threads: it must be thread-safe, and answer through the
// Responder exactly once (now or later).
using AsyncHandler = std::function<void(const Request&, Responder)>;

struct ServerOptions {
  wire::Limits limits;
  std::chrono::milliseconds drain{5000};   // stop(): how long requests in flight may take
  std::chrono::seconds idle_timeout{300};  // a connection silent this long is closed
  std::string port_flag = "--port";        // named in the "already in use" error
  // One epoll thread reads every connection and runs the handler, instead of a thread per
  // connection: under load one wake-up serves many requests. The handler must then never block
  // (it answers later through the Responder, as the Invoke API does over Engine::invoke_then). A
  // request whose body has not all arrived with its head is read on a thread of its own.
  bool event_loop = false;
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
  HttpServer(std::string host, int port, AsyncHandler handler, ServerOptions options = {});
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
