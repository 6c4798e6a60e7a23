#pragma once
// Standard base64 (RFC 4648 section 4, with '=' padding), as AWS uses it in headers
// (X-Amz-Client-Context, X-Amz-Log-Result) and in CodeSha256.
#include <optional>
#include <string>
#include <string_view>

namespace stratus {

std::string base64_encode(std::string_view bytes);

// Strict: the standard alphabet, length a multiple of 4, padding only at the end, no whitespace.
// nullopt for anything else.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace stratus
