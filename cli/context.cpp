#include "cli/context.hpp"

#include "cli/manifest/manifest.hpp"

namespace stratus {

Context::Context() = default;
Context::~Context() = default;

ui::Output& Context::out() {
  if (!m_out) m_out = std::make_unique<ui::Output>(ui::OutputOptions{
      options.json, options.verbose, ui::should_color(options.no_color, stderr)});
  return *m_out;
}

std::filesystem::path Context::cwd() const { return std::filesystem::current_path(); }

}  // namespace stratus
