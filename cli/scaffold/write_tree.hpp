#pragma once
// Writing a new project so that a failure leaves nothing half-written: every file is staged in a
// temporary folder beside the destination (inside it, when it already exists), then renamed into
// place; an existing path is never replaced.
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "cli/scaffold/templates.hpp"

namespace stratus::scaffold {

// The paths of `files` (relative, sorted) that cannot be written under dest because something is
// already there: the file itself, or a non-folder where one of its folders would go.
std::vector<std::string> find_conflicts(const std::filesystem::path& dest,
                                        std::span<const ProjectFile> files);

// Writes files under dest, creating dest and its missing parents. Files get mode 0644, executable
// ones 0755, folders 0755, each less the umask. On any failure everything written or created so far
// (parents included) is removed again and UserError (exit 1) is thrown naming the path under dest
// and the system's reason; a path that exists by then is such a failure, never overwritten.
void write_tree(const std::filesystem::path& dest, std::span<const ProjectFile> files);

}  // namespace stratus::scaffold
