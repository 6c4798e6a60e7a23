#include "emulator/triggers/invoke_api/list_page.hpp"

#include <algorithm>

namespace stratus::triggers {

namespace {
constexpr std::size_t kMaxPageSize = 50;
}

ListPage list_page(const std::vector<std::string>& names, const std::optional<std::string>& max_items,
                   const std::optional<std::string>& marker) {
  ListPage page;
  std::size_t size = kMaxPageSize;
  if (max_items) {
    const std::string& text = *max_items;
    const bool digits = !text.empty() && text.size() <= 5 &&
                        std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
    const long value = digits ? std::stol(text) : 0;
    if (value < 1 || value > 10000) {
      page.error = "1 validation error detected: Value '" + text +
                   "' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 10000";
      return page;
    }
    size = std::min<std::size_t>(size, static_cast<std::size_t>(value));
  }
  if (marker && !marker->empty()) {
    const auto it = std::find(names.begin(), names.end(), *marker);
    if (it == names.end()) {
      page.error = "Invalid marker: " + *marker;
      return page;
    }
    page.begin = static_cast<std::size_t>(it - names.begin());
  }
  page.end = std::min(names.size(), page.begin + size);
  if (page.end < names.size()) page.next_marker = names[page.end];
  return page;
}

}  // namespace stratus::triggers
