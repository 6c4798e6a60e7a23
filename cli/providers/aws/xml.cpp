#include "cli/providers/aws/xml.hpp"

#include <stdexcept>

namespace stratus::aws {

namespace {

constexpr int kMaxDepth = 256;

[[noreturn]] void fail(std::size_t at, const std::string& what) {
  throw std::runtime_error("malformed XML at byte " + std::to_string(at) + ": " + what);
}

void append_utf8(std::string& out, unsigned long cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Character data with entities replaced; an unknown entity is kept as written.
void append_text(std::string& out, std::string_view raw) {
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const std::size_t semi = raw[i] == '&' ? raw.find(';', i) : std::string_view::npos;
    if (semi == std::string_view::npos || semi - i > 10) {
      out += raw[i];
      continue;
    }
    const std::string_view entity = raw.substr(i + 1, semi - i - 1);
    if (entity == "amp")
      out += '&';
    else if (entity == "lt")
      out += '<';
    else if (entity == "gt")
      out += '>';
    else if (entity == "quot")
      out += '"';
    else if (entity == "apos")
      out += '\'';
    else if (entity.size() > 1 && entity[0] == '#') {
      const bool hex = entity[1] == 'x' || entity[1] == 'X';
      const std::string digits(entity.substr(hex ? 2 : 1));
      std::size_t used = 0;
      unsigned long cp = 0;
      try {
        cp = std::stoul(digits, &used, hex ? 16 : 10);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used == 0 || used != digits.size() || cp > 0x10FFFF) {
        out += raw[i];
        continue;
      }
      append_utf8(out, cp);
    } else {
      out += raw[i];
      continue;
    }
    i = semi;
  }
}

class Parser {
 public:
  explicit Parser(std::string_view doc) : m_doc(doc) {}

  XmlElement document() {
    skip_misc();
    if (m_pos >= m_doc.size() || m_doc[m_pos] != '<') fail(m_pos, "no root element");
    XmlElement root = element(0);
    skip_misc();
    if (m_pos < m_doc.size()) fail(m_pos, "text after the root element");
    return root;
  }

 private:
  // Whitespace, comments, processing instructions and a DOCTYPE between elements.
  void skip_misc() {
    for (;;) {
      while (m_pos < m_doc.size() && std::string_view(" \t\r\n").find(m_doc[m_pos]) != std::string_view::npos)
        ++m_pos;
      if (starts("<?"))
        skip_past("?>");
      else if (starts("<!--"))
        skip_past("-->");
      else if (starts("<!DOCTYPE"))
        skip_past(">");
      else
        return;
    }
  }

  bool starts(std::string_view s) const { return m_doc.substr(m_pos, s.size()) == s; }

  void skip_past(std::string_view end) {
    const std::size_t at = m_doc.find(end, m_pos);
    if (at == std::string_view::npos)
      fail(m_pos, "unterminated '" + std::string(m_doc.substr(m_pos, 4)) + "'");
    m_pos = at + end.size();
  }

  std::string_view name() {
    const std::size_t start = m_pos;
    while (m_pos < m_doc.size() && std::string_view(" \t\r\n/>").find(m_doc[m_pos]) == std::string_view::npos)
      ++m_pos;
    if (m_pos == start) fail(start, "an element without a name");
    return m_doc.substr(start, m_pos - start);
  }

  static std::string local(std::string_view qualified) {
    const std::size_t colon = qualified.rfind(':');
    return std::string(colon == std::string_view::npos ? qualified : qualified.substr(colon + 1));
  }

  // At '<' of a start tag.
  XmlElement element(int depth) {
    if (depth >= kMaxDepth) fail(m_pos, "elements nested deeper than 256");
    const std::size_t open_at = m_pos;
    ++m_pos;
    const std::string_view qualified = name();
    XmlElement e;
    e.name = local(qualified);
    // Attributes are skipped; a quoted value may hold '>' or '/'.
    for (;;) {
      if (m_pos >= m_doc.size()) fail(open_at, "unterminated tag <" + std::string(qualified) + ">");
      const char c = m_doc[m_pos];
      if (c == '"' || c == '\'') {
        const std::size_t close = m_doc.find(c, m_pos + 1);
        if (close == std::string_view::npos) fail(m_pos, "unterminated attribute value");
        m_pos = close + 1;
      } else if (c == '/' && m_pos + 1 < m_doc.size() && m_doc[m_pos + 1] == '>') {
        m_pos += 2;
        return e;
      } else if (c == '>') {
        ++m_pos;
        break;
      } else {
        ++m_pos;
      }
    }
    for (;;) {
      const std::size_t lt = m_doc.find('<', m_pos);
      if (lt == std::string_view::npos) fail(open_at, "<" + std::string(qualified) + "> is never closed");
      append_text(e.text, m_doc.substr(m_pos, lt - m_pos));
      m_pos = lt;
      if (starts("</")) {
        m_pos += 2;
        const std::string_view closing = name();
        if (closing != qualified)
          fail(lt, "</" + std::string(closing) + "> closes <" + std::string(qualified) + ">");
        while (m_pos < m_doc.size() && m_doc[m_pos] != '>') ++m_pos;
        if (m_pos >= m_doc.size()) fail(lt, "unterminated closing tag");
        ++m_pos;
        return e;
      }
      if (starts("<!--")) {
        skip_past("-->");
      } else if (starts("<![CDATA[")) {
        const std::size_t start = m_pos + 9;
        skip_past("]]>");
        e.text.append(m_doc.substr(start, m_pos - 3 - start));
      } else if (starts("<?")) {
        skip_past("?>");
      } else {
        e.children.push_back(element(depth + 1));
      }
    }
  }

  std::string_view m_doc;
  std::size_t m_pos = 0;
};

}  // namespace

const XmlElement* XmlElement::child(std::string_view child_name) const {
  for (const XmlElement& c : children)
    if (c.name == child_name) return &c;
  return nullptr;
}

std::vector<const XmlElement*> XmlElement::children_named(std::string_view child_name) const {
  std::vector<const XmlElement*> out;
  for (const XmlElement& c : children)
    if (c.name == child_name) out.push_back(&c);
  return out;
}

std::string XmlElement::child_text(std::string_view child_name) const {
  const XmlElement* c = child(child_name);
  return c == nullptr ? std::string() : c->text;
}

const XmlElement* XmlElement::find(std::initializer_list<std::string_view> path) const {
  const XmlElement* at = this;
  for (std::string_view step : path) {
    at = at->child(step);
    if (at == nullptr) return nullptr;
  }
  return at;
}

XmlElement parse_xml(std::string_view document) {
  return Parser(document).document();
}

}  // namespace stratus::aws
