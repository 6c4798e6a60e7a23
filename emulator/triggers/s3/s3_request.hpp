#pragma once
// What an S3 request says, read without touching the store: which bucket and key it names, the
// byte ranges it asks for, the copy source, the aws-chunked body framing, the small XML documents
// clients send. Each reader throws the S3Error S3 would answer for input it refuses.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/net/http_wire.hpp"
#include "emulator/triggers/s3/s3_store.hpp"

namespace stratus::triggers::s3 {

// Where a request points: a bucket, and within it a key (either may be empty).
struct Target {
  std::string bucket;
  std::string key;
};

// Virtual-host style when Host is "<bucket>.localhost[:port]", else path style "/bucket/key". The
// key is percent-decoded and otherwise taken as sent: S3 does no path normalisation.
Target parse_target(const net::wire::Request& request);

// x-amz-copy-source: "bucket/key" or "/bucket/key", URL-encoded, with an optional "?versionId=".
// InvalidArgument when there is no key.
Target parse_copy_source(std::string_view header);

struct ByteRange {
  std::int64_t first = 0;
  std::int64_t last = 0;  // inclusive
};

// Range: "bytes=a-b" | "bytes=a-" | "bytes=-n" against an object of `size` bytes, clamped to it.
// nullopt for a header S3 ignores (another unit, several ranges, b < a, not numbers): the whole
// object is sent. 416 InvalidRange when nothing of the object is in the range.
std::optional<ByteRange> parse_range(const std::string& header, std::int64_t size);

// x-amz-copy-source-range: exactly "bytes=first-last" within a source of `size` bytes
// (InvalidArgument otherwise).
ByteRange parse_copy_range(const std::string& header, std::int64_t size);

// The aws-chunked body encoding (SigV4 streaming uploads: x-amz-content-sha256
// STREAMING-AWS4-HMAC-SHA256-PAYLOAD, or STREAMING-UNSIGNED-PAYLOAD-TRAILER with a trailing checksum):
//   <hex size>[;chunk-signature=<64 hex>]\r\n<bytes>\r\n ... 0[;chunk-signature=...]\r\n[trailers]\r\n
// The payload without its framing; nullopt when the framing is broken or ends early. Trailers
// ("x-amz-checksum-crc32:<base64>") are added to `trailers` when given. Chunk signatures are not
// verified (the emulator verifies no signature).
std::optional<std::string> decode_aws_chunked(std::string_view body, net::wire::Fields* trailers = nullptr);

// The content of every <name ...>...</name> (or <name/>) in `xml`, in order, as written (still
// escaped): enough for the small documents S3 takes (Delete, CompleteMultipartUpload), which nest
// no same-name elements. MalformedXML for an element that does not close.
std::vector<std::string> xml_elements(std::string_view xml, std::string_view name);
// The same, unescaped: the text of leaf elements such as <Key>.
std::vector<std::string> xml_texts(std::string_view xml, std::string_view name);

S3Error malformed_xml_error();
S3Error invalid_argument(const std::string& message, const std::string& name, const std::string& value);

}  // namespace stratus::triggers::s3
