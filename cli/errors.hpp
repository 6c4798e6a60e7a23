#pragma once
// What ends a command. Expected failures are values; a UserError is thrown once and caught in
// main(), which prints it and maps it to the documented exit code.
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/manifest/diagnostics.hpp"

namespace stratus {

enum ExitCode : int { kExitOk = 0, kExitFailure = 1, kExitUsage = 2 };

class UserError : public std::runtime_error {
 public:
  explicit UserError(const std::string& message, int exit_code = kExitUsage)
      : std::runtime_error(message), m_exit_code(exit_code) {}
  // A manifest that failed to load, resolve or validate: every diagnostic is printed.
  UserError(std::vector<manifest::Diagnostic> diagnostics, manifest::Sources sources)
      : std::runtime_error("invalid manifest"),
        m_exit_code(kExitUsage),
        m_diagnostics(std::move(diagnostics)),
        m_sources(std::move(sources)) {}

  int exit_code() const { return m_exit_code; }
  const std::vector<manifest::Diagnostic>& diagnostics() const { return m_diagnostics; }
  const manifest::Sources& sources() const { return m_sources; }

 private:
  int m_exit_code;
  std::vector<manifest::Diagnostic> m_diagnostics;
  manifest::Sources m_sources;
};

}  // namespace stratus
