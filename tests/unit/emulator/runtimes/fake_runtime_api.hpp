#pragma once
// Test support: a minimal Lambda Runtime API server on 127.0.0.1:<ephemeral>, and a child process
// running a bootstrap against it. Every wait is bounded so a broken bootstrap fails a test, never hangs it.
#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace httplib {
class Server;
}

namespace stratus::testing {

struct QueuedEvent {
  std::string request_id;
  std::string body;
  std::int64_t deadline_ms = 0;
  std::string arn;
  std::string trace_id;
};

// What the runtime posted: path ("/2018-06-01/runtime/invocation/ID/response" ...), body, and the
// Lambda-Runtime-Function-Error-Type header ("" when absent).
struct Posted {
  std::string path;
  std::string body;
  std::string error_type;
};

class FakeRuntimeApi {
 public:
  FakeRuntimeApi();
  ~FakeRuntimeApi();
  FakeRuntimeApi(const FakeRuntimeApi&) = delete;
  FakeRuntimeApi& operator=(const FakeRuntimeApi&) = delete;

  int port() const { return m_port; }
  void push(QueuedEvent event);
  // The next post the runtime made, waiting up to `limit`.
  std::optional<Posted> wait_post(std::chrono::milliseconds limit = std::chrono::seconds(5));
  // Waits until /next has been called at least `count` times in all.
  bool wait_next_calls(int count, std::chrono::milliseconds limit = std::chrono::seconds(5));

 private:
  std::unique_ptr<httplib::Server> m_server;
  std::thread m_thread;
  int m_port = 0;
  std::mutex m_mutex;
  std::condition_variable m_cv;
  std::deque<QueuedEvent> m_events;
  std::deque<Posted> m_posts;
  int m_next_calls = 0;
  bool m_stopping = false;
};

// A child process; killed (SIGKILL) and reaped on destruction if still running.
class Child {
 public:
  // argv[0] must be an absolute path. stdout and stderr go to the given files.
  Child(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
        const std::filesystem::path& out_file, const std::filesystem::path& err_file);
  ~Child();
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  pid_t pid() const { return m_pid; }
  // The wait status once the child exits within `limit`; nullopt if it is still running then.
  std::optional<int> wait_exit(std::chrono::milliseconds limit = std::chrono::seconds(5));

 private:
  pid_t m_pid = -1;
  bool m_reaped = false;
};

std::string read_file(const std::filesystem::path& path);
void write_file(const std::filesystem::path& path, const std::string& text);
std::int64_t now_ms();

}  // namespace stratus::testing
