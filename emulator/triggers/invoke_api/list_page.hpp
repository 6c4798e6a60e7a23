#pragma once
// The paging of Lambda's ListFunctions, shared by the offline Invoke API and `stratus serve`:
// MaxItems (1 to 10000; a page holds at most 50 whatever it asks) and Marker (our marker is the name
// of the first function of the page, so it stays valid while functions come and go before it).
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace stratus::triggers {

struct ListPage {
  std::size_t begin = 0;  // the page is names[begin, end)
  std::size_t end = 0;
  std::string next_marker;  // "" on the last page
  std::string error;        // InvalidParameterValueException's message for a bad MaxItems or Marker
};

ListPage list_page(const std::vector<std::string>& names, const std::optional<std::string>& max_items,
                   const std::optional<std::string>& marker);

}  // namespace stratus::triggers
