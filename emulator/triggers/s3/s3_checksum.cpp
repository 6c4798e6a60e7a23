#include "emulator/triggers/s3/s3_checksum.hpp"

#include <openssl/evp.h>

#include <array>
#include <cstdint>

#include "emulator/common/base64.hpp"

namespace stratus::triggers::s3 {
namespace {

// Reflected CRC-32 with the given (reversed) polynomial: 0xEDB88320 is CRC-32 (IEEE, zlib's),
// 0x82F63B78 is CRC-32C (Castagnoli).
template <std::uint32_t Polynomial>
std::uint32_t crc32(std::string_view bytes) {
  static const std::array<std::uint32_t, 256> table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? Polynomial ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  std::uint32_t crc = 0xFFFFFFFFu;
  for (const char ch : bytes) crc = table[(crc ^ static_cast<unsigned char>(ch)) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

std::string big_endian(std::uint32_t value) {
  return {static_cast<char>(value >> 24), static_cast<char>(value >> 16), static_cast<char>(value >> 8),
          static_cast<char>(value)};
}

std::string digest(std::string_view bytes, const EVP_MD* md) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), out, &len, md, nullptr);
  return std::string(reinterpret_cast<const char*>(out), len);
}

}  // namespace

std::optional<std::string> compute_checksum(std::string_view algorithm, std::string_view bytes) {
  if (algorithm == "crc32") return base64_encode(big_endian(crc32<0xEDB88320u>(bytes)));
  if (algorithm == "crc32c") return base64_encode(big_endian(crc32<0x82F63B78u>(bytes)));
  if (algorithm == "sha1") return base64_encode(digest(bytes, EVP_sha1()));
  if (algorithm == "sha256") return base64_encode(digest(bytes, EVP_sha256()));
  return std::nullopt;
}

}  // namespace stratus::triggers::s3
