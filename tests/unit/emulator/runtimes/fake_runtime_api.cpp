#include "tests/unit/emulator/runtimes/fake_runtime_api.hpp"

#include <httplib.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace stratus::testing {

FakeRuntimeApi::FakeRuntimeApi() : m_server(std::make_unique<httplib::Server>()) {
  // Idle connections close after 1 s (the engine keeps them open; tests/e2e/offline_test covers what
  // depends on that, such as a node handler answering once its event loop is empty).
  m_server->set_keep_alive_timeout(1);
  m_server->Get("/2018-06-01/runtime/invocation/next", [this](const httplib::Request&,
                                                              httplib::Response& res) {
    std::unique_lock lock(m_mutex);
    ++m_next_calls;
    m_cv.notify_all();
    // A long poll, bounded so a forgotten instance cannot keep a server thread forever.
    if (!m_cv.wait_for(lock, std::chrono::seconds(10), [this] { return m_stopping || !m_events.empty(); }) ||
        m_stopping) {
      res.status = 500;
      return;
    }
    QueuedEvent event = std::move(m_events.front());
    m_events.pop_front();
    res.set_header("Lambda-Runtime-Aws-Request-Id", event.request_id);
    res.set_header("Lambda-Runtime-Deadline-Ms", std::to_string(event.deadline_ms));
    res.set_header("Lambda-Runtime-Invoked-Function-Arn", event.arn);
    if (!event.trace_id.empty()) res.set_header("Lambda-Runtime-Trace-Id", event.trace_id);
    res.set_content(event.body, "application/json");
  });
  auto record = [this](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(m_mutex);
    m_posts.push_back({req.path, req.body, req.get_header_value("Lambda-Runtime-Function-Error-Type")});
    m_cv.notify_all();
    res.status = 202;
    res.set_content(R"({"status":"OK"})", "application/json");
  };
  m_server->Post(R"(/2018-06-01/runtime/invocation/[^/]+/(response|error))", record);
  m_server->Post("/2018-06-01/runtime/init/error", record);
  m_port = m_server->bind_to_any_port("127.0.0.1");
  if (m_port <= 0) throw std::runtime_error("fake runtime API: cannot bind");
  m_thread = std::thread([this] { m_server->listen_after_bind(); });
}

FakeRuntimeApi::~FakeRuntimeApi() {
  {
    std::lock_guard lock(m_mutex);
    m_stopping = true;
    m_cv.notify_all();
  }
  m_server->stop();
  m_thread.join();
}

void FakeRuntimeApi::push(QueuedEvent event) {
  std::lock_guard lock(m_mutex);
  m_events.push_back(std::move(event));
  m_cv.notify_all();
}

std::optional<Posted> FakeRuntimeApi::wait_post(std::chrono::milliseconds limit) {
  std::unique_lock lock(m_mutex);
  if (!m_cv.wait_for(lock, limit, [this] { return !m_posts.empty(); })) return std::nullopt;
  Posted p = std::move(m_posts.front());
  m_posts.pop_front();
  return p;
}

bool FakeRuntimeApi::wait_next_calls(int count, std::chrono::milliseconds limit) {
  std::unique_lock lock(m_mutex);
  return m_cv.wait_for(lock, limit, [&] { return m_next_calls >= count; });
}

Child::Child(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
             const std::filesystem::path& out_file, const std::filesystem::path& err_file) {
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  const int rc = ::posix_spawn(&m_pid, args[0], &actions, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot spawn " + argv[0]);
}

Child::~Child() {
  if (m_reaped) return;
  ::kill(m_pid, SIGKILL);
  int status = 0;
  while (::waitpid(m_pid, &status, 0) < 0 && errno == EINTR) {
  }
}

std::optional<int> Child::wait_exit(std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(m_pid, &status, WNOHANG);
    if (r == m_pid) {
      m_reaped = true;
      return status;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace stratus::testing
