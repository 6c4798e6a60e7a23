#include "emulator/engine/instance.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <stdexcept>

#include "emulator/common/clock.hpp"
#include "emulator/common/ids.hpp"
#include "emulator/engine/launch.hpp"
#include "emulator/engine/sinks.hpp"

namespace stratus::engine {

namespace fs = std::filesystem;

namespace {

// VmHWM (the kernel's peak RSS of one process) from /proc/<pid>/status, in bytes; 0 if gone.
std::uint64_t high_water_mark(pid_t pid) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/status", static_cast<int>(pid));
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::strtoull(line.c_str() + 6, nullptr, 10) * 1024;
  return 0;
}

// Current RSS from an open /proc/<pid>/statm (pages), in bytes; 0 if gone. The file is opened
// once per instance: reading it is one pread, not open + read + close.
std::uint64_t statm_rss(int fd) {
  if (fd < 0) return 0;
  char buf[128];
  const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  if (n <= 0) return 0;
  buf[n] = '\0';
  unsigned long long size = 0, resident = 0;
  if (std::sscanf(buf, "%llu %llu", &size, &resident) != 2) return 0;
  static const std::uint64_t page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  return resident * page;
}

}  // namespace

Instance::Instance(InstanceStart start)
    : m_config(*start.config), m_sink(start.sink), m_provisioned(start.provisioned) {
  m_collect = !m_provisioned;  // a cold start's log begins with the output of its init
  m_tmp_dir = start.tmp_root / (m_config.name + "-" + random_hex(8));
  std::error_code ec;
  fs::create_directories(m_tmp_dir, ec);
  if (ec) throw std::runtime_error("cannot create " + m_tmp_dir.string() + ": " + ec.message());
  instances::LaunchSpec spec;
  spec.argv = start.argv;
  m_log_stream = new_log_stream_name(m_config.version);
  spec.cwd = m_config.code_dir;
  if (start.memory_limit_bytes > 0) {
    m_cgroup = instances::MemoryCgroup::create(start.memory_limit_bytes);
    if (m_cgroup) spec.cgroup = m_cgroup->path();
  }
  if (::pipe2(m_wake, O_CLOEXEC | O_NONBLOCK) != 0) throw std::runtime_error("cannot create a pipe");
  spec.pass_fd = start.pass_connection ? m_api.local_connection() : -1;  // else it connects by TCP
  spec.env = start.environment(
      InstanceEnv{m_api.address(), m_log_stream, m_tmp_dir, m_provisioned, spec.pass_fd >= 0});
  m_spawned_at = Clock::now();
  try {
    m_process.emplace(instances::ChildProcess::spawn(spec));
    if (spec.pass_fd >= 0) ::close(spec.pass_fd);  // the child has its own copy
  } catch (...) {
    if (spec.pass_fd >= 0) ::close(spec.pass_fd);
    ::close(m_wake[0]);
    ::close(m_wake[1]);
    fs::remove_all(m_tmp_dir, ec);
    throw;
  }
  m_pgid = m_process->pid();
  const std::string statm = "/proc/" + std::to_string(m_pgid) + "/statm";
  m_statm_fd = ::open(statm.c_str(), O_RDONLY | O_CLOEXEC);
  m_reader = std::thread([this] { reader_loop(); });
}

Instance::~Instance() {
  kill();
  m_stop_reader = true;
  (void)::write(m_wake[1], "x", 1);
  if (m_reader.joinable()) m_reader.join();
  m_api.stop();
  ::close(m_wake[0]);
  ::close(m_wake[1]);
  if (m_statm_fd >= 0) ::close(m_statm_fd);
  std::error_code ec;
  fs::remove_all(m_tmp_dir, ec);
}

void Instance::reader_loop() {
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, m_pgid, 0));
  for (;;) {
    pollfd fds[4];
    int n = 0;
    {
      std::lock_guard lock(m_mutex);
      for (auto stream : {instances::Stream::out, instances::Stream::err})
        if (m_process && m_process->fd(stream) >= 0) fds[n++] = {m_process->fd(stream), POLLIN, 0};
    }
    fds[n++] = {m_wake[0], POLLIN, 0};
    if (pidfd >= 0) fds[n++] = {pidfd, POLLIN, 0};
    // Without a pidfd the exit is noticed by polling every 20 ms.
    const int ready = ::poll(fds, static_cast<nfds_t>(n), pidfd >= 0 ? -1 : 20);
    if (ready < 0 && errno != EINTR) break;
    if (m_stop_reader) break;
    std::lock_guard lock(m_mutex);
    pump_locked(false);
    if (!m_status && m_process) {
      if (auto status = m_process->try_wait()) {
        m_status = status;
        // The runtime is gone: whatever its group still runs goes too, and a waiting invoke() ends.
        m_process->kill_group(SIGKILL);
        pump_locked(true);
        m_dead = true;
        m_api.instance_gone();
      }
    }
    if (m_status) break;
  }
  if (pidfd >= 0) ::close(pidfd);
}

void Instance::pump_locked(bool final) {
  if (!m_process) return;
  // One poll tells which pipes have anything: most invocations write nothing, and this runs twice
  // per invocation (begin and end), so an empty pipe costs no read.
  const instances::Stream streams[2] = {instances::Stream::out, instances::Stream::err};
  pollfd fds[2];
  for (int i = 0; i < 2; ++i) fds[i] = {m_process->fd(streams[i]), POLLIN, 0};
  if (::poll(fds, 2, 0) < 0) return;
  for (int i = 0; i < 2; ++i) {
    const auto stream = streams[i];
    std::string& partial = m_partial[i];
    const auto source = stream == instances::Stream::out ? logs::LogSource::out : logs::LogSource::err;
    if (fds[i].fd >= 0 && fds[i].revents != 0) partial += m_process->read_available(stream);
    std::size_t start = 0;
    for (std::size_t nl; (nl = partial.find('\n', start)) != std::string::npos; start = nl + 1)
      emit_locked(source, partial.substr(start, nl - start));
    partial.erase(0, start);
    if (final && !partial.empty()) emit_locked(source, std::exchange(partial, std::string()));
  }
}

void Instance::emit_locked(logs::LogSource source, std::string line) {
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (m_collect) m_collected.push_back(line);
  if (!m_sink) return;
  if (m_pending_start) m_sink->log(*std::exchange(m_pending_start, std::nullopt));
  m_sink->log(
      logs::LogRecord{m_config.name, m_request_id, unix_ms_now(), source, std::move(line), m_log_stream});
}

void Instance::begin(const std::string& request_id, bool collect, std::string start_line, bool cold) {
  std::lock_guard lock(m_mutex);
  if (cold) pump_locked(false);
  m_request_id = request_id;
  if (!collect) m_collected.clear();
  m_collect = collect;
  if (m_collect) m_collected.push_back(start_line);
  m_pending_start =
      logs::LogRecord{m_config.name,         request_id,  unix_ms_now(), logs::LogSource::platform,
                      std::move(start_line), m_log_stream};
}

std::vector<std::string> Instance::end(std::optional<logs::LogRecord>& start) {
  std::lock_guard lock(m_mutex);
  pump_locked(true);
  m_collect = false;
  start = std::exchange(m_pending_start, std::nullopt);
  return std::exchange(m_collected, {});
}

std::optional<instances::ExitStatus> Instance::exit_status() {
  std::lock_guard lock(m_mutex);
  return m_status;
}

instances::ExitStatus Instance::kill() {
  std::lock_guard lock(m_mutex);
  if (!m_status && m_process) {
    m_process->kill_group(SIGKILL);
    m_status = m_process->stop(std::chrono::milliseconds(0));
  }
  if (m_process) pump_locked(true);
  m_dead = true;
  m_api.instance_gone();
  return m_status.value_or(instances::ExitStatus{true, 0, SIGKILL});
}

std::uint64_t Instance::sample_rss(bool whole_tree) {
  if (m_dead) return 0;
  const std::uint64_t rss = whole_tree ? instances::tree_rss_bytes(m_pgid) : statm_rss(m_statm_fd);
  std::uint64_t peak = m_peak_sampled.load();
  while (rss > peak && !m_peak_sampled.compare_exchange_weak(peak, rss)) {
  }
  return rss;
}

std::uint64_t Instance::peak_rss_bytes() {
  if (m_dead) return m_peak_sampled.load();
  // The kernel's high-water mark catches peaks between samples, but /proc/<pid>/status costs tens
  // of microseconds to generate: read it at most every 50 ms. statm is cheaper, but still a read
  // per invocation at thousands a second: at most every 2 ms (less than a process can grow by much
  // in the time; a later report, or the high-water mark, shows what it missed).
  const auto now = Clock::now();
  if (now - m_hwm_read_at >= std::chrono::milliseconds(50)) {
    m_hwm_read_at = now;
    m_hwm = high_water_mark(m_pgid);
  }
  if (now - m_statm_read_at >= std::chrono::milliseconds(2)) {
    m_statm_read_at = now;
    sample_rss(false);
  }
  return std::max(m_hwm, m_peak_sampled.load());
}

}  // namespace stratus::engine
