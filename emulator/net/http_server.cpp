#include "emulator/net/http_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <exception>
#include <list>
#include <mutex>
#include <thread>
#include <utility>

namespace stratus::net {

// One request's answer in flight. The connection's thread does not end (so the Conn outlives this)
// while `pending` is set; complete() touches the Conn only before it clears it.
struct ServedConnection;

struct Exchange {
  ServedConnection* conn;
  bool keep_alive;
  wire::BodyMode mode;
  std::atomic<bool> sent{false};
  Exchange(ServedConnection* c, bool k, wire::BodyMode m) : conn(c), keep_alive(k), mode(m) {}
  Exchange(const Exchange&) = delete;
  Exchange& operator=(const Exchange&) = delete;
  ~Exchange();
  void complete(const Response& response);
};

struct ServedConnection {
  int fd = -1;
  std::thread thread;
  bool done = false;  // guarded by HttpServer::State::mutex
  std::mutex mutex;   // guards the three below
  std::condition_variable answered;
  bool pending = false;  // a response is owed
  bool waiting = false;  // the thread waits on `answered`
  bool broken = false;   // a response could not be sent
};

void Exchange::complete(const Response& response) {
  if (sent.exchange(true)) return;
  std::string bytes;
  wire::serialize_response(bytes, response, keep_alive, mode);
  const bool ok = wire::send_all(conn->fd, bytes);
  std::lock_guard lock(conn->mutex);
  conn->pending = false;
  conn->broken = !ok;
  if (conn->waiting) conn->answered.notify_one();
}

Exchange::~Exchange() {
  // The last Responder went away unanswered (a handler that threw answers from the catch first).
  if (!sent) {
    Response res;
    res.status = 500;
    res.content_type = "text/plain";
    res.body = "Internal error: no response\n";
    complete(res);
  }
}

void Responder::send(Response response) {
  if (m_exchange) std::exchange(m_exchange, nullptr)->complete(response);
}

struct HttpServer::State {
  std::string host;
  int port = 0;
  AsyncHandler handler;
  ServerOptions options;
  int listen_fd = -1;
  int wake_fd = -1;  // eventfd: stop() wakes the accept loop through it
  std::thread acceptor;
  std::atomic<bool> stopping{false};
  std::mutex mutex;  // guards conns and each Conn::done
  std::condition_variable conn_done;
  std::list<ServedConnection> conns;
  std::mutex stop_mutex;  // serialises stop()
  bool stopped = false;

  void serve(ServedConnection& conn);
  void accept_loop();
  void reap_locked();
};

namespace {

Response plain(int status, std::string body) {
  Response res;
  res.status = status;
  res.content_type = "text/plain";
  res.body = std::move(body);
  return res;
}

}  // namespace

// Blocks until the response owed on `conn` has left; false when it could not be sent.
namespace {

bool await_answer(ServedConnection& conn) {
  std::unique_lock lock(conn.mutex);
  conn.waiting = true;
  conn.answered.wait(lock, [&] { return !conn.pending; });
  conn.waiting = false;
  return !conn.broken;
}

}  // namespace

void HttpServer::State::serve(ServedConnection& conn) {
  wire::Connection wire_conn(conn.fd);
  wire::Request req;
  for (;;) {
    wire::ReadStatus status = wire_conn.read_request(req, options.limits);
    // Responses leave in request order: the one before this request first (a client that waits
    // for it before sending on, as nearly all do, finds it long gone).
    if (!await_answer(conn)) break;
    if (status == wire::ReadStatus::closed) break;
    if (status == wire::ReadStatus::malformed) {
      wire_conn.write_response(plain(400, "Bad Request\n"), false);
      break;
    }
    if (status == wire::ReadStatus::too_large) {
      wire_conn.write_response(plain(413, "Request body too large (limit " +
                                              std::to_string(options.limits.body_max) + " bytes)\n"),
                               false);
      break;
    }
    const bool keep_alive = req.keep_alive && !stopping;
    auto exchange = std::make_shared<Exchange>(
        &conn, keep_alive, req.method == "HEAD" ? wire::BodyMode::omit : wire::BodyMode::send);
    {
      std::lock_guard lock(conn.mutex);
      conn.pending = true;
    }
    try {
      handler(req, Responder(exchange));
    } catch (const std::exception& e) {
      exchange->complete(plain(500, std::string("Internal error: ") + e.what() + "\n"));
    } catch (...) {
      exchange->complete(plain(500, "Internal error\n"));
    }
    exchange.reset();  // a handler that kept no Responder is answered 500 here
    if (!keep_alive) {
      await_answer(conn);
      break;
    }
  }
  await_answer(conn);
  // FIN now so the peer sees the close; the descriptor is closed by the reaper or stop(), so its
  // number cannot be reused while stop() may still shut it down.
  ::shutdown(conn.fd, SHUT_RDWR);
  std::lock_guard lock(mutex);
  conn.done = true;
  conn_done.notify_all();
}

void HttpServer::State::reap_locked() {
  for (auto it = conns.begin(); it != conns.end();) {
    if (!it->done) {
      ++it;
      continue;
    }
    it->thread.join();  // done is set last thing: the join is immediate
    ::close(it->fd);
    it = conns.erase(it);
  }
}

void HttpServer::State::accept_loop() {
  for (;;) {
    pollfd fds[2] = {{listen_fd, POLLIN, 0}, {wake_fd, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents != 0) return;
    int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    timeval idle{static_cast<time_t>(options.idle_timeout.count()), 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &idle, sizeof idle);
    timeval send_timeout{30, 0};  // a client that stops reading must not hold stop() forever
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof send_timeout);
    std::lock_guard lock(mutex);
    reap_locked();
    ServedConnection& conn = conns.emplace_back();
    conn.fd = fd;
    conn.thread = std::thread([this, &conn] { serve(conn); });
  }
}

HttpServer::HttpServer(std::string host, int port, Handler handler, ServerOptions options)
    : HttpServer(
          std::move(host), port,
          [handler = std::move(handler)](const Request& req, Responder responder) {
            responder.send(handler(req));
          },
          std::move(options)) {}

HttpServer::HttpServer(std::string host, int port, AsyncHandler handler, ServerOptions options)
    : m_state(std::make_unique<State>()) {
  State& s = *m_state;
  s.host = host == "localhost" ? "127.0.0.1" : std::move(host);
  s.handler = std::move(handler);
  s.options = std::move(options);
  const std::string where = s.host + ":" + std::to_string(port);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  if (port < 0 || port > 65535 || ::inet_pton(AF_INET, s.host.c_str(), &addr.sin_addr) != 1)
    throw BindError("cannot listen on " + where + ": not an IPv4 address and port");
  s.listen_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  if (s.listen_fd >= 0) ::setsockopt(s.listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  socklen_t len = sizeof addr;
  if (s.listen_fd < 0 || ::bind(s.listen_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(s.listen_fd, SOMAXCONN) != 0 ||
      ::getsockname(s.listen_fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0 ||
      (s.wake_fd = ::eventfd(0, EFD_CLOEXEC)) < 0) {
    const int err = errno;
    if (s.listen_fd >= 0) ::close(s.listen_fd);
    if (err == EADDRINUSE)
      throw BindError(where + " is already in use; pass " + s.options.port_flag + " to choose another");
    throw BindError("cannot listen on " + where + ": " + std::strerror(err));
  }
  s.port = ntohs(addr.sin_port);
  s.acceptor = std::thread([&s] { s.accept_loop(); });
}

HttpServer::~HttpServer() {
  stop();
}

int HttpServer::port() const {
  return m_state->port;
}

std::string HttpServer::address() const {
  return m_state->host + ":" + std::to_string(m_state->port);
}

void HttpServer::stop() {
  State& s = *m_state;
  std::lock_guard stop_lock(s.stop_mutex);
  if (s.stopped) return;
  s.stopped = true;
  s.stopping = true;
  std::uint64_t one = 1;
  [[maybe_unused]] auto written = ::write(s.wake_fd, &one, sizeof one);
  s.acceptor.join();
  ::close(s.listen_fd);
  ::close(s.wake_fd);

  std::unique_lock lock(s.mutex);
  // Only the read side: an idle connection wakes from recv() and ends; one whose handler is
  // running still sends its response, then finds the end of the stream.
  for (auto& conn : s.conns)
    if (!conn.done) ::shutdown(conn.fd, SHUT_RD);
  auto all_done = [&] {
    for (const auto& conn : s.conns)
      if (!conn.done) return false;
    return true;
  };
  if (!s.conn_done.wait_for(lock, s.options.drain, all_done)) {
    // Past the bound: cut the stragglers. Their handlers still run to the end (the engine bounds
    // an invocation by the function's timeout); their responses have nowhere to go.
    for (auto& conn : s.conns)
      if (!conn.done) ::shutdown(conn.fd, SHUT_RDWR);
  }
  std::list<ServedConnection> conns = std::move(s.conns);
  s.conns.clear();
  lock.unlock();
  for (auto& conn : conns) {
    conn.thread.join();
    ::close(conn.fd);
  }
}

}  // namespace stratus::net
