#pragma once
// XML text for the emulator's XML protocols (S3, SQS Query).
#include <string>
#include <string_view>

namespace stratus {

// &, <, >, ", ' and control characters (other than tab) as XML references, so \n and \r survive
// the client's parser (a raw CR would be folded into LF).
std::string xml_escape(std::string_view text);

}  // namespace stratus
