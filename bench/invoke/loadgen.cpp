// loadgen: a small HTTP/1.1 load generator for bench/invoke and bench/http.
//
//   loadgen --url http://127.0.0.1:3002/2015-03-31/functions/f/invocations
//           [--clients N] [--seconds S | --requests R] [--method M] [--body JSON] [--timeout-ms MS]
//
// N clients, each one keep-alive connection, send the request (POST with the body by default;
// --method GET sends no body) back to back for S seconds (or until R
// requests have been attempted across all clients), timing each request from the first byte sent to
// the last byte of the response read. Prints one JSON object on stdout:
//   {"clients":N,"requests":…,"errors":…,"seconds":…,"rps":…,"p50_ms":…,"p99_ms":…,"statuses":{"200":…}}
// `requests` counts completed responses of any status; `errors` counts connection failures, resets,
// time-outs and unparsable responses (each of which closes the connection and reopens it after a
// ~1 ms back-off). Exit status 1 when no request completed, 2 on a usage error.
//
// Design: ONE thread drives all N connections with non-blocking sockets and level-triggered epoll
// (like wrk). The servers being measured share this machine's few cores: with a blocking thread per
// client every request costs a thread wake-up and context switch (10-40 µs of CPU on a 2-core VM),
// CPU the measured servers then do not get. Here a request costs one send(), one recv() and a share
// of one epoll_wait() (which returns many ready connections at once under load), on one thread.
// Each connection is a small state machine:
//   Off ──start──▶ Connecting ──writable──▶ Sending ──all sent──▶ Reading ──response──▶ Sending …
//    ▲                                                                   │
//    └─────────── error / time-out: close, back off ~1 ms ◀──────────────┘
// A response is parsed incrementally as bytes arrive, framed by Content-Length, by chunked transfer
// coding, or (neither) read to EOF; 204, 304 and 1xx have no body. `Connection: close` or HTTP/1.0
// closes the connection after the response and the next request reconnects (not an error).
// --timeout-ms bounds each attempt as a whole (connect, send and response), not each read.
// --requests R: exactly R attempts (completed or failed) are started across all clients.
// --seconds S: no new request is started after S seconds; requests already in flight at the
// deadline are allowed to finish (or fail, at the latest on their time-out) and are counted, so a
// run can last up to S seconds plus one request's latency; `seconds` reports the actual duration.
// Plain POSIX sockets; the host is resolved once with getaddrinfo and its first address used.
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string host = "127.0.0.1";
  std::string port = "80";
  std::string path = "/";
  int clients = 1;
  double seconds = 5;
  long requests = 0;  // 0: run for `seconds`
  std::string method = "POST";
  std::string body = "{}";
  int timeout_ms = 10000;
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "loadgen: %s\nusage: loadgen --url http://HOST:PORT/PATH [--clients N] "
               "[--seconds S | --requests R] [--method M] [--body JSON] [--timeout-ms MS]\n",
               why);
  std::exit(2);
}

Options parse_args(int argc, char** argv) {
  Options o;
  bool have_url = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage("missing value after an option");
      return argv[++i];
    };
    if (a == "--url") {
      std::string url = value();
      constexpr std::string_view scheme = "http://";
      if (url.rfind(scheme, 0) != 0) usage("--url must start with http://");
      std::string rest = url.substr(scheme.size());
      auto slash = rest.find('/');
      std::string authority = rest.substr(0, slash);
      o.path = slash == std::string::npos ? "/" : rest.substr(slash);
      auto colon = authority.rfind(':');
      if (colon == std::string::npos) {
        o.host = authority;
      } else {
        o.host = authority.substr(0, colon);
        o.port = authority.substr(colon + 1);
      }
      have_url = true;
    } else if (a == "--clients") {
      o.clients = std::atoi(value().c_str());
    } else if (a == "--seconds") {
      o.seconds = std::atof(value().c_str());
    } else if (a == "--requests") {
      o.requests = std::atol(value().c_str());
    } else if (a == "--method") {
      o.method = value();
    } else if (a == "--body") {
      o.body = value();
    } else if (a == "--timeout-ms") {
      o.timeout_ms = std::atoi(value().c_str());
    } else {
      usage("unknown option");
    }
  }
  if (!have_url) usage("--url is required");
  if (o.clients < 1 || o.seconds <= 0 || o.requests < 0 || o.timeout_ms < 1) usage("bad number");
  if (o.method.empty() || o.method.find_first_of(" \r\n") != std::string::npos) usage("bad --method");
  return o;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

bool icontains(std::string_view hay, std::string_view needle) {
  for (size_t i = 0; i + needle.size() <= hay.size(); ++i)
    if (iequals(hay.substr(i, needle.size()), needle)) return true;
  return false;
}

// Incremental HTTP/1.1 response parser over a connection's receive buffer. feed() is called each
// time bytes are appended; it resumes where it stopped and never rescans what it has consumed.
class ResponseParser {
 public:
  enum class Result { kIncomplete, kComplete, kBad };

  void reset() { *this = ResponseParser{}; }

  // Examines buf (from offset 0); on kComplete, end() is the offset just past the response.
  Result feed(const std::string& buf) {
    if (!m_head_done) {
      size_t p = buf.find("\r\n\r\n", m_scan);
      if (p == std::string::npos) {
        m_scan = buf.size() >= 3 ? buf.size() - 3 : 0;
        return Result::kIncomplete;
      }
      if (!parse_head(std::string_view(buf.data(), p + 4))) return Result::kBad;
      m_head_done = true;
      m_at = p + 4;
      if (m_framing == Framing::kLength) m_at += m_length;
    }
    switch (m_framing) {
      case Framing::kNone: return Result::kComplete;
      case Framing::kLength: return buf.size() >= m_at ? Result::kComplete : Result::kIncomplete;
      case Framing::kEof: return Result::kIncomplete;  // completed by eof()
      case Framing::kChunked: return feed_chunked(buf);
    }
    return Result::kBad;
  }

  // The peer closed the connection: completes a response read to EOF.
  bool eof(size_t buffered) {
    if (!m_head_done || m_framing != Framing::kEof) return false;
    m_at = buffered;
    return true;
  }

  int status() const { return m_status; }
  size_t end() const { return m_at; }
  bool close_after() const { return m_close_after; }

 private:
  enum class Framing { kNone, kLength, kChunked, kEof };
  enum class ChunkPhase { kSize, kData, kTrailer };

  bool parse_head(std::string_view head) {
    // Status line: HTTP/x.y DDD ...
    if (head.size() < 12 || head.substr(0, 5) != "HTTP/") return false;
    size_t sp = head.find(' ');
    if (sp == std::string_view::npos || sp + 4 > head.size()) return false;
    int status = 0;
    for (size_t i = sp + 1; i < sp + 4; ++i) {
      if (head[i] < '0' || head[i] > '9') return false;
      status = status * 10 + (head[i] - '0');
    }
    m_status = status;
    m_close_after = head.substr(0, 8) == "HTTP/1.0";

    long content_length = -1;
    bool chunked = false;
    size_t pos = head.find("\r\n") + 2;
    while (pos + 2 < head.size()) {
      size_t eol = head.find("\r\n", pos);
      std::string_view line = head.substr(pos, eol - pos);
      pos = eol + 2;
      size_t colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      std::string_view name = line.substr(0, colon);
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
      if (iequals(name, "content-length")) {
        char* endp = nullptr;
        std::string digits(value);
        content_length = std::strtol(digits.c_str(), &endp, 10);
        if (endp == digits.c_str() || content_length < 0) return false;
      } else if (iequals(name, "transfer-encoding")) {
        if (icontains(value, "chunked")) chunked = true;
      } else if (iequals(name, "connection")) {
        if (icontains(value, "close")) m_close_after = true;
        if (icontains(value, "keep-alive")) m_close_after = false;
      }
    }
    if (chunked) {
      m_framing = Framing::kChunked;
    } else if (content_length >= 0) {
      m_framing = Framing::kLength;
      m_length = static_cast<size_t>(content_length);
    } else if (status == 204 || status == 304 || (status >= 100 && status < 200)) {
      m_framing = Framing::kNone;
    } else {
      m_framing = Framing::kEof;
      m_close_after = true;
    }
    return true;
  }

  Result feed_chunked(const std::string& buf) {
    for (;;) {
      if (m_phase == ChunkPhase::kData) {
        if (buf.size() < m_chunk_end) return Result::kIncomplete;
        if (buf.compare(m_chunk_end - 2, 2, "\r\n") != 0) return Result::kBad;
        m_at = m_chunk_end;
        m_phase = ChunkPhase::kSize;
        continue;
      }
      size_t eol = buf.find("\r\n", m_at);
      if (eol == std::string::npos) return Result::kIncomplete;
      if (m_phase == ChunkPhase::kTrailer) {  // (ignored) trailers up to an empty line
        bool empty = eol == m_at;
        m_at = eol + 2;
        if (empty) return Result::kComplete;
        continue;
      }
      char* endp = nullptr;
      long size = std::strtol(buf.c_str() + m_at, &endp, 16);
      if (endp == buf.c_str() + m_at || size < 0) return Result::kBad;
      m_at = eol + 2;
      if (size == 0) {
        m_phase = ChunkPhase::kTrailer;
      } else {
        m_phase = ChunkPhase::kData;
        m_chunk_end = m_at + static_cast<size_t>(size) + 2;
      }
    }
  }

  bool m_head_done = false;
  size_t m_scan = 0;  // where to resume looking for the end of the head
  size_t m_at = 0;    // the next unparsed byte (chunked), or the response's end
  int m_status = 0;
  bool m_close_after = false;
  Framing m_framing = Framing::kNone;
  size_t m_length = 0;
  ChunkPhase m_phase = ChunkPhase::kSize;
  size_t m_chunk_end = 0;
};

struct Conn {
  enum class State { kOff, kConnecting, kSending, kReading };
  State state = State::kOff;
  bool done = false;  // no more requests for this connection
  int fd = -1;
  std::uint32_t events = 0;  // what the fd is registered for in epoll (0: not registered)
  size_t sent = 0;
  Clock::time_point t0;     // first byte of the request sent
  Clock::time_point timer;  // kOff: when to start the next attempt; otherwise: the time-out
  std::string buf;          // received bytes not yet consumed
  ResponseParser parser;
};

class LoadGen {
 public:
  LoadGen(const Options& opt, const addrinfo* addr, std::string request)
      : m_opt(opt),
        m_addr(addr),
        m_request(std::move(request)),
        m_conns(static_cast<size_t>(opt.clients)),
        m_budget(opt.requests) {
    m_latencies_ns.reserve(1 << 16);
  }

  // Returns false if epoll cannot be set up.
  bool run() {
    m_ep = ::epoll_create1(EPOLL_CLOEXEC);
    if (m_ep < 0) return false;
    m_start = Clock::now();
    m_deadline =
        m_start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(m_opt.seconds));
    m_active = m_conns.size();
    m_next_timer = Clock::time_point::max();
    for (auto& c : m_conns) start_attempt(c, m_start);

    std::vector<epoll_event> events(std::min<size_t>(m_conns.size(), 256));
    Clock::time_point now = Clock::now();
    while (m_active > 0) {
      int timeout = -1;
      if (m_next_timer != Clock::time_point::max()) {
        auto left = m_next_timer - now;
        auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
        timeout = ms <= 0 ? 0 : static_cast<int>(std::min<long long>(ms, 1 << 30));
      }
      int n = ::epoll_wait(m_ep, events.data(), static_cast<int>(events.size()), timeout);
      if (n < 0 && errno != EINTR) {
        std::perror("loadgen: epoll_wait");
        break;
      }
      for (int i = 0; i < n; ++i) {
        on_event(m_conns[events[static_cast<size_t>(i)].data.u32], events[static_cast<size_t>(i)].events);
      }
      now = Clock::now();
      if (now >= m_next_timer) scan_timers(now);
    }
    m_elapsed = std::chrono::duration<double>(Clock::now() - m_start).count();
    for (auto& c : m_conns) close_fd(c);
    ::close(m_ep);
    return true;
  }

  std::vector<std::int64_t>& latencies() { return m_latencies_ns; }
  const std::map<int, long>& statuses() const { return m_statuses; }
  long errors() const { return m_errors; }
  double elapsed() const { return m_elapsed; }

 private:
  size_t index(const Conn& c) const { return static_cast<size_t>(&c - m_conns.data()); }

  void arm(Conn& c, Clock::time_point at) {
    c.timer = at;
    if (at < m_next_timer) m_next_timer = at;
  }

  void watch(Conn& c, std::uint32_t events) {
    if (c.events == events) return;
    epoll_event ev{};
    ev.events = events;
    ev.data.u32 = static_cast<std::uint32_t>(index(c));
    if (::epoll_ctl(m_ep, c.events == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, c.fd, &ev) != 0) {
      std::perror("loadgen: epoll_ctl");
      std::exit(2);
    }
    c.events = events;
  }

  void close_fd(Conn& c) {
    if (c.fd >= 0) ::close(c.fd);  // also drops it from the epoll set
    c.fd = -1;
    c.events = 0;
    c.buf.clear();
  }

  // Whether another request may be started: one unit of the --requests budget, or before the
  // --seconds deadline.
  bool may_start(Clock::time_point now) {
    if (m_opt.requests > 0) {
      if (m_budget <= 0) return false;
      --m_budget;
      return true;
    }
    return now < m_deadline;
  }

  void retire(Conn& c) {
    close_fd(c);
    c.state = Conn::State::kOff;
    c.done = true;
    --m_active;
  }

  void start_attempt(Conn& c, Clock::time_point now) {
    if (!may_start(now)) return retire(c);
    arm(c, now + std::chrono::milliseconds(m_opt.timeout_ms));
    if (c.fd >= 0) return begin_send(c, now);

    c.fd = ::socket(m_addr->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c.fd < 0) return fail(c, now);
    int one = 1;
    ::setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c.parser.reset();
    if (::connect(c.fd, m_addr->ai_addr, m_addr->ai_addrlen) == 0) return begin_send(c, now);
    if (errno != EINPROGRESS) return fail(c, now);
    c.state = Conn::State::kConnecting;
    watch(c, EPOLLOUT);
  }

  void begin_send(Conn& c, Clock::time_point now) {
    c.state = Conn::State::kSending;
    c.sent = 0;
    c.t0 = now;
    try_send(c);
  }

  void try_send(Conn& c) {
    while (c.sent < m_request.size()) {
      ssize_t n = ::send(c.fd, m_request.data() + c.sent, m_request.size() - c.sent, MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return watch(c, EPOLLOUT);
        return fail(c, Clock::now());
      }
      c.sent += static_cast<size_t>(n);
    }
    c.state = Conn::State::kReading;
    watch(c, EPOLLIN);
    if (!c.buf.empty()) parse(c, Clock::now());  // bytes left over from the previous response
  }

  void on_event(Conn& c, std::uint32_t events) {
    switch (c.state) {
      case Conn::State::kOff: return;  // stale
      case Conn::State::kConnecting: {
        int err = 0;
        socklen_t len = sizeof err;
        if (::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0 ||
            (events & (EPOLLERR | EPOLLHUP)) != 0)
          return fail(c, Clock::now());
        return begin_send(c, Clock::now());
      }
      case Conn::State::kSending: return try_send(c);
      case Conn::State::kReading: return on_readable(c);
    }
  }

  void on_readable(Conn& c) {
    ssize_t n;
    do {
      n = ::recv(c.fd, m_scratch, sizeof m_scratch, 0);
    } while (n < 0 && errno == EINTR);
    Clock::time_point now = Clock::now();
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      return fail(c, now);
    }
    if (n == 0) {
      if (!c.parser.eof(c.buf.size())) return fail(c, now);
      return complete(c, now);
    }
    c.buf.append(m_scratch, static_cast<size_t>(n));
    parse(c, now);
  }

  void parse(Conn& c, Clock::time_point now) {
    switch (c.parser.feed(c.buf)) {
      case ResponseParser::Result::kIncomplete: return;
      case ResponseParser::Result::kBad: return fail(c, now);
      case ResponseParser::Result::kComplete: return complete(c, now);
    }
  }

  void complete(Conn& c, Clock::time_point now) {
    m_latencies_ns.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(now - c.t0).count());
    ++m_statuses[c.parser.status()];
    if (c.parser.close_after()) {
      close_fd(c);
    } else {
      c.buf.erase(0, c.parser.end());
    }
    c.parser.reset();
    start_attempt(c, now);
  }

  // Counts an error, closes the connection and schedules a new attempt after a short back-off (a
  // refused connection would otherwise spin).
  void fail(Conn& c, Clock::time_point now) {
    ++m_errors;
    close_fd(c);
    c.parser.reset();
    c.state = Conn::State::kOff;
    arm(c, now + std::chrono::milliseconds(1));
  }

  // Fires due back-offs and time-outs, and recomputes the earliest timer.
  void scan_timers(Clock::time_point now) {
    m_next_timer = Clock::time_point::max();
    for (auto& c : m_conns) {
      if (c.done) continue;
      if (now >= c.timer) {
        if (c.state == Conn::State::kOff) {
          start_attempt(c, now);
        } else {
          fail(c, now);  // timed out
        }
      }
      if (!c.done && c.timer < m_next_timer) m_next_timer = c.timer;
    }
  }

  const Options& m_opt;
  const addrinfo* m_addr;
  const std::string m_request;
  std::vector<Conn> m_conns;
  long m_budget;  // attempts left, with --requests
  int m_ep = -1;
  size_t m_active = 0;
  Clock::time_point m_start, m_deadline, m_next_timer;
  std::vector<std::int64_t> m_latencies_ns;
  std::map<int, long> m_statuses;
  long m_errors = 0;
  double m_elapsed = 0;
  char m_scratch[65536];
};

double percentile_ms(const std::vector<std::int64_t>& sorted, double q) {
  if (sorted.empty()) return 0;
  size_t i = static_cast<size_t>(q * static_cast<double>(sorted.size() - 1) + 0.5);
  return static_cast<double>(sorted[std::min(i, sorted.size() - 1)]) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt = parse_args(argc, argv);

  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* addr = nullptr;
  if (int rc = ::getaddrinfo(opt.host.c_str(), opt.port.c_str(), &hints, &addr); rc != 0) {
    std::fprintf(stderr, "loadgen: cannot resolve %s: %s\n", opt.host.c_str(), ::gai_strerror(rc));
    return 2;
  }

  // GET carries no body (and no body headers); any other method sends --body.
  std::string request =
      opt.method + " " + opt.path + " HTTP/1.1\r\nHost: " + opt.host + ":" + opt.port + "\r\n";
  if (opt.method == "GET") {
    request += "\r\n";
  } else {
    request += "Content-Type: application/json\r\nContent-Length: " + std::to_string(opt.body.size()) +
               "\r\n\r\n" + opt.body;
  }

  auto gen = std::make_unique<LoadGen>(opt, addr, std::move(request));
  if (!gen->run()) {
    std::perror("loadgen: epoll_create1");
    ::freeaddrinfo(addr);
    return 2;
  }
  ::freeaddrinfo(addr);

  std::vector<std::int64_t>& all = gen->latencies();
  std::sort(all.begin(), all.end());
  const double elapsed = gen->elapsed();

  std::printf(
      "{\"clients\":%d,\"requests\":%zu,\"errors\":%ld,\"seconds\":%.3f,\"rps\":%.1f,"
      "\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"statuses\":{",
      opt.clients, all.size(), gen->errors(), elapsed, static_cast<double>(all.size()) / elapsed,
      percentile_ms(all, 0.50), percentile_ms(all, 0.99));
  bool first = true;
  for (auto [s, n] : gen->statuses()) {
    std::printf("%s\"%d\":%ld", first ? "" : ",", s, n);
    first = false;
  }
  std::printf("}}\n");
  return all.empty() ? 1 : 0;
}
