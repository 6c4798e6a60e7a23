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

struct HttpServer::State {
  std::string host;
  int port = 0;
  Handler handler;
  ServerOptions options;
  int listen_fd = -1;
  int wake_fd = -1;  // eventfd: stop() wakes the accept loop through it
  std::thread acceptor;
  std::atomic<bool> stopping{false};

  struct Conn {
    int fd = -1;
    std::thread thread;
    bool done = false;  // guarded by `mutex`
  };
  std::mutex mutex;  // guards conns and each Conn::done
  std::condition_variable conn_done;
  std::list<Conn> conns;
  std::mutex stop_mutex;  // serialises stop()
  bool stopped = false;

  void serve(Conn& conn);
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

void HttpServer::State::serve(Conn& conn) {
  wire::Connection wire_conn(conn.fd);
  wire::Request req;
  for (;;) {
    wire::ReadStatus status = wire_conn.read_request(req, options.limits);
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
    Response res;
    try {
      res = handler(req);
    } catch (const std::exception& e) {
      res = plain(500, std::string("Internal error: ") + e.what() + "\n");
    } catch (...) {
      res = plain(500, "Internal error\n");
    }
    const bool keep_alive = req.keep_alive && !stopping;
    const auto mode = req.method == "HEAD" ? wire::BodyMode::omit : wire::BodyMode::send;
    if (!wire_conn.write_response(res, keep_alive, mode) || !keep_alive) break;
  }
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
    Conn& conn = conns.emplace_back();
    conn.fd = fd;
    conn.thread = std::thread([this, &conn] { serve(conn); });
  }
}

HttpServer::HttpServer(std::string host, int port, Handler handler, ServerOptions options)
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
  std::list<State::Conn> conns = std::move(s.conns);
  s.conns.clear();
  lock.unlock();
  for (auto& conn : conns) {
    conn.thread.join();
    ::close(conn.fd);
  }
}

}  // namespace stratus::net
