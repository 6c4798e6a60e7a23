#pragma once
// Drives the real stratus binary in a throwaway directory: HOME and AWS_* point into the
// directory, stdout and stderr are captured separately, and the child is always reaped.
#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "tests/support/temp_dir.hpp"

namespace stratus::e2e {

using stratus::test_support::TempDir;

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `stratus args...` in cwd with a clean environment (PATH, HOME=cwd, NO_COLOR unset
// unless given in env) plus env.
RunResult run_stratus(const std::filesystem::path& cwd, const std::vector<std::string>& args,
                      const std::map<std::string, std::string>& env = {}, const std::string& stdin_text = "");

// Runs any program the same way (for unzip, bash). A child silent for `silence_limit` is taken for
// hung: its output stops being read (and it dies of SIGPIPE at its next write).
RunResult run_program(const std::filesystem::path& cwd, const std::vector<std::string>& argv,
                      const std::map<std::string, std::string>& env = {}, const std::string& stdin_text = "",
                      std::chrono::milliseconds silence_limit = std::chrono::minutes(1));

// The environment run_stratus gives the child ("K=V"): PATH, HOME=cwd, the AWS config files in
// cwd, LANG, plus `env`. For tests that start the binary themselves (on a pseudo-terminal).
std::vector<std::string> stratus_environment(const std::filesystem::path& cwd,
                                             const std::map<std::string, std::string>& env = {});

// The binary under test.
std::string stratus_binary();

std::string read_file(const std::filesystem::path& p);

// `stratus args...` running in the background (stratus offline): stdout and stderr go to files
// in cwd, read while it runs. The destructor kills it (SIGKILL) if it is still running.
class Background {
 public:
  Background(const std::filesystem::path& cwd, const std::vector<std::string>& args,
             const std::map<std::string, std::string>& env = {});
  ~Background();
  Background(const Background&) = delete;
  Background& operator=(const Background&) = delete;

  // Waits until stdout holds a complete first line (up to `timeout_ms`); "" if none came.
  std::string first_line(int timeout_ms = 20000);
  std::string out() const;
  std::string err() const;
  int pid() const { return m_pid; }
  void signal(int sig);
  // Waits for the exit; the exit code, 128+signal when killed, -1 on timeout.
  int wait(int timeout_ms = 20000);

 private:
  std::filesystem::path m_out;
  std::filesystem::path m_err;
  int m_pid = -1;
  bool m_reaped = false;
};

}  // namespace stratus::e2e
