#include "cli/run/hot_reload.hpp"

#include <stdexcept>

#include "cli/ui/output.hpp"

namespace stratus::run {

std::unique_ptr<engine::HotReload> start_hot_reload(engine::Engine& engine, ui::Output& out) {
  try {
    return std::make_unique<engine::HotReload>(engine, [&out](const std::string& line) { out.info(line); });
  } catch (const std::runtime_error& e) {
    out.warning(std::string(e.what()) + "; functions are not reloaded when their files change");
    return nullptr;
  }
}

}  // namespace stratus::run
