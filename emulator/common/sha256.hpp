#pragma once
// SHA-256 (OpenSSL) with lowercase hex output: over a buffer, over a file read in large blocks,
// or incrementally. The packager hashes artifacts and fingerprints with it; deploy (SigV4
// payload hashes) shares it.
#include <array>
#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

namespace stratus {

using Sha256Digest = std::array<unsigned char, 32>;

// An incremental digest. Not copyable; finish() may be called once.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(const void* data, std::size_t size);
  void update(std::string_view text) { update(text.data(), text.size()); }
  Sha256Digest finish();
  std::string finish_hex();

 private:
  struct State;
  State* m_state;
};

// Lowercase hex of any bytes ("" for none).
std::string to_hex(std::span<const unsigned char> bytes);

std::string sha256_hex(std::string_view data);

// The digest of a file's content. Throws std::system_error (with the path in the message)
// when it cannot be opened or read.
std::string sha256_file_hex(const std::filesystem::path& path);

}  // namespace stratus
