#pragma once
// `stratus offline`'s hot reload (on unless --no-reload): the engine's HotReload, announcing each
// reload on the console. Where files cannot be watched, a warning and no hot reload.
#include <memory>

#include "emulator/engine/hot_reload.hpp"

namespace stratus::ui {
class Output;
}

namespace stratus::run {

std::unique_ptr<engine::HotReload> start_hot_reload(engine::Engine& engine, ui::Output& out);

}  // namespace stratus::run
