#include "cli/package/libarchive.hpp"

#include <dlfcn.h>

#include <mutex>
#include <string>

#include "cli/errors.hpp"

namespace stratus::package {

namespace {

// ARCHIVE_VERSION_NUMBER is 3xxxyyy; the library's soname has carried 13 since libarchive 3.0.
constexpr const char* kSoname = "libarchive.so.13";

}  // namespace

const LibArchive& libarchive() {
  static LibArchive lib;
  static std::string error;
  static std::once_flag once;
  std::call_once(once, [] {
    void* handle = dlopen(kSoname, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      const char* why = dlerror();
      error = std::string(kSoname) + " cannot be loaded (" + (why ? why : "unknown reason") +
              "); install it: apt-get install libarchive13";
      return;
    }
#define STRATUS_LIBARCHIVE_LOAD(name)                                                         \
  lib.name = reinterpret_cast<decltype(&::name)>(dlsym(handle, #name));                      \
  if (!lib.name && error.empty())                                                            \
    error = std::string(kSoname) + " has no " #name "; stratus needs libarchive 3.6 or newer";
    STRATUS_LIBARCHIVE_FUNCTIONS(STRATUS_LIBARCHIVE_LOAD)
#undef STRATUS_LIBARCHIVE_LOAD
  });
  if (!error.empty()) throw UserError(error, kExitFailure);
  return lib;
}

}  // namespace stratus::package
