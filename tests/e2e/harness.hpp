#pragma once
// Drives the real stratus binary in a throwaway directory: HOME and AWS_* point into the
// directory, stdout and stderr are captured separately, and the child is always reaped.
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

// Runs any program the same way (for unzip, bash).
RunResult run_program(const std::filesystem::path& cwd, const std::vector<std::string>& argv,
                      const std::map<std::string, std::string>& env = {}, const std::string& stdin_text = "");

std::string read_file(const std::filesystem::path& p);

}  // namespace stratus::e2e
