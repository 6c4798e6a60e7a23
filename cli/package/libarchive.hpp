#pragma once
// libarchive, loaded the first time a zip is written. Linking it outright makes every stratus
// start-up map it and the dozen libraries it depends on (xml2, ICU, lzma, zstd, ...), which
// tripled `stratus --version`; only `package` needs it, so only `package` pays for it.
#include <archive.h>
#include <archive_entry.h>

#include <string>

namespace stratus::package {

#define STRATUS_LIBARCHIVE_FUNCTIONS(X)        \
  X(archive_write_new)                         \
  X(archive_write_free)                        \
  X(archive_write_set_format_zip)              \
  X(archive_write_set_format_option)           \
  X(archive_write_set_bytes_per_block)         \
  X(archive_write_set_bytes_in_last_block)     \
  X(archive_write_open)                        \
  X(archive_write_header)                      \
  X(archive_write_data)                        \
  X(archive_write_finish_entry)                \
  X(archive_write_close)                       \
  X(archive_write_zip_set_compression_store)   \
  X(archive_write_zip_set_compression_deflate) \
  X(archive_error_string)                      \
  X(archive_set_error)                         \
  X(archive_entry_new)                         \
  X(archive_entry_free)                        \
  X(archive_entry_clear)                       \
  X(archive_entry_set_pathname)                \
  X(archive_entry_set_filetype)                \
  X(archive_entry_set_perm)                    \
  X(archive_entry_set_size)                    \
  X(archive_entry_set_uid)                     \
  X(archive_entry_set_gid)

// The functions stratus uses, by their libarchive names.
struct LibArchive {
#define STRATUS_LIBARCHIVE_MEMBER(name) decltype(&::name) name = nullptr;
  STRATUS_LIBARCHIVE_FUNCTIONS(STRATUS_LIBARCHIVE_MEMBER)
#undef STRATUS_LIBARCHIVE_MEMBER
};

// Loads libarchive once (thread-safe). Throws UserError naming the library and the Debian
// package to install when it cannot be loaded.
const LibArchive& libarchive();

// The loading step itself, for a given soname: fills `out` and returns "" on success, else the
// message libarchive() throws.
std::string load_libarchive(const char* soname, LibArchive& out);

}  // namespace stratus::package
