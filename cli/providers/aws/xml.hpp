#pragma once
// A small reader for the XML that AWS's query and rest-xml APIs answer with (IAM, STS, S3): elements,
// character data and the five predefined entities plus numeric references. Attributes, comments,
// processing instructions and the <?xml?> declaration are skipped; a namespace prefix is dropped
// from element names. Not a validating parser: enough to read answers from AWS and its emulators.
#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace stratus::aws {

struct XmlElement {
  std::string name;  // the local name ("Role" for <iam:Role>)
  std::string text;  // the unescaped character data directly inside, concatenated
  std::vector<XmlElement> children;

  // The first child of that name, or nullptr.
  const XmlElement* child(std::string_view child_name) const;
  // Every child of that name, in document order.
  std::vector<const XmlElement*> children_named(std::string_view child_name) const;
  // The text of the first child of that name; "" when there is none.
  std::string child_text(std::string_view child_name) const;
  // The element at a path of child names ({"GetRoleResult", "Role", "Arn"}), or nullptr.
  const XmlElement* find(std::initializer_list<std::string_view> path) const;
};

// The document's root element. Throws std::runtime_error naming the byte offset when the text is
// not well-formed (an unclosed or mismatched tag, no root element, nesting deeper than 256).
XmlElement parse_xml(std::string_view document);

}  // namespace stratus::aws
