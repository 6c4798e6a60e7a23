#pragma once
// The one object every command receives: the global options, the output, and the manifest,
// loaded once, lazily, the first time a command asks for it.
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/ui/output.hpp"

namespace stratus {

namespace manifest {
struct LoadedManifest;
struct LoadOptions;
}  // namespace manifest

struct GlobalOptions {
  std::string config;               // --config/-c
  std::string stage;                // --stage/-s (empty: not given)
  std::string region;               // --region/-r
  std::vector<std::string> params;  // --param k=v, repeatable
  bool json = false;
  bool verbose = false;
  bool no_color = false;
};

class Context {
 public:
  Context();
  ~Context();

  GlobalOptions options;
  int exit_code = 0;  // what a command that finished without throwing wants main() to return

  // Built from `options` on first use (after the command line is parsed).
  ui::Output& out();

  // The manifest found from the working directory (or --config), resolved and validated.
  // Throws UserError (exit 2) with every problem when it cannot be loaded. Warnings are printed
  // once, on first load.
  const manifest::LoadedManifest& manifest();

  std::filesystem::path cwd() const;

  // The manifest pipeline's inputs from the global options and the environment
  // (for commands such as `validate` that want the full report rather than an exception).
  manifest::LoadOptions load_options() const;

  // With --verbose, one line per pipeline step and its time.
  void print_steps(const std::vector<std::pair<std::string, double>>& steps);

 private:
  std::unique_ptr<ui::Output> m_out;
  std::unique_ptr<manifest::LoadedManifest> m_manifest;
};

}  // namespace stratus
