#pragma once
// Drives the real stratus binary in a throwaway directory: HOME and AWS_* point into the
// directory, stdout and stderr are captured separately, and the child is always reaped.
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace stratus::e2e {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return m_path; }
  // Writes a file (creating folders) relative to the directory and returns its path.
  std::filesystem::path write(const std::string& relative, const std::string& content) const;

 private:
  std::filesystem::path m_path;
};

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `stratus args...` in cwd with a clean environment (PATH, HOME=cwd, NO_COLOR unset
// unless given in env) plus env.
RunResult run_stratus(const std::filesystem::path& cwd, const std::vector<std::string>& args,
                      const std::map<std::string, std::string>& env = {}, const std::string& stdin_text = "");

// Runs any program the same way (for unzip, bash).
RunResult run_program(const std::filesystem::path& cwd, const std::vector<std::string>& argv,
                      const std::map<std::string, std::string>& env = {}, const std::string& stdin_text = "");

std::string read_file(const std::filesystem::path& p);

}  // namespace stratus::e2e
