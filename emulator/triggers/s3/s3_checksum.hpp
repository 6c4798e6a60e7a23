#pragma once
// S3's additional checksums: a client sends x-amz-checksum-<algorithm> (as a header, or as a
// trailer of an aws-chunked body) with the base64 of the big-endian digest of the object bytes;
// S3 verifies it (BadDigest on a mismatch) and echoes it in the response. Current SDKs send CRC32
// by default (botocore >= 1.36, the aws CLI with it).
#include <optional>
#include <string>
#include <string_view>

namespace stratus::triggers::s3 {

// The base64 digest of `bytes` for "crc32", "crc32c", "sha1" or "sha256" (lower-case, as in the
// header name); nullopt for an algorithm not computed here (crc64nvme), which is then not checked.
std::optional<std::string> compute_checksum(std::string_view algorithm, std::string_view bytes);

}  // namespace stratus::triggers::s3
