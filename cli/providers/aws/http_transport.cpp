// HTTP/1.1 over a socket, or over TLS with OpenSSL, linked statically like libcrypto.
//
// Why not cpp-httplib (the design card's choice): Debian ships it only as a shared library built
// against the shared libssl/libcrypto, brotli and zlib. Linking it made every `stratus` start map
// seven more libraries (about 4x the start-up of a bare executable, measured; `stratus --version`
// is budgeted at 5 ms) and put a second, shared copy of libcrypto beside our static one. What the
// AWS client needs from HTTP is small: one request, one response (Content-Length, chunked or
// until close), on a fresh connection each time.
#include "cli/providers/aws/http_transport.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>

#include "cli/providers/aws/http_response.hpp"

namespace stratus::aws {

namespace {

using Clock = std::chrono::steady_clock;

struct Origin {
  bool tls = false;
  std::string host;  // without brackets
  std::string port;
};

std::optional<Origin> parse_origin(std::string_view origin) {
  Origin o;
  if (origin.starts_with("https://")) {
    o.tls = true;
    origin.remove_prefix(8);
  } else if (origin.starts_with("http://")) {
    origin.remove_prefix(7);
  } else {
    return std::nullopt;
  }
  o.port = o.tls ? "443" : "80";
  if (origin.starts_with('[')) {
    std::size_t close = origin.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    o.host = std::string(origin.substr(1, close - 1));
    origin.remove_prefix(close + 1);
    if (origin.starts_with(':')) o.port = std::string(origin.substr(1));
  } else {
    std::size_t colon = origin.rfind(':');
    o.host = std::string(origin.substr(0, colon));
    if (colon != std::string_view::npos) o.port = std::string(origin.substr(colon + 1));
  }
  if (o.host.empty() || o.port.empty()) return std::nullopt;
  return o;
}

int remaining_ms(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left < 0 ? 0 : static_cast<int>(left);
}

bool wait_for(int fd, short events, Clock::time_point deadline) {
  pollfd p{fd, events, 0};
  for (;;) {
    int n = ::poll(&p, 1, remaining_ms(deadline));
    if (n > 0) return true;
    if (n == 0) return false;
    if (errno != EINTR) return false;
  }
}

// A non-blocking TCP connection to the first address that answers before the deadline.
int connect_tcp(const Origin& origin, Clock::time_point deadline, std::string& error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int rc = ::getaddrinfo(origin.host.c_str(), origin.port.c_str(), &hints, &found); rc != 0) {
    error = "cannot resolve " + origin.host + ": " + gai_strerror(rc);
    return -1;
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> list(found, ::freeaddrinfo);
  error = "cannot connect to " + origin.host + ":" + origin.port;
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
    if (fd < 0) continue;
    if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) return fd;
    if (errno == EINPROGRESS && wait_for(fd, POLLOUT, deadline)) {
      int so_error = 0;
      socklen_t len = sizeof so_error;
      ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len);
      if (so_error == 0) return fd;
      error += std::string(": ") + std::strerror(so_error);
    } else if (errno == EINPROGRESS) {
      error = "connection to " + origin.host + ":" + origin.port + " timed out";
    } else {
      error += std::string(": ") + std::strerror(errno);
    }
    ::close(fd);
  }
  return -1;
}

std::string openssl_error() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "connection closed";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof buf);
  return buf;
}

// One connection, plain or TLS, every operation bounded by a deadline.
class Stream {
 public:
  Stream(int fd, SSL* ssl) : m_fd(fd), m_ssl(ssl) {}
  ~Stream() {
    if (m_ssl != nullptr) SSL_free(m_ssl);
    ::close(m_fd);
  }
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  // Waits out SSL_ERROR_WANT_READ / WANT_WRITE; false on any other result.
  bool ssl_wait(int result, Clock::time_point deadline) {
    int err = SSL_get_error(m_ssl, result);
    if (err == SSL_ERROR_WANT_READ) return wait_for(m_fd, POLLIN, deadline);
    if (err == SSL_ERROR_WANT_WRITE) return wait_for(m_fd, POLLOUT, deadline);
    return false;
  }

  bool write_all(std::string_view data, Clock::time_point deadline) {
    while (!data.empty()) {
      ssize_t n;
      if (m_ssl != nullptr) {
        int r = SSL_write(m_ssl, data.data(), static_cast<int>(std::min<std::size_t>(data.size(), 1 << 20)));
        if (r <= 0) {
          if (ssl_wait(r, deadline)) continue;
          return false;
        }
        n = r;
      } else {
        n = ::send(m_fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (n < 0) {
          if ((errno == EAGAIN || errno == EINTR) && wait_for(m_fd, POLLOUT, deadline)) continue;
          return false;
        }
      }
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  // >0 bytes read, 0 end of stream, -1 error or deadline.
  ssize_t read_some(char* buf, std::size_t size, Clock::time_point deadline) {
    for (;;) {
      if (m_ssl != nullptr) {
        int r = SSL_read(m_ssl, buf, static_cast<int>(size));
        if (r > 0) return r;
        int err = SSL_get_error(m_ssl, r);
        if (err == SSL_ERROR_ZERO_RETURN) return 0;
        // Servers that close without close_notify: treat as the end of the stream.
        if (err == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) return 0;
        if (!ssl_wait(r, deadline)) return -1;
        continue;
      }
      ssize_t n = ::recv(m_fd, buf, size, 0);
      if (n >= 0) return n;
      if ((errno == EAGAIN || errno == EINTR) && wait_for(m_fd, POLLIN, deadline)) continue;
      return -1;
    }
  }

 private:
  int m_fd;
  SSL* m_ssl;
};

// OpenSSL writes to the socket with write(), so a peer that hung up raises SIGPIPE, which would
// end the process. Blocked on this thread while it talks, and a SIGPIPE raised meanwhile is
// consumed, so neither the process's disposition nor other threads are touched.
class SigpipeBlock {
 public:
  SigpipeBlock() {
    sigemptyset(&m_set);
    sigaddset(&m_set, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    m_was_pending = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &m_set, &m_old);
  }
  ~SigpipeBlock() {
    if (!m_was_pending) {
      sigset_t pending;
      sigpending(&pending);
      if (sigismember(&pending, SIGPIPE) == 1) {
        timespec zero{};
        sigtimedwait(&m_set, nullptr, &zero);
      }
    }
    pthread_sigmask(SIG_SETMASK, &m_old, nullptr);
  }
  SigpipeBlock(const SigpipeBlock&) = delete;
  SigpipeBlock& operator=(const SigpipeBlock&) = delete;

 private:
  sigset_t m_set;
  sigset_t m_old;
  bool m_was_pending = false;
};

bool is_ip_literal(const std::string& host) {
  unsigned char buf[16];
  return ::inet_pton(AF_INET, host.c_str(), buf) == 1 || ::inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

class TlsContext {
 public:
  explicit TlsContext(std::string ca_file) : m_ca_file(std::move(ca_file)) {}
  ~TlsContext() {
    if (m_ctx != nullptr) SSL_CTX_free(m_ctx);
  }
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  // The shared context, made on first use; nullptr with `error` set when it cannot be.
  SSL_CTX* get(std::string& error) {
    std::lock_guard lock(m_mutex);
    if (m_ctx != nullptr) return m_ctx;
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    if (ctx == nullptr) {
      error = "cannot set up TLS: " + openssl_error();
      return nullptr;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    int loaded = m_ca_file.empty() ? SSL_CTX_set_default_verify_paths(ctx)
                                   : SSL_CTX_load_verify_locations(ctx, m_ca_file.c_str(), nullptr);
    if (loaded != 1) {
      error = "cannot load the CA certificates" + (m_ca_file.empty() ? std::string() : " from " + m_ca_file);
      SSL_CTX_free(ctx);
      return nullptr;
    }
    m_ctx = ctx;
    return m_ctx;
  }

 private:
  std::string m_ca_file;
  std::mutex m_mutex;
  SSL_CTX* m_ctx = nullptr;
};

// TLS over a connected socket: SNI, host name (or IP) verification, the handshake.
SSL* start_tls(SSL_CTX* ctx, int fd, const std::string& host, Clock::time_point deadline,
               std::string& error) {
  SSL* ssl = SSL_new(ctx);
  if (ssl == nullptr) {
    error = "cannot set up TLS: " + openssl_error();
    return nullptr;
  }
  SSL_set_fd(ssl, fd);
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  if (is_ip_literal(host)) {
    X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
  } else {
    SSL_set_tlsext_host_name(ssl, host.c_str());
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
  }
  for (;;) {
    int r = SSL_connect(ssl);
    if (r == 1) return ssl;
    int err = SSL_get_error(ssl, r);
    bool waited = (err == SSL_ERROR_WANT_READ && wait_for(fd, POLLIN, deadline)) ||
                  (err == SSL_ERROR_WANT_WRITE && wait_for(fd, POLLOUT, deadline));
    if (waited) continue;
    long verify = SSL_get_verify_result(ssl);
    if (verify != X509_V_OK) {
      error = std::string("TLS certificate verification failed: ") + X509_verify_cert_error_string(verify);
    } else if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
      error = "TLS handshake timed out";
    } else {
      error = "TLS handshake failed: " + openssl_error();
    }
    ERR_clear_error();
    SSL_free(ssl);
    return nullptr;
  }
}

std::string serialize(const HttpExchange& exchange) {
  std::string out = exchange.method + " " + exchange.target + " HTTP/1.1\r\n";
  for (const auto& [name, value] : exchange.headers) out += name + ": " + value + "\r\n";
  if (!exchange.body.empty() || exchange.method == "POST" || exchange.method == "PUT" ||
      exchange.method == "PATCH") {
    out += "Content-Length: " + std::to_string(exchange.body.size()) + "\r\n";
  }
  out += "Connection: close\r\n\r\n";
  out += exchange.body;
  return out;
}

HttpOutcome exchange_once(const HttpExchange& exchange, TlsContext& tls) {
  HttpOutcome outcome;
  std::optional<Origin> origin = parse_origin(exchange.origin);
  if (!origin) {
    outcome.error = "unsupported endpoint URL " + exchange.origin;
    return outcome;
  }
  SSL_CTX* ctx = nullptr;
  if (origin->tls && (ctx = tls.get(outcome.error)) == nullptr) return outcome;
  auto connect_deadline = Clock::now() + exchange.connect_timeout;
  int fd = connect_tcp(*origin, connect_deadline, outcome.error);
  if (fd < 0) return outcome;
  SigpipeBlock no_sigpipe;
  SSL* ssl = nullptr;
  if (origin->tls && (ssl = start_tls(ctx, fd, origin->host, connect_deadline, outcome.error)) == nullptr) {
    ::close(fd);
    return outcome;
  }
  Stream stream(fd, ssl);
  auto deadline = Clock::now() + exchange.read_timeout;
  if (!stream.write_all(serialize(exchange), deadline)) {
    outcome.error = "cannot send the request";
    return outcome;
  }
  ResponseReader reader(exchange.method == "HEAD");
  char buf[16 * 1024];
  for (;;) {
    ssize_t n = stream.read_some(buf, sizeof buf, deadline);
    if (n < 0) {
      outcome.error =
          Clock::now() >= deadline ? "no response within the read timeout" : "the connection failed";
      return outcome;
    }
    if (!reader.feed(std::string_view(buf, static_cast<std::size_t>(n)))) break;
  }
  return reader.finish();
}

}  // namespace

Transport http_transport(const TlsOptions& tls) {
  auto context = std::make_shared<TlsContext>(tls.ca_file);
  return [context](const HttpExchange& exchange) { return exchange_once(exchange, *context); };
}

}  // namespace stratus::aws
