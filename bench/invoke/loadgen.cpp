// loadgen: a small HTTP/1.1 load generator for bench/invoke.
//
//   loadgen --url http://127.0.0.1:3002/2015-03-31/functions/f/invocations
//           [--clients N] [--seconds S | --requests R] [--body JSON] [--timeout-ms MS]
//
// N clients, each a thread with one keep-alive connection, POST the body back to back for S seconds
// (or until R requests are done across all clients), timing each request from the first byte sent to
// the last byte of the response read. Prints one JSON object on stdout:
//   {"clients":N,"requests":…,"errors":…,"seconds":…,"rps":…,"p50_ms":…,"p99_ms":…,"statuses":{"200":…}}
// `requests` counts completed responses of any status; `errors` counts connection failures, resets,
// time-outs and unparsable responses (each of which closes and reopens the connection).
// Plain POSIX sockets, 127.0.0.1-style numeric hosts or names resolved once with getaddrinfo.
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <string_view>
#include <thread>
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
  std::string body = "{}";
  int timeout_ms = 10000;
};

struct ClientResult {
  std::vector<std::int64_t> latencies_ns;
  std::map<int, long> statuses;
  long errors = 0;
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "loadgen: %s\nusage: loadgen --url http://HOST:PORT/PATH [--clients N] "
               "[--seconds S | --requests R] [--body JSON] [--timeout-ms MS]\n",
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
  return o;
}

// One keep-alive connection. Reads are buffered; a response is framed by Content-Length or by
// chunked transfer coding (anything else is read to EOF).
class Connection {
 public:
  Connection(const addrinfo* addr, int timeout_ms) : m_addr(addr), m_timeout_ms(timeout_ms) {}
  ~Connection() { close(); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Sends `request` and reads one response; returns its status, or -1 on any failure (after
  // which the connection is closed and the next call reconnects).
  int round_trip(const std::string& request) {
    if (m_fd < 0 && !open()) return -1;
    if (!send_all(request)) return fail();
    int status = read_response();
    if (status < 0) return fail();
    if (m_close_after) close();
    return status;
  }

 private:
  bool open() {
    m_fd = ::socket(m_addr->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (m_fd < 0) return false;
    int one = 1;
    ::setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    timeval tv{m_timeout_ms / 1000, (m_timeout_ms % 1000) * 1000};
    ::setsockopt(m_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(m_fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (::connect(m_fd, m_addr->ai_addr, m_addr->ai_addrlen) != 0) {
      close();
      return false;
    }
    m_buf.clear();
    return true;
  }

  void close() {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = -1;
    m_buf.clear();
  }

  int fail() {
    close();
    return -1;
  }

  bool send_all(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(m_fd, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Appends whatever the socket has to m_buf; false on EOF, error or time-out.
  bool fill() {
    char chunk[16384];
    ssize_t n = ::recv(m_fd, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    m_buf.append(chunk, static_cast<size_t>(n));
    return true;
  }

  // Ensures m_buf holds `pos + n` bytes.
  bool need(size_t end) {
    while (m_buf.size() < end)
      if (!fill()) return false;
    return true;
  }

  // Position just past the next CRLF at or after `from`, filling as needed; npos on failure.
  size_t line_end(size_t from) {
    for (;;) {
      auto p = m_buf.find("\r\n", from);
      if (p != std::string::npos) return p + 2;
      if (!fill()) return std::string::npos;
    }
  }

  int read_response() {
    size_t head_end;
    for (;;) {
      head_end = m_buf.find("\r\n\r\n");
      if (head_end != std::string::npos) break;
      if (!fill()) return -1;
    }
    head_end += 4;
    std::string_view head(m_buf.data(), head_end);
    if (head.size() < 12 || head.substr(0, 5) != "HTTP/") return -1;
    int status = std::atoi(std::string(head.substr(9, 3)).c_str());

    long content_length = -1;
    bool chunked = false;
    m_close_after = head.substr(0, 8) == "HTTP/1.0";
    size_t pos = head.find("\r\n") + 2;
    while (pos < head_end - 2) {
      size_t eol = head.find("\r\n", pos);
      std::string line(head.substr(pos, eol - pos));
      pos = eol + 2;
      auto colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      std::transform(name.begin(), name.end(), name.begin(), ::tolower);
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(" \t"));
      std::string lower = value;
      std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
      if (name == "content-length") content_length = std::atol(value.c_str());
      if (name == "transfer-encoding" && lower.find("chunked") != std::string::npos) chunked = true;
      if (name == "connection" && lower.find("close") != std::string::npos) m_close_after = true;
      if (name == "connection" && lower.find("keep-alive") != std::string::npos) m_close_after = false;
    }

    size_t body_end;
    if (chunked) {
      size_t at = head_end;
      for (;;) {
        size_t eol = line_end(at);
        if (eol == std::string::npos) return -1;
        long size = std::strtol(m_buf.c_str() + at, nullptr, 16);
        at = eol;
        if (size == 0) {  // last chunk, then (ignored) trailers up to an empty line
          for (;;) {
            size_t e = line_end(at);
            if (e == std::string::npos) return -1;
            bool empty = e == at + 2;
            at = e;
            if (empty) break;
          }
          break;
        }
        if (!need(at + static_cast<size_t>(size) + 2)) return -1;
        at += static_cast<size_t>(size) + 2;
      }
      body_end = at;
    } else if (content_length >= 0) {
      body_end = head_end + static_cast<size_t>(content_length);
      if (!need(body_end)) return -1;
    } else if (status == 204 || status == 304 || (status >= 100 && status < 200)) {
      body_end = head_end;
    } else {  // no framing: the body runs to EOF
      while (fill()) {
      }
      body_end = m_buf.size();
      m_close_after = true;
    }
    m_buf.erase(0, body_end);
    return status;
  }

  const addrinfo* m_addr;
  int m_timeout_ms;
  int m_fd = -1;
  bool m_close_after = false;
  std::string m_buf;
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

  const std::string request =
      "POST " + opt.path + " HTTP/1.1\r\nHost: " + opt.host + ":" + opt.port +
      "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(opt.body.size()) +
      "\r\n\r\n" + opt.body;

  std::atomic<long> budget{opt.requests};  // only used with --requests
  std::vector<ClientResult> results(static_cast<size_t>(opt.clients));
  const auto start = Clock::now();
  const auto deadline =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(opt.seconds));
  {
    std::vector<std::jthread> threads;
    for (int c = 0; c < opt.clients; ++c) {
      threads.emplace_back([&, c] {
        ClientResult& r = results[static_cast<size_t>(c)];
        r.latencies_ns.reserve(1 << 16);
        Connection conn(addr, opt.timeout_ms);
        for (;;) {
          if (opt.requests > 0) {
            if (budget.fetch_sub(1) <= 0) break;
          } else if (Clock::now() >= deadline) {
            break;
          }
          auto t0 = Clock::now();
          int status = conn.round_trip(request);
          auto t1 = Clock::now();
          if (status < 0) {
            ++r.errors;
            // A refused connection would otherwise spin; back off a little.
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
            continue;
          }
          r.latencies_ns.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
          ++r.statuses[status];
        }
      });
    }
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  ::freeaddrinfo(addr);

  std::vector<std::int64_t> all;
  std::map<int, long> statuses;
  long errors = 0;
  for (auto& r : results) {
    all.insert(all.end(), r.latencies_ns.begin(), r.latencies_ns.end());
    for (auto [s, n] : r.statuses) statuses[s] += n;
    errors += r.errors;
  }
  std::sort(all.begin(), all.end());

  std::printf(
      "{\"clients\":%d,\"requests\":%zu,\"errors\":%ld,\"seconds\":%.3f,\"rps\":%.1f,"
      "\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"statuses\":{",
      opt.clients, all.size(), errors, elapsed, static_cast<double>(all.size()) / elapsed,
      percentile_ms(all, 0.50), percentile_ms(all, 0.99));
  bool first = true;
  for (auto [s, n] : statuses) {
    std::printf("%s\"%d\":%ld", first ? "" : ",", s, n);
    first = false;
  }
  std::printf("}}\n");
  return all.empty() ? 1 : 0;
}
