#include "emulator/common/xml_escape.hpp"

namespace stratus {

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t') {
          out += "&#" + std::to_string(static_cast<int>(c)) + ";";  // \n and \r survive a parser this way
        } else {
          out += c;
        }
    }
  }
  return out;
}

}  // namespace stratus
