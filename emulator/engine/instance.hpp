#pragma once
// One execution environment: a child process (the runtime) in its own process group, the Runtime
// API endpoint it talks to, its private TMPDIR, and a thread that reads its stdout/stderr line by
// line and attributes each line to the invocation in flight. One invocation at a time.
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "emulator/engine/function_config.hpp"
#include "emulator/engine/launch.hpp"
#include "emulator/instances/memory_cgroup.hpp"
#include "emulator/instances/process.hpp"
#include "emulator/logs/log_record.hpp"
#include "emulator/runtime_api/server.hpp"

namespace stratus::engine {

using Clock = std::chrono::steady_clock;

class Sink;

struct InstanceStart {
  const FunctionConfig* config = nullptr;
  std::vector<std::string> argv;                                                     // from plan_runtime
  std::function<std::vector<std::string>(const InstanceEnv& instance)> environment;  // the child's env
  std::filesystem::path tmp_root;                                                    // TMPDIR = tmp_root/<id>
  Sink* sink = nullptr;
  bool provisioned = false;
  std::uint64_t memory_limit_bytes = 0;  // enforced by a memory cgroup where one can be made
  bool pass_connection = false;          // RuntimePlan::own_bootstrap: see InstanceEnv::passed_connection
};

class Instance {
 public:
  // Creates the endpoint and TMPDIR and spawns the runtime. Throws std::runtime_error when the
  // process cannot start (the message names the program).
  explicit Instance(InstanceStart start);
  ~Instance();  // kills the process group, joins the reader, removes TMPDIR
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;

  Clock::time_point spawned_at() const { return m_spawned_at; }
  bool provisioned() const { return m_provisioned; }
  const std::string& log_stream() const { return m_log_stream; }
  pid_t pgid() const { return m_pgid; }

  // Waits for the runtime's first /next (or its init error, its exit, the deadline).
  runtime_api::ReadyState wait_ready(Clock::time_point deadline) { return m_api.wait_ready(deadline); }
  std::optional<Clock::time_point> first_next_at() const { return m_api.first_next_at(); }

  // Output lines from now on are attributed to `request_id`; with `collect`, they are also kept
  // for end() (together with any init output not yet taken). `start_line` (START) opens the
  // request's log: it reaches the sink just before the function's first line, or from end() with
  // the closing lines, so a silent invocation costs one console write, not two. `cold`: output
  // still unread from the init is read first, so it stays before START.
  void begin(const std::string& request_id, bool collect, std::string start_line, bool cold);
  runtime_api::InvokeOutcome invoke(const runtime_api::Invocation& invocation, Clock::time_point deadline) {
    return m_api.invoke(invocation, deadline);
  }
  // Its Runtime API endpoint, for an event loop's try_start() / step().
  runtime_api::RuntimeApiServer& api() { return m_api; }
  // Reads what the process wrote so far (a last partial line included), then stops attributing
  // lines to the request. Returns the collected lines when begin() asked for them; `start` gets
  // the START record when it has not reached the sink yet (the caller sends it first).
  std::vector<std::string> end(std::optional<logs::LogRecord>& start);

  // The exit status, if the process has ended (reaped). Never blocks.
  std::optional<instances::ExitStatus> exit_status();
  // Kills the process group now (SIGKILL) and reaps; marks the instance dead. Idempotent.
  instances::ExitStatus kill();
  bool dead() const { return m_dead.load(); }

  // Peak resident memory so far, in bytes: the larger of the process's own high-water mark
  // (VmHWM) and the peak sampled over its process tree.
  std::uint64_t peak_rss_bytes();
  // True when a memory cgroup holds the instance: the kernel enforces its memory size.
  bool kernel_limited() const { return m_cgroup != nullptr; }
  // Samples the tree's RSS now; returns it (0 when gone). Called by the memory watch.
  std::uint64_t sample_rss(bool whole_tree);
  // Set by the memory watch before it kills an instance over its memory size.
  void mark_out_of_memory() { m_oom = true; }
  // Killed for its memory: by the memory watch, or by the kernel in the instance's cgroup.
  bool out_of_memory() const { return m_oom.load() || (m_cgroup && m_cgroup->oom_killed()); }

  Clock::time_point last_used;   // maintained by the pool
  std::uint64_t generation = 0;  // the pool's code generation it was started for (Engine::reload)
  // The engine loop's registration of this instance's Runtime API fds (Engine, under its lock): the
  // key its events carry, the connection whose socket is registered, whether the wake fd is.
  std::uint64_t reactor_key = 0;
  std::uint64_t reactor_connection = 0;
  bool reactor_wake = false;

 private:
  void reader_loop();
  void pump_locked(bool final);  // reads both pipes, emits whole lines (all of them when final)
  void emit_locked(logs::LogSource source, std::string line);

  const FunctionConfig& m_config;
  Sink* m_sink;
  bool m_provisioned;
  std::filesystem::path m_tmp_dir;
  std::string m_log_stream;  // "2026/11/22/[$LATEST]<32 hex>", as the instance's environment says
  std::unique_ptr<instances::MemoryCgroup> m_cgroup;  // declared before the process: removed after it
  runtime_api::RuntimeApiServer m_api;
  Clock::time_point m_spawned_at;
  std::optional<instances::ChildProcess> m_process;
  pid_t m_pgid = -1;
  int m_statm_fd = -1;  // /proc/<pid>/statm, open for the instance's life
  int m_wake[2] = {-1, -1};

  std::mutex m_mutex;  // guards the fields below and the pipes
  std::string m_partial[2];
  std::string m_request_id;
  bool m_collect = false;
  std::vector<std::string> m_collected;
  std::optional<logs::LogRecord> m_pending_start;  // START, until the request's first line
  std::optional<instances::ExitStatus> m_status;

  std::atomic<bool> m_dead{false};
  std::atomic<bool> m_oom{false};
  std::atomic<std::uint64_t> m_peak_sampled{0};
  std::uint64_t m_hwm = 0;  // VmHWM as last read (by the invoking thread only)
  Clock::time_point m_hwm_read_at;
  Clock::time_point m_statm_read_at;  // the last statm sample of peak_rss_bytes()
  std::atomic<bool> m_stop_reader{false};
  std::thread m_reader;
};

}  // namespace stratus::engine
