#include "emulator/instances/process.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <utility>

namespace stratus::instances {
namespace {

// What the child writes to the report pipe when it cannot exec: the step that failed and errno.
enum class FailedStep : int { chdir = 1, exec = 2, setup = 3 };
struct ExecReport {
  int step;
  int error;
};

std::string error_text(int error) {
  return std::generic_category().message(error);
}

void close_fd(int& fd) noexcept {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// Writes all of `size` bytes, retrying on EINTR; async-signal-safe (used in the forked child).
void write_all(int fd, const void* data, std::size_t size) noexcept {
  const char* bytes = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = ::write(fd, bytes, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    bytes += n;
    size -= static_cast<std::size_t>(n);
  }
}

std::string path_of(const std::vector<std::string>& env) {
  for (const std::string& entry : env) {
    if (entry.rfind("PATH=", 0) == 0) return entry.substr(5);
  }
  return "/usr/local/bin:/usr/bin:/bin";  // execvp's default when PATH is unset
}

// The paths to try for argv[0]: itself when it contains a '/', else each PATH directory. Computed
// before fork because the child may only make async-signal-safe calls.
std::vector<std::string> candidates(const std::string& program, const std::vector<std::string>& env) {
  if (program.find('/') != std::string::npos) return {program};
  std::vector<std::string> out;
  std::string path = path_of(env);
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    out.push_back((dir.empty() ? std::string(".") : dir) + "/" + program);
    start = end + 1;
  }
  return out;
}

std::vector<char*> c_strings(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (const std::string& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

// Runs in the forked child: only async-signal-safe calls from here on. Never returns.
[[noreturn]] void exec_child(int report_fd, int out_fd, int err_fd, int pass_fd, const char* cwd,
                             const char* cgroup_procs, char* const* argv, char* const* envp,
                             const std::vector<const char*>& paths) {
  auto fail = [&report_fd](FailedStep step, int error) {
    ExecReport report{static_cast<int>(step), error};
    write_all(report_fd, &report, sizeof report);
    ::_exit(127);
  };
  ::setpgid(0, 0);
  // Batch scheduling: a function woken by its event does not preempt the emulator's event loop
  // mid-batch (it runs when the loop sleeps or its slice ends). Same share of the CPU; far fewer
  // context switches under load. Best effort.
  const sched_param batch{};
  ::sched_setscheduler(0, SCHED_BATCH, &batch);
  if (cgroup_procs[0] != '\0') {
    // Join the cgroup before exec, so every byte the program allocates is charged to it.
    const int fd = ::open(cgroup_procs, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || ::write(fd, "0", 1) != 1) fail(FailedStep::setup, errno);
    ::close(fd);
  }
  // Start from default signal handling and an empty mask, whatever the parent had set up.
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &dfl, nullptr);
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);

  // A parent started without stdio may have been given a descriptor below 3 to pass on.
  if (pass_fd >= 0 && pass_fd < kPassedFd && (pass_fd = ::fcntl(pass_fd, F_DUPFD_CLOEXEC, kPassedFd)) < 0)
    fail(FailedStep::setup, errno);
  int null_fd = ::open("/dev/null", O_RDONLY);
  if (null_fd < 0) fail(FailedStep::setup, errno);
  if (::dup2(null_fd, 0) < 0 || ::dup2(out_fd, 1) < 0 || ::dup2(err_fd, 2) < 0)
    fail(FailedStep::setup, errno);
  int first_closed = kPassedFd;
  if (pass_fd >= 0) {
    // The report pipe moves out of the way first; then the passed descriptor becomes kPassedFd,
    // without close-on-exec (dup2 clears it; a descriptor already there is cleared by hand).
    if (report_fd == kPassedFd && (report_fd = ::fcntl(report_fd, F_DUPFD_CLOEXEC, kPassedFd + 1)) < 0)
      ::_exit(127);
    if (pass_fd == kPassedFd ? ::fcntl(pass_fd, F_SETFD, 0) != 0 : ::dup2(pass_fd, kPassedFd) < 0)
      fail(FailedStep::setup, errno);
    first_closed = kPassedFd + 1;
  }
#ifdef SYS_close_range
  // Descriptors other threads opened without O_CLOEXEC must not leak into the function.
  ::syscall(SYS_close_range, static_cast<unsigned>(first_closed), ~0U, 4U /* CLOSE_RANGE_CLOEXEC */);
#endif
  if (cwd[0] != '\0' && ::chdir(cwd) != 0) fail(FailedStep::chdir, errno);

  int error = ENOENT;
  for (const char* path : paths) {
    ::execve(path, argv, envp);
    // Like execvp: a hit that cannot run (EACCES) is remembered, but later PATH entries still count.
    if (errno != ENOENT && errno != ENOTDIR) error = errno;
  }
  fail(FailedStep::exec, error);
  ::_exit(127);
}

std::optional<ExitStatus> status_from(int raw) {
  if (WIFEXITED(raw)) return ExitStatus{false, WEXITSTATUS(raw), 0};
  if (WIFSIGNALED(raw)) return ExitStatus{true, 0, WTERMSIG(raw)};
  return std::nullopt;
}

}  // namespace

std::string ExitStatus::describe() const {
  if (!signaled) return "exit status " + std::to_string(code);
  const char* name = ::strsignal(signal);
  return "signal " + std::to_string(signal) + " (" + (name ? name : "unknown") + ")";
}

ChildProcess ChildProcess::spawn(const LaunchSpec& spec) {
  if (spec.argv.empty()) throw std::invalid_argument("cannot run a process with an empty argv");
  const std::string& program = spec.argv.front();
  std::vector<char*> argv = c_strings(spec.argv);
  std::vector<char*> envp = c_strings(spec.env);
  std::vector<std::string> path_strings = candidates(program, spec.env);
  std::vector<const char*> paths;
  for (const std::string& p : path_strings) paths.push_back(p.c_str());
  std::string cwd = spec.cwd.string();
  std::string cgroup_procs = spec.cgroup.empty() ? std::string() : (spec.cgroup / "cgroup.procs").string();

  int report[2], out[2], err[2];
  if (::pipe2(report, O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe2");
  if (::pipe2(out, O_CLOEXEC) != 0) {
    int e = errno;
    ::close(report[0]), ::close(report[1]);
    throw std::system_error(e, std::generic_category(), "pipe2");
  }
  if (::pipe2(err, O_CLOEXEC) != 0) {
    int e = errno;
    ::close(report[0]), ::close(report[1]), ::close(out[0]), ::close(out[1]);
    throw std::system_error(e, std::generic_category(), "pipe2");
  }
  pid_t pid = ::fork();
  if (pid == 0)
    exec_child(report[1], out[1], err[1], spec.pass_fd, cwd.c_str(), cgroup_procs.c_str(), argv.data(),
               envp.data(), paths);
  int fork_error = errno;
  ::close(report[1]), ::close(out[1]), ::close(err[1]);
  if (pid < 0) {
    ::close(report[0]), ::close(out[0]), ::close(err[0]);
    throw std::system_error(fork_error, std::generic_category(), "cannot run '" + program + "': fork");
  }
  // Also set the group here, so a kill_group right after spawn cannot race the child's setpgid.
  ::setpgid(pid, pid);
  // The child owns the object from here: any early exit below reaps it through the destructor.
  ChildProcess child(pid, out[0], err[0]);
  ::fcntl(out[0], F_SETFL, ::fcntl(out[0], F_GETFL) | O_NONBLOCK);
  ::fcntl(err[0], F_SETFL, ::fcntl(err[0], F_GETFL) | O_NONBLOCK);

  // End of file without a report means exec succeeded (the close-on-exec write end closed).
  ExecReport got{};
  std::size_t have = 0;
  while (have < sizeof got) {
    ssize_t n = ::read(report[0], reinterpret_cast<char*>(&got) + have, sizeof got - have);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    have += static_cast<std::size_t>(n);
  }
  ::close(report[0]);
  if (have < sizeof got) return child;

  child.wait_for(std::chrono::milliseconds(1000));  // it is already in _exit(127)
  std::string reason = error_text(got.error);
  if (got.step == static_cast<int>(FailedStep::chdir)) {
    throw std::runtime_error("cannot run '" + program + "': working directory '" + cwd + "': " + reason);
  }
  throw std::runtime_error("cannot run '" + program + "': " + reason);
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : m_pid(std::exchange(other.m_pid, -1)),
      m_out_fd(std::exchange(other.m_out_fd, -1)),
      m_err_fd(std::exchange(other.m_err_fd, -1)),
      m_status(std::exchange(other.m_status, std::nullopt)) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    release();
    m_pid = std::exchange(other.m_pid, -1);
    m_out_fd = std::exchange(other.m_out_fd, -1);
    m_err_fd = std::exchange(other.m_err_fd, -1);
    m_status = std::exchange(other.m_status, std::nullopt);
  }
  return *this;
}

ChildProcess::~ChildProcess() {
  release();
}

void ChildProcess::release() noexcept {
  if (m_pid > 0) stop(kDestructorGrace);
  m_pid = -1;
  m_status.reset();
  close_fd(m_out_fd);
  close_fd(m_err_fd);
}

std::string ChildProcess::read_available(Stream stream) {
  int& fd = stream == Stream::out ? m_out_fd : m_err_fd;
  std::string out;
  char buffer[8192];
  while (fd >= 0) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n > 0) {
      out.append(buffer, static_cast<std::size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      break;
    } else {
      close_fd(fd);  // end of file (or a read error, which is final too)
    }
  }
  return out;
}

std::optional<ExitStatus> ChildProcess::try_wait() {
  if (m_status || m_pid <= 0) return m_status;
  int raw = 0;
  pid_t r;
  do {
    r = ::waitpid(m_pid, &raw, WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r == m_pid) {
    m_status = status_from(raw);
  } else if (r < 0 && errno == ECHILD) {
    m_status = ExitStatus{true, 0, SIGKILL};  // reaped elsewhere (should not happen): report it dead
  }
  return m_status;
}

std::optional<ExitStatus> ChildProcess::wait_for(std::chrono::milliseconds timeout) {
  // Polling with a short, growing sleep: a bounded wait without SIGCHLD handlers or threads.
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto nap = std::chrono::microseconds(200);
  while (true) {
    if (auto status = try_wait()) return status;
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(nap, deadline - now));
    nap = std::min(nap * 2, std::chrono::microseconds(5000));
  }
}

void ChildProcess::kill_group(int sig) {
  if (m_pid > 0) ::kill(-m_pid, sig);  // ESRCH once the group is empty: nothing to do
}

ExitStatus ChildProcess::stop(std::chrono::milliseconds grace) {
  if (!try_wait()) {
    kill_group(SIGTERM);
    wait_for(grace);
  }
  // The group id stays reserved while any member lives, so this cannot hit an unrelated process.
  kill_group(SIGKILL);
  while (!try_wait()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return *m_status;
}

namespace {

// Reads a small /proc file into `buffer`; returns the length, or -1 if it is gone.
ssize_t read_small(const char* path, char* buffer, std::size_t size) {
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = ::read(fd, buffer, size - 1);
  ::close(fd);
  if (n >= 0) buffer[n] = '\0';
  return n;
}

}  // namespace

std::uint64_t tree_rss_bytes(pid_t pgid) {
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return 0;
  std::uint64_t total = 0;
  char path[300];  // "/proc/" + a d_name of up to 255 bytes + "/status"
  char buffer[4096];
  while (dirent* entry = ::readdir(proc)) {
    const char* name = entry->d_name;
    if (name[0] < '1' || name[0] > '9') continue;
    std::snprintf(path, sizeof path, "/proc/%s/stat", name);
    if (read_small(path, buffer, sizeof buffer) <= 0) continue;
    // Fields after the command name (which may hold spaces and parentheses): state ppid pgrp ...
    const char* close_paren = std::strrchr(buffer, ')');
    if (close_paren == nullptr) continue;
    char state = 0;
    long ppid = 0, pgrp = 0;
    if (std::sscanf(close_paren + 1, " %c %ld %ld", &state, &ppid, &pgrp) != 3 || pgrp != pgid) continue;
    std::snprintf(path, sizeof path, "/proc/%s/status", name);
    if (read_small(path, buffer, sizeof buffer) <= 0) continue;
    const char* rss = std::strstr(buffer, "\nVmRSS:");  // absent for zombies and kernel threads
    unsigned long long kib = 0;
    if (rss != nullptr && std::sscanf(rss + 7, " %llu", &kib) == 1) total += kib * 1024;
  }
  ::closedir(proc);
  return total;
}

}  // namespace stratus::instances
