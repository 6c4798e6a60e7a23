#pragma once
// A program run with its stderr on a pseudo-terminal (what a person at a terminal sees) and its
// stdout on a pipe, so a test sees both apart: whether the program drew on the terminal, and
// what it printed. Everything is bounded in time; the destructor kills and reaps the child.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace stratus::test_support {

// What a terminal shows after receiving `bytes`, as lines ending in '\n': "\r" goes back to the
// start of the line, "\033[K" clears from there to its end, "\r\n" and "\n" end a line; other
// escape sequences (colours) are dropped. A last line without '\n' is kept as it is.
inline std::string screen_text(std::string_view bytes) {
  std::string screen;
  std::string line;
  std::size_t column = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const char c = bytes[i];
    if (c == '\r') {
      column = 0;
    } else if (c == '\n') {
      screen += line + "\n";
      line.clear();
      column = 0;
    } else if (c == '\033' && i + 1 < bytes.size() && bytes[i + 1] == '[') {
      std::size_t end = i + 2;
      while (end < bytes.size() && !(bytes[end] >= '@' && bytes[end] <= '~')) ++end;
      if (end < bytes.size() && bytes[end] == 'K') line.resize(column);
      i = end;
    } else {
      if (column < line.size())
        line[column] = c;
      else
        line.push_back(c);
      ++column;
    }
  }
  return screen + line;
}

class PtyProcess {
 public:
  // Starts argv[0] (found on PATH) in `cwd` with exactly `env` ("K=V"): stdin /dev/null, stderr
  // the terminal side of a new pseudo-terminal, stdout a pipe (out()) or, with `stdout_on_pty`,
  // the terminal too (a person's screen, where both streams meet).
  PtyProcess(const std::filesystem::path& cwd, const std::vector<std::string>& argv,
             const std::vector<std::string>& env, bool stdout_on_pty = false) {
    m_master = ::posix_openpt(O_RDWR | O_NOCTTY);
    if (m_master < 0 || ::grantpt(m_master) != 0 || ::unlockpt(m_master) != 0)
      throw std::runtime_error("no pseudo-terminal");
    const std::string slave_name = ::ptsname(m_master);
    int out_pipe[2];
    if (::pipe(out_pipe) != 0) throw std::runtime_error("pipe failed");
    std::vector<std::string> args = argv, envs = env;
    m_pid = ::fork();
    if (m_pid < 0) throw std::runtime_error("fork failed");
    if (m_pid == 0) {
      ::setsid();
      const int slave = ::open(slave_name.c_str(), O_RDWR);
      const int null = ::open("/dev/null", O_RDONLY);
      if (slave < 0 || null < 0) ::_exit(126);
      ::dup2(null, 0);
      ::dup2(stdout_on_pty ? slave : out_pipe[1], 1);
      ::dup2(slave, 2);
      // With stdout on the terminal the pipe's end stays open (unused) all the same: its end of
      // file tells the parent the child exited.
      for (int fd : {slave, null, out_pipe[0], m_master}) ::close(fd);
      if (!stdout_on_pty) ::close(out_pipe[1]);
      if (::chdir(cwd.c_str()) != 0) ::_exit(127);
      std::vector<char*> a, e;
      for (auto& s : args) a.push_back(s.data());
      a.push_back(nullptr);
      for (auto& s : envs) e.push_back(s.data());
      e.push_back(nullptr);
      ::execvpe(a[0], a.data(), e.data());
      ::_exit(127);
    }
    ::close(out_pipe[1]);
    m_out_fd = out_pipe[0];
    // Held open here so the terminal never reads as hung up before the child opened its side;
    // the end is told by stdout instead (see pump).
    m_slave = ::open(slave_name.c_str(), O_RDWR | O_NOCTTY);
  }

  ~PtyProcess() {
    if (!m_reaped) {
      ::kill(m_pid, SIGKILL);
      int status = 0;
      ::waitpid(m_pid, &status, 0);
    }
    for (int fd : {m_master, m_out_fd, m_slave})
      if (fd >= 0) ::close(fd);
  }
  PtyProcess(const PtyProcess&) = delete;
  PtyProcess& operator=(const PtyProcess&) = delete;

  // Reads until `needle` has come on the terminal at or after byte `from` (true) or `timeout`
  // passed (false).
  bool wait_for_pty(std::string_view needle, std::chrono::milliseconds timeout, std::size_t from = 0) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (m_pty.find(needle, from) == std::string::npos) {
      if (!pump(deadline)) return m_pty.find(needle, from) != std::string::npos;
    }
    return true;
  }

  // Reads until `needle` has come on stdout (true) or `timeout` passed (false).
  bool wait_for_out(std::string_view needle, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (m_out.find(needle) == std::string::npos) {
      if (!pump(deadline)) return m_out.find(needle) != std::string::npos;
    }
    return true;
  }

  void signal(int sig) {
    if (!m_reaped) ::kill(m_pid, sig);
  }

  // Reads both streams to their end and reaps the child: its exit code, 128+signal when killed,
  // -1 when it had not ended within `timeout` (it is killed then).
  int wait(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (pump(deadline)) {
    }
    if (m_out_fd >= 0 || m_master >= 0) {
      int status = 0;
      // The streams stay open past the deadline only while the child runs: stop it.
      if (::waitpid(m_pid, &status, WNOHANG) == 0) {
        ::kill(m_pid, SIGKILL);
        ::waitpid(m_pid, &status, 0);
        m_reaped = true;
        return -1;
      }
      m_reaped = true;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    int status = 0;
    ::waitpid(m_pid, &status, 0);
    m_reaped = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  const std::string& pty() const { return m_pty; }  // the bytes the terminal received
  const std::string& out() const { return m_out; }

 private:
  // One round of reading; false once both streams ended or the deadline passed.
  bool pump(std::chrono::steady_clock::time_point deadline) {
    if (m_out_fd < 0 && m_master < 0) return false;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd fds[2] = {{m_master, POLLIN, 0}, {m_out_fd, POLLIN, 0}};
    if (::poll(fds, 2, static_cast<int>(std::min<long long>(left.count(), 200))) < 0) return false;
    int* owners[2] = {&m_master, &m_out_fd};
    std::string* sinks[2] = {&m_pty, &m_out};
    char buf[8192];
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[i]->append(buf, static_cast<std::size_t>(n));
      } else {
        ::close(*owners[i]);
        *owners[i] = -1;
      }
    }
    if (m_out_fd < 0 && m_master >= 0) {
      // stdout ended: the child exited. What it wrote on the terminal is waiting there; read it all.
      pollfd rest{m_master, POLLIN, 0};
      ssize_t n = 0;
      while (::poll(&rest, 1, 50) > 0 && (n = ::read(m_master, buf, sizeof buf)) > 0)
        m_pty.append(buf, static_cast<std::size_t>(n));
      ::close(m_master);
      m_master = -1;
    }
    return true;
  }

  int m_pid = -1;
  int m_master = -1;
  int m_out_fd = -1;
  int m_slave = -1;
  bool m_reaped = false;
  std::string m_pty;
  std::string m_out;
};

}  // namespace stratus::test_support
