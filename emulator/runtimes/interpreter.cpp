#include "emulator/runtimes/interpreter.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <mutex>
#include <vector>

extern char** environ;

namespace stratus {
namespace {

bool is_executable_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

// Runs argv with this process's environment, returns its stdout if it exits 0 within `limit`.
// The child is killed and reaped on timeout, so no caller can hang on a broken interpreter.
std::optional<std::string> run_capture(const std::vector<std::string>& args,
                                       std::chrono::milliseconds limit) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return std::nullopt;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = ::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    return std::nullopt;
  }
  std::string out;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  bool timed_out = false;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    const int n = ::poll(&p, 1, static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) continue;
    char buf[4096];
    const ssize_t got = ::read(fds[0], buf, sizeof buf);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    out.append(buf, static_cast<size_t>(got));
    if (out.size() > 65536) break;  // an interpreter path is short; anything else is not one
  }
  ::close(fds[0]);
  if (timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return std::nullopt;
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

std::optional<Interpreter> resolve_uncached(std::string_view name) {
  const char* path_env = std::getenv("PATH");
  auto found = find_on_path(name, path_env ? path_env : "");
  if (!found) return std::nullopt;
  const std::string base = found->substr(found->rfind('/') + 1);
  std::vector<std::string> args;
  if (base.rfind("python", 0) == 0) {
    args = {*found, "-c", "import sys; print(sys.executable); print('%d.%d.%d' % sys.version_info[:3])"};
  } else if (base == "node" || base == "nodejs") {
    args = {*found, "-e", "process.stdout.write(process.execPath + '\\n' + process.versions.node)"};
  } else {
    return Interpreter{*found, ""};
  }
  auto out = run_capture(args, std::chrono::seconds(10));
  if (!out) return std::nullopt;
  const auto newline = out->find('\n');
  Interpreter result{out->substr(0, newline), newline == std::string::npos ? "" : out->substr(newline + 1)};
  if (result.path.empty() || result.path[0] != '/' || !is_executable_file(result.path)) return std::nullopt;
  return result;
}

}  // namespace

std::optional<std::string> find_on_path(std::string_view name, std::string_view path_list) {
  if (name.empty()) return std::nullopt;
  if (name.find('/') != std::string_view::npos) {
    std::string path(name);
    return is_executable_file(path) ? std::optional<std::string>(path) : std::nullopt;
  }
  size_t start = 0;
  for (;;) {
    const size_t colon = path_list.find(':', start);
    std::string_view dir = path_list.substr(start, colon == std::string_view::npos ? colon : colon - start);
    std::string candidate = dir.empty() ? std::string(".") : std::string(dir);
    candidate += '/';
    candidate += name;
    if (is_executable_file(candidate)) return candidate;
    if (colon == std::string_view::npos) return std::nullopt;
    start = colon + 1;
  }
}

std::optional<Interpreter> resolve_interpreter_info(std::string_view name) {
  static std::mutex mutex;
  static std::map<std::string, std::optional<Interpreter>, std::less<>> cache;
  std::lock_guard lock(mutex);
  if (auto it = cache.find(name); it != cache.end()) return it->second;
  auto result = resolve_uncached(name);
  cache.emplace(std::string(name), result);
  return result;
}

}  // namespace stratus

namespace stratus {

std::optional<std::string> resolve_interpreter(std::string_view name) {
  auto info = resolve_interpreter_info(name);
  if (!info) return std::nullopt;
  return info->path;
}

}  // namespace stratus
