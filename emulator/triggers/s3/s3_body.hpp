#pragma once
// The aws-chunked body encoding (SigV4 streaming uploads): what the aws CLI, boto3 and the JS SDK
// send for PutObject / UploadPart when they sign chunk by chunk (x-amz-content-sha256:
// STREAMING-AWS4-HMAC-SHA256-PAYLOAD) or add a trailing checksum (STREAMING-UNSIGNED-PAYLOAD-TRAILER):
//
//   <hex size>[;chunk-signature=<64 hex>]\r\n<size bytes>\r\n ... 0[;chunk-signature=...]\r\n
//   [<trailer name>:<value>\r\n ...][\r\n]
//
// Chunk signatures are not verified (the emulator verifies no signature).
#include <optional>
#include <string>
#include <string_view>

namespace stratus::triggers::s3 {

// The payload without its framing; nullopt when the framing is broken or the body ends early.
std::optional<std::string> decode_aws_chunked(std::string_view body);

}  // namespace stratus::triggers::s3
