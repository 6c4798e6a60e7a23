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

std::string load_libarchive(const char* soname, LibArchive& out) {
  void* handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = dlerror();
    return std::string(soname) + " cannot be loaded (" + (why ? why : "unknown reason") +
           "); install it: apt-get install libarchive13";
  }
#define STRATUS_LIBARCHIVE_LOAD(name)                                   \
  out.name = reinterpret_cast<decltype(&::name)>(dlsym(handle, #name)); \
  if (!out.name) return std::string(soname) + " has no " #name "; stratus needs libarchive 3.6 or newer";
  STRATUS_LIBARCHIVE_FUNCTIONS(STRATUS_LIBARCHIVE_LOAD)
#undef STRATUS_LIBARCHIVE_LOAD
  return "";
}

const LibArchive& libarchive() {
  static LibArchive lib;
  static std::string error;
  static std::once_flag once;
  std::call_once(once, [] { error = load_libarchive(kSoname, lib); });
  if (!error.empty()) throw UserError(error, kExitFailure);
  return lib;
}

}  // namespace stratus::package
