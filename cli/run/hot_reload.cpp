#include "cli/run/hot_reload.hpp"

#include <sys/stat.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/ui/output.hpp"

namespace stratus::run {

namespace {

// The regular files this process's stdout and stderr go to (`stratus offline > offline.log 2>&1`
// in the service folder): never a reason to reload, or each reload line would cause the next.
std::vector<std::filesystem::path> own_output_files() {
  std::vector<std::filesystem::path> out;
  for (const int fd : {1, 2}) {
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) continue;
    std::error_code ec;
    auto target = std::filesystem::read_symlink("/proc/self/fd/" + std::to_string(fd), ec);
    if (!ec) out.push_back(std::move(target));
  }
  return out;
}

}  // namespace

std::unique_ptr<engine::HotReload> start_hot_reload(engine::Engine& engine, ui::Output& out) {
  try {
    engine::FileWatchOptions options;
    options.ignored_files = own_output_files();
    return std::make_unique<engine::HotReload>(
        engine, [&out](const std::string& line) { out.info(line); }, options);
  } catch (const std::runtime_error& e) {
    out.warning(std::string(e.what()) + "; functions are not reloaded when their files change");
    return nullptr;
  }
}

}  // namespace stratus::run
