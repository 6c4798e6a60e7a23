#pragma once
// Text forms S3 uses on the wire: timestamps, XML escaping, URL encoding of keys.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "emulator/common/utc_time.hpp"
#include "emulator/common/xml_escape.hpp"

namespace stratus::triggers::s3 {

// "2026-11-23T00:50:14.123Z": LastModified in listings, eventTime in notifications.
using stratus::format_iso_ms;
// "Mon, 23 Nov 2026 00:50:14 GMT" (RFC 1123): the Last-Modified header.
std::string format_http_date(std::int64_t unix_ms);
// Unix seconds of that form (If-Modified-Since and friends); nullopt for anything else, which
// the conditions then ignore, as HTTP says.
std::optional<std::int64_t> parse_http_date(std::string_view text);

// &, <, >, ", ' and control characters as XML character references.
using stratus::xml_escape;
// The reverse for the entities a client may send (&amp; &lt; &gt; &quot; &apos; &#N; &#xN;).
std::string xml_unescape(std::string_view text);

// Percent-encoding of RFC 3986 (unreserved characters stay, upper-case hex), keeping '/' when
// `keep_slash`: the `encoding-type=url` form of keys and prefixes in listings.
std::string url_encode(std::string_view text, bool keep_slash);

}  // namespace stratus::triggers::s3
