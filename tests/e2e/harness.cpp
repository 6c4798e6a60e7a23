#include "tests/e2e/harness.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace stratus::e2e {

namespace {

// A clean environment: PATH, HOME and the AWS config files in cwd, LANG, plus `env`.
std::vector<std::string> child_environment(const std::filesystem::path& cwd,
                                           const std::map<std::string, std::string>& env) {
  std::map<std::string, std::string> full = {
      {"PATH", std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin:/bin"},
      {"HOME", cwd.string()},
      {"AWS_CONFIG_FILE", (cwd / ".aws-config").string()},
      {"AWS_SHARED_CREDENTIALS_FILE", (cwd / ".aws-credentials").string()},
      {"LANG", "C.UTF-8"}};
  for (const auto& [k, v] : env) full[k] = v;
  std::vector<std::string> out;
  for (const auto& [k, v] : full) out.push_back(k + "=" + v);
  return out;
}

}  // namespace

std::vector<std::string> stratus_environment(const std::filesystem::path& cwd,
                                             const std::map<std::string, std::string>& env) {
  return child_environment(cwd, env);
}

std::string stratus_binary() {
  return STRATUS_BINARY;
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

RunResult run_program(const std::filesystem::path& cwd, const std::vector<std::string>& argv,
                      const std::map<std::string, std::string>& env, const std::string& stdin_text,
                      std::chrono::milliseconds silence_limit) {
  int in_pipe[2], out_pipe[2], err_pipe[2];
  if (pipe(in_pipe) || pipe(out_pipe) || pipe(err_pipe)) throw std::runtime_error("pipe failed");
  std::vector<std::string> env_strings = child_environment(cwd, env);

  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    dup2(in_pipe[0], 0);
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    for (int fd : {in_pipe[0], in_pipe[1], out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) close(fd);
    if (chdir(cwd.c_str()) != 0) _exit(127);
    std::vector<char*> args, envp;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    for (auto& e : env_strings) envp.push_back(e.data());
    envp.push_back(nullptr);
    execvpe(args[0], args.data(), envp.data());
    _exit(127);
  }
  close(in_pipe[0]);
  close(out_pipe[1]);
  close(err_pipe[1]);
  // Feed stdin, then read both streams without letting either pipe fill up.
  if (!stdin_text.empty()) {
    ssize_t w = write(in_pipe[1], stdin_text.data(), stdin_text.size());
    (void)w;
  }
  close(in_pipe[1]);
  RunResult r;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  int open_count = 2;
  char buf[65536];
  while (open_count > 0) {
    if (poll(fds, 2, static_cast<int>(silence_limit.count())) <= 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_count;
      } else {
        (i == 0 ? r.out : r.err).append(buf, static_cast<std::size_t>(n));
      }
    }
  }
  for (auto& f : fds)
    if (f.fd >= 0) close(f.fd);
  int status = 0;
  waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

RunResult run_stratus(const std::filesystem::path& cwd, const std::vector<std::string>& args,
                      const std::map<std::string, std::string>& env, const std::string& stdin_text) {
  std::vector<std::string> argv = {STRATUS_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_program(cwd, argv, env, stdin_text);
}

Background::Background(const std::filesystem::path& cwd, const std::vector<std::string>& args,
                       const std::map<std::string, std::string>& env)
    : m_out(cwd / ".background.out"), m_err(cwd / ".background.err") {
  std::vector<std::string> env_strings = child_environment(cwd, env);
  std::vector<std::string> argv = {STRATUS_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  // Gone before the fork: a second Background in the same folder must not read the first one's
  // output before its child has truncated the files.
  std::error_code ec;
  std::filesystem::remove(m_out, ec);
  std::filesystem::remove(m_err, ec);
  m_pid = fork();
  if (m_pid < 0) throw std::runtime_error("fork failed");
  if (m_pid == 0) {
    const int in = open("/dev/null", O_RDONLY);
    const int out = open(m_out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = open(m_err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || out < 0 || err < 0 || chdir(cwd.c_str()) != 0) _exit(127);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    std::vector<char*> a, e;
    for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    for (auto& s : env_strings) e.push_back(s.data());
    e.push_back(nullptr);
    execve(a[0], a.data(), e.data());
    _exit(127);
  }
}

Background::~Background() {
  if (!m_reaped && m_pid > 0) {
    ::kill(m_pid, SIGKILL);
    waitpid(m_pid, nullptr, 0);
  }
}

std::string Background::out() const {
  return read_file(m_out);
}
std::string Background::err() const {
  return read_file(m_err);
}

std::string Background::first_line(int timeout_ms) {
  for (int waited = 0; waited < timeout_ms; waited += 20) {
    const std::string text = out();
    if (auto nl = text.find('\n'); nl != std::string::npos) return text.substr(0, nl);
    if (!m_reaped && waitpid(m_pid, nullptr, WNOHANG) == m_pid) {
      m_reaped = true;
      return "";
    }
    usleep(20 * 1000);
  }
  return "";
}

void Background::signal(int sig) {
  if (!m_reaped) ::kill(m_pid, sig);
}

int Background::wait(int timeout_ms) {
  for (int waited = 0; waited <= timeout_ms; waited += 10) {
    int status = 0;
    if (waitpid(m_pid, &status, WNOHANG) == m_pid) {
      m_reaped = true;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    usleep(10 * 1000);
  }
  return -1;
}

}  // namespace stratus::e2e
