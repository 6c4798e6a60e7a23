#pragma once
// One child process with one owner (STYLE.md practice 11): an explicit launch spec, a new process
// group per child, captured stdout/stderr, and a stop that leaves neither a zombie nor an orphaned
// grandchild. Each Lambda instance runs as one ChildProcess.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace stratus::instances {

// Everything the child gets. Nothing is inherited from the parent: `env` is the full environment
// ("K=V" entries), `argv[0]` is the program (a path, or a name looked up in the PATH of `env`).
struct LaunchSpec {
  std::vector<std::string> argv;
  std::vector<std::string> env;
  std::filesystem::path cwd;
  std::filesystem::path cgroup;  // a cgroup folder the child joins before exec; empty = none
  int pass_fd = -1;              // a descriptor the child gets as kPassedFd (open across exec); -1 = none
};

// The number LaunchSpec::pass_fd has in the child: the first after stdin, stdout and stderr.
inline constexpr int kPassedFd = 3;

// How a child ended: either exited with a code or was killed by a signal.
struct ExitStatus {
  bool signaled = false;
  int code = 0;    // exit code when !signaled
  int signal = 0;  // signal number when signaled

  // "exit status 3" or "signal 9 (Killed)", the wording of Runtime.ExitError messages.
  std::string describe() const;
};

enum class Stream { out, err };

class ChildProcess {
 public:
  // Forks and execs `spec` in a new process group (pgid == pid), stdin from /dev/null, stdout and
  // stderr into pipes whose read ends are non-blocking. Throws std::runtime_error when the child
  // cannot start, synchronously (the child reports through a close-on-exec pipe), e.g.
  //   "cannot run 'nope': No such file or directory"
  //   "cannot run '/bin/sh': working directory '/missing': No such file or directory"
  // and std::invalid_argument for an empty argv.
  static ChildProcess spawn(const LaunchSpec& spec);

  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  // Stops with a short grace (see kDestructorGrace) if still running; always reaps.
  ~ChildProcess();

  static constexpr std::chrono::milliseconds kDestructorGrace{200};

  pid_t pid() const { return m_pid; }  // also the process group id; -1 once moved from

  // Read end of the stdout/stderr pipe (non-blocking, close-on-exec), for poll(); -1 once closed.
  int fd(Stream stream) const { return stream == Stream::out ? m_out_fd : m_err_fd; }
  // Everything readable now without blocking ("" if nothing). Closes the fd at end of file.
  std::string read_available(Stream stream);

  // The exit status if the child has ended (reaping it), else nullopt. Never blocks.
  std::optional<ExitStatus> try_wait();
  // Waits up to `timeout` for the child to end; nullopt on timeout.
  std::optional<ExitStatus> wait_for(std::chrono::milliseconds timeout);

  // Sends `sig` to the whole process group (ignored once the group is gone).
  void kill_group(int sig);

  // SIGTERM to the group, wait up to `grace` for the child, then SIGKILL to the group (always, so a
  // grandchild that outlived the child dies too), then reap. Returns the child's exit status.
  ExitStatus stop(std::chrono::milliseconds grace);

 private:
  ChildProcess(pid_t pid, int out_fd, int err_fd) : m_pid(pid), m_out_fd(out_fd), m_err_fd(err_fd) {}
  void release() noexcept;

  pid_t m_pid = -1;
  int m_out_fd = -1;
  int m_err_fd = -1;
  std::optional<ExitStatus> m_status;  // set once reaped
};

// Sum of VmRSS over every live process whose process group is `pgid`, in bytes; 0 if none.
// Reads /proc/<pid>/stat and /proc/<pid>/status; a process vanishing mid-scan is skipped.
std::uint64_t tree_rss_bytes(pid_t pgid);

}  // namespace stratus::instances
