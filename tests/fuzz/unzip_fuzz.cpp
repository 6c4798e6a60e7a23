// Fuzzes unpack_zip: any bytes must end in a folder or an error, never in a crash, and either way
// nothing may be left next to the destination (no temporary folder, no escaped entry).
#include <stdlib.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "emulator/platform/unzip.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace fs = std::filesystem;
  static const fs::path base = [] {
    std::string tmpl = (fs::temp_directory_path() / "stratus-unzip-fuzz-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) abort();
    return fs::path(tmpl);
  }();
  const fs::path parent = base / "p";
  fs::remove_all(parent);
  fs::create_directories(parent);
  stratus::platform::UnzipLimits limits;
  limits.max_unpacked_bytes = 8 << 20;
  limits.max_entries = 2000;
  const auto result = stratus::platform::unpack_zip(
      std::string_view(reinterpret_cast<const char*>(data), size), parent / "code", limits);
  std::size_t left = 0;
  for (const auto& entry : fs::directory_iterator(base)) left += entry.path() != parent;
  for (const auto& entry : fs::directory_iterator(parent))
    if (!result.ok() || entry.path().filename() != "code") abort();
  if (left != 0) abort();
  return 0;
}
