#include "emulator/net/http_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <exception>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

namespace stratus::net {

// What an Exchange answers on: a connection served by a thread of its own, or by the event loop.
struct AnsweredConnection {
  int fd = -1;
  // The response owed has left (sent_ok) or could not be sent. Called once per request, on the
  // thread that answered; the connection must not be touched by that thread afterwards.
  virtual void answered(bool sent_ok, bool keep_alive) = 0;

 protected:
  ~AnsweredConnection() = default;
};

// One request's answer in flight. Its connection is not destroyed while the answer is owed.
struct Exchange {
  AnsweredConnection* conn;
  bool keep_alive;
  wire::BodyMode mode;
  std::atomic<bool> sent{false};
  Exchange(AnsweredConnection* c, bool k, wire::BodyMode m) : conn(c), keep_alive(k), mode(m) {}
  Exchange(const Exchange&) = delete;
  Exchange& operator=(const Exchange&) = delete;
  ~Exchange();
  void complete(const Response& response);
};

struct ServedConnection final : AnsweredConnection {
  std::thread thread;
  bool done = false;  // guarded by HttpServer::State::mutex
  std::mutex mutex;   // guards the three below
  std::condition_variable answered_cv;
  bool pending = false;  // a response is owed
  bool waiting = false;  // the thread waits on `answered_cv`
  bool broken = false;   // a response could not be sent
  void answered(bool sent_ok, bool) override {
    std::lock_guard lock(mutex);
    pending = false;
    broken = !sent_ok;
    if (waiting) answered_cv.notify_one();
  }
};

void Exchange::complete(const Response& response) {
  if (sent.exchange(true)) return;
  auto bytes = std::make_shared<std::string>();
  wire::serialize_response(*bytes, response, keep_alive, mode);
  // What the socket takes now leaves from this thread (an event loop, often); the rest of a large
  // answer to a client that reads slowly goes from a thread of its own, so the answering thread
  // never waits on a client. The connection outlives both: it is not closed while an answer is owed.
  std::size_t sent_now = 0;
  while (sent_now < bytes->size()) {
    const ssize_t n =
        ::send(conn->fd, bytes->data() + sent_now, bytes->size() - sent_now, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      sent_now += static_cast<std::size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      std::thread([c = conn, bytes, sent_now, k = keep_alive] {
        c->answered(wire::send_all(c->fd, std::string_view(*bytes).substr(sent_now)), k);
      }).detach();
      return;
    } else {
      return conn->answered(false, keep_alive);
    }
  }
  conn->answered(true, keep_alive);
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

struct EventLoop;

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

  std::unique_ptr<EventLoop> loop;  // ServerOptions::event_loop: no acceptor, no thread per connection
};

namespace {

Response plain(int status, std::string body) {
  Response res;
  res.status = status;
  res.content_type = "text/plain";
  res.body = std::move(body);
  return res;
}

// What the server answers by itself to a request it could not read whole: 400, or 413.
Response refusal(wire::ReadStatus status, const wire::Limits& limits) {
  if (status == wire::ReadStatus::too_large)
    return plain(413, "Request body too large (limit " + std::to_string(limits.body_max) + " bytes)\n");
  return plain(400, "Bad Request\n");
}

// A new connection's socket options: small writes leave at once; a silent client ends; a client
// that stops reading must not hold stop() forever.
void tune_accepted(int fd, std::chrono::seconds idle_timeout) {
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  timeval idle{static_cast<time_t>(idle_timeout.count()), 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &idle, sizeof idle);
  timeval send_timeout{30, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof send_timeout);
}

// Runs the handler for `req`, answered through `exchange`: a handler that throws is answered 500
// with the reason, one that kept no Responder is answered 500 when this returns.
void call_handler(const AsyncHandler& handler, const Request& req, std::shared_ptr<Exchange> exchange) {
  try {
    handler(req, Responder(exchange));
  } catch (const std::exception& e) {
    exchange->complete(plain(500, std::string("Internal error: ") + e.what() + "\n"));
  } catch (...) {
    exchange->complete(plain(500, "Internal error\n"));
  }
}

// Blocks until the response owed on `conn` has left; false when it could not be sent.
bool await_answer(ServedConnection& conn) {
  std::unique_lock lock(conn.mutex);
  conn.waiting = true;
  conn.answered_cv.wait(lock, [&] { return !conn.pending; });
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
    if (status != wire::ReadStatus::ok) {
      wire_conn.write_response(refusal(status, options.limits), false);
      break;
    }
    const bool keep_alive = req.keep_alive && !stopping;
    auto exchange = std::make_shared<Exchange>(
        &conn, keep_alive, req.method == "HEAD" ? wire::BodyMode::omit : wire::BodyMode::send);
    {
      std::lock_guard lock(conn.mutex);
      conn.pending = true;
    }
    call_handler(handler, req, std::move(exchange));
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
    tune_accepted(fd, options.idle_timeout);
    std::lock_guard lock(mutex);
    reap_locked();
    ServedConnection& conn = conns.emplace_back();
    conn.fd = fd;
    conn.thread = std::thread([this, &conn] { serve(conn); });
  }
}

// ServerOptions::event_loop: one thread, one epoll set, every connection, registered once
// (edge-triggered: no epoll_ctl per request). While a response is owed, or a worker thread reads a
// request whose body is still arriving, a connection is `busy` and the loop leaves it alone: an
// event then only notes `more`. The answer's thread hands it back: simply marked idle when nothing
// is buffered or unread, else posted to the loop (an eventfd wakes it) to serve the pipelined
// request, read what came meanwhile, or close the connection.
struct LoopConnection final : AnsweredConnection {
  explicit LoopConnection(int f) : wire(f) { fd = f; }
  EventLoop* loop = nullptr;
  wire::Connection wire;
  std::chrono::steady_clock::time_point last_active;
  std::mutex mutex;         // guards the four flags below
  bool busy = false;        // a response is owed, or a worker reads: not the loop's
  bool in_handler = false;  // the handler runs now: its caller continues, not answered()
  bool finished = false;    // close after the response (it said close, or could not be sent)
  bool more = false;        // the socket may hold bytes the loop has not read (no edge will say so)
  bool closed = false;      // the loop's: closed in this batch of events
  std::optional<std::pair<wire::Request, wire::ReadStatus>> read_ahead;  // by a worker
  void answered(bool sent_ok, bool keep_alive) override;
};

struct EventLoop {
  EventLoop(int listen, const AsyncHandler& h, const ServerOptions& o, const std::atomic<bool>& s)
      : listen_fd(listen), handler(h), options(o), stopping(s) {}
  int listen_fd;
  const AsyncHandler& handler;
  const ServerOptions& options;
  const std::atomic<bool>& stopping;  // stop() sets it, then wakes the loop
  int epoll_fd = -1;
  int wake_fd = -1;  // eventfd: posted connections, stop
  std::thread thread;
  std::map<LoopConnection*, std::unique_ptr<LoopConnection>> conns;  // the loop thread's
  std::vector<std::unique_ptr<LoopConnection>> closed;               // freed after each batch
  std::mutex posted_mutex;                                           // guards `posted`
  std::vector<LoopConnection*> posted;                               // busy until the loop takes them
  struct Worker {
    std::thread thread;
    std::atomic<bool> done{false};
  };
  std::list<Worker> workers;  // the loop thread's

  void wake() {
    std::uint64_t one = 1;
    [[maybe_unused]] auto written = ::write(wake_fd, &one, sizeof one);
  }
  // Hands `conn` to the loop; it stays busy (no idle close) until the loop takes it.
  void post(LoopConnection& conn) {
    {
      std::lock_guard lock(posted_mutex);
      posted.push_back(&conn);
    }
    wake();
  }
  // Reads what the socket holds, up to a whole request: edge-triggered, the next event only comes
  // for bytes that arrive after a short read. False when the peer closed.
  bool read_available(LoopConnection& conn) {
    for (;;) {
      switch (conn.wire.fill_nowait()) {
        case wire::Connection::Fill::drained:
        case wire::Connection::Fill::again: return true;
        case wire::Connection::Fill::closed: return false;
        case wire::Connection::Fill::data: {
          const auto buffered = conn.wire.buffered_request();
          if (buffered == wire::Connection::Buffered::nothing ||
              buffered == wire::Connection::Buffered::partial)
            continue;
          std::lock_guard lock(conn.mutex);  // a request to serve first; the rest is read after it
          conn.more = true;
          return true;
        }
      }
    }
  }
  // Closes at once, frees after the current batch of events: a later event of the batch may still
  // name the connection (it is skipped: `closed`).
  void close_conn(LoopConnection& conn) {
    ::epoll_ctl(epoll_fd, EPOLL_CTL_DEL, conn.fd, nullptr);
    ::shutdown(conn.fd, SHUT_RDWR);
    ::close(conn.fd);
    conn.closed = true;
    auto it = conns.find(&conn);
    closed.push_back(std::move(it->second));
    conns.erase(it);
  }
  // Runs the handler for one request read whole; true when its response has left already.
  bool serve_one(LoopConnection& conn, const wire::Request& req, wire::ReadStatus status) {
    if (status != wire::ReadStatus::ok) {
      if (status != wire::ReadStatus::closed)
        conn.wire.write_response(refusal(status, options.limits), false);
      std::lock_guard lock(conn.mutex);
      conn.finished = true;
      return true;
    }
    const bool keep_alive = req.keep_alive && !stopping;
    auto exchange = std::make_shared<Exchange>(
        &conn, keep_alive, req.method == "HEAD" ? wire::BodyMode::omit : wire::BodyMode::send);
    {
      std::lock_guard lock(conn.mutex);
      conn.busy = conn.in_handler = true;
    }
    call_handler(handler, req, std::move(exchange));
    std::lock_guard lock(conn.mutex);
    conn.in_handler = false;
    return !conn.busy;
  }
  // On the loop: serves what `conn` has buffered until a response is owed, more must be read, or
  // the connection ends.
  void process(LoopConnection& conn) {
    for (;;) {
      if (conn.finished || stopping) return close_conn(conn);
      if (conn.read_ahead) {
        auto [req, status] = std::move(*conn.read_ahead);
        conn.read_ahead.reset();
        if (!serve_one(conn, req, status)) return;
        continue;
      }
      switch (conn.wire.buffered_request()) {
        case wire::Connection::Buffered::nothing:
        case wire::Connection::Buffered::partial: {
          bool more;
          {
            std::lock_guard lock(conn.mutex);
            more = std::exchange(conn.more, false);
          }
          if (!more) return;  // the next edge brings the rest
          if (!read_available(conn)) return close_conn(conn);
          continue;
        }
        case wire::Connection::Buffered::body_pending: return read_on_worker(conn);
        case wire::Connection::Buffered::complete: break;
      }
      wire::Request req;
      const wire::ReadStatus status = conn.wire.read_request(req, options.limits);
      if (!serve_one(conn, req, status)) return;  // answered() hands it back
    }
  }
  // A body still arriving (or chunked, or behind 100 Continue) is read with blocking reads, on a
  // thread of its own, which then hands the connection back with the request.
  void read_on_worker(LoopConnection& conn) {
    {
      std::lock_guard lock(conn.mutex);
      conn.busy = true;
    }
    Worker& worker = workers.emplace_back();
    worker.thread = std::thread([this, &conn, &worker] {
      conn.read_ahead.emplace();
      conn.read_ahead->second = conn.wire.read_request(conn.read_ahead->first, options.limits);
      post(conn);
      worker.done = true;
    });
  }
  void reap_workers() {
    for (auto it = workers.begin(); it != workers.end();) {
      if (!it->done) {
        ++it;
        continue;
      }
      it->thread.join();
      it = workers.erase(it);
    }
  }
  void accept_all() {
    for (;;) {
      const int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) return;  // EAGAIN: the listening socket is non-blocking
      tune_accepted(fd, options.idle_timeout);
      auto conn = std::make_unique<LoopConnection>(fd);
      conn->loop = this;
      conn->last_active = std::chrono::steady_clock::now();
      LoopConnection& ref = *conn;
      conns.emplace(&ref, std::move(conn));
      epoll_event ev{};
      ev.events = EPOLLIN | EPOLLET;
      ev.data.ptr = &ref;
      ::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev);
    }
  }
  bool idle(LoopConnection& conn) {
    std::lock_guard lock(conn.mutex);
    return !conn.busy;
  }
  void run();
};

void LoopConnection::answered(bool sent_ok, bool keep_alive) {
  std::unique_lock lock(mutex);
  finished = finished || !sent_ok || !keep_alive;
  if (in_handler) {  // the loop, which runs the handler, carries on
    busy = false;
    return;
  }
  if (finished || more || wire.buffered()) {
    busy = true;  // posted: busy until the loop takes it
    lock.unlock();
    loop->post(*this);
    return;
  }
  busy = false;  // the loop's again; still registered, an edge wakes it for the next request
}

void EventLoop::run() {
  ::pthread_setname_np(::pthread_self(), "http-loop");  // for top -H, perf --sort comm
  constexpr int kListen = 0, kWake = 1;  // tags in epoll_event::data.u64 (a connection is a pointer)
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kListen;
  ::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, listen_fd, &ev);
  ev.data.u64 = kWake;
  ::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, wake_fd, &ev);
  std::optional<std::chrono::steady_clock::time_point> drain_until;
  auto next_idle_check = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  epoll_event events[64];
  for (;;) {
    int timeout_ms = conns.empty() && workers.empty() ? -1 : 1000;  // idle checks
    if (drain_until) {                                              // the cut comes on time
      const auto left =
          std::chrono::ceil<std::chrono::milliseconds>(*drain_until - std::chrono::steady_clock::now());
      timeout_ms = static_cast<int>(std::clamp<long long>(left.count(), 1, 1000));
    }
    const int n = ::epoll_wait(epoll_fd, events, 64, timeout_ms);
    if (n < 0 && errno != EINTR) break;
    const auto now = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i) {
      if (events[i].data.u64 == kListen) {
        accept_all();
      } else if (events[i].data.u64 == kWake) {
        std::uint64_t count;
        [[maybe_unused]] auto got = ::read(wake_fd, &count, sizeof count);
        std::vector<LoopConnection*> ready;
        {
          std::lock_guard lock(posted_mutex);
          ready.swap(posted);
        }
        if (stopping && !drain_until) {
          drain_until = now + options.drain;
          ::epoll_ctl(epoll_fd, EPOLL_CTL_DEL, listen_fd, nullptr);
        }
        for (LoopConnection* conn : ready) {
          {
            std::lock_guard lock(conn->mutex);
            conn->busy = false;
          }
          process(*conn);
        }
      } else {
        auto& conn = *static_cast<LoopConnection*>(events[i].data.ptr);
        if (conn.closed) continue;
        conn.last_active = now;
        {
          std::lock_guard lock(conn.mutex);
          if (conn.busy) {  // not the loop's now: read once it is handed back
            conn.more = true;
            continue;
          }
        }
        if (!read_available(conn))
          close_conn(conn);
        else
          process(conn);
      }
    }
    closed.clear();
    reap_workers();
    if (drain_until) {
      // Stopping: idle connections end now; busy ones when answered, or cut past the drain.
      std::vector<LoopConnection*> idle_now;
      for (auto& [ptr, conn] : conns)
        if (idle(*ptr)) idle_now.push_back(ptr);
      for (LoopConnection* conn : idle_now) close_conn(*conn);
      if (now >= *drain_until)
        for (auto& [ptr, conn] : conns) ::shutdown(ptr->fd, SHUT_RDWR);
      if (conns.empty() && workers.empty()) break;
    } else if (now >= next_idle_check) {
      next_idle_check = now + std::chrono::seconds(1);
      std::vector<LoopConnection*> silent;
      for (auto& [ptr, conn] : conns)
        if (now - ptr->last_active >= options.idle_timeout && idle(*ptr)) silent.push_back(ptr);
      for (LoopConnection* conn : silent) close_conn(*conn);
    }
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
  if (s.options.event_loop) {
    auto loop = std::make_unique<EventLoop>(s.listen_fd, s.handler, s.options, s.stopping);
    loop->wake_fd = s.wake_fd;
    loop->epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
    if (loop->epoll_fd < 0 || ::fcntl(s.listen_fd, F_SETFL, O_NONBLOCK) != 0) {
      const int err = errno;
      if (loop->epoll_fd >= 0) ::close(loop->epoll_fd);
      ::close(s.listen_fd);
      ::close(s.wake_fd);
      throw BindError("cannot serve " + where + ": " + std::strerror(err));
    }
    s.loop = std::move(loop);
    s.loop->thread = std::thread([&s] { s.loop->run(); });
    return;
  }
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
  if (s.loop) {  // it drains and closes every connection, then ends
    s.loop->thread.join();
    ::close(s.loop->epoll_fd);
    ::close(s.listen_fd);
    ::close(s.wake_fd);
    return;
  }
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
