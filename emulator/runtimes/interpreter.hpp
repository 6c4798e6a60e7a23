#pragma once
// Finding the real interpreter binaries behind the built-in runtimes (python3, node).
// Version managers (pyenv, nvm shims, asdf) put a script on PATH that costs tens of milliseconds on
// every start; an instance is started from the binary the shim would have run.
#include <optional>
#include <string>
#include <string_view>

namespace stratus {

// The first regular, executable file named `name` in the ':'-separated `path_list` (empty entries
// mean the current directory, as in POSIX). A `name` containing '/' is returned as is if executable.
std::optional<std::string> find_on_path(std::string_view name, std::string_view path_list);

// The absolute path of the binary that `name` (looked up on the PATH of this process) really runs:
// python resolves through `sys.executable`, node through `process.execPath`; any other name is only
// looked up. nullopt when the name is not on PATH, or the interpreter fails or takes over 10 s to
// answer. Results (found or not) are cached per name for the life of the process; thread-safe.
std::optional<std::string> resolve_interpreter(std::string_view name);

struct Interpreter {
  std::string path;     // absolute path of the real binary
  std::string version;  // "3.11.9" / "22.11.0"; "" for a name that is neither python nor node
};

// resolve_interpreter with the interpreter's version, from the same single run (cached too).
std::optional<Interpreter> resolve_interpreter_info(std::string_view name);

}  // namespace stratus
