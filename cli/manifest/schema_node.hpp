#pragma once
// Internal to the schema validator (schema.cpp): a draft-7 schema compiled into a flat table of
// nodes, one per subschema, with $ref already resolved to node indexes and every regular
// expression compiled. Built by compile_schema(); never exposed outside cli/manifest/schema*.
#include <cstdint>
#include <deque>
#include <optional>
// GCC 12 with -fsanitize reports a false -Wmaybe-uninitialized inside libstdc++'s regex compiler.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <regex>
#pragma GCC diagnostic pop
#else
#include <regex>
#endif
#include <string>
#include <utility>
#include <vector>

#include "cli/manifest/value.hpp"

namespace stratus::manifest::schema_detail {

// JSON Schema primitive types as bits, so `type: [a, b]` is one mask.
enum TypeBit : unsigned {
  kNull = 1u << 0,
  kBoolean = 1u << 1,
  kObject = 1u << 2,
  kArray = 1u << 3,
  kNumber = 1u << 4,
  kString = 1u << 5,
  kInteger = 1u << 6,  // also satisfied by a float with an integral value
};

// A `pattern` / `patternProperties` regular expression. std::regex is slow to build (bracket
// expressions dominate the start-up of every command), so a lazily compiled pattern is built on
// its first match: most of the schema's patterns are never needed for a given manifest.
struct Pattern {
  std::string source;
  mutable std::optional<std::regex> regex;  // built by matches() when not built at compile time
};

// Index of a node in CompiledSchema::nodes; -1 = keyword absent.
using NodeId = int;

struct Dependency {
  std::string key;                // when this key is present...
  std::vector<std::string> keys;  // ...these must be present (array form), or
  NodeId schema = -1;             // ...the object must match this schema (schema form)
};

struct SchemaNode {
  std::string pointer;  // JSON pointer of this subschema in the document ("" = root), for messages

  // A boolean schema: true accepts everything, false nothing.
  bool is_boolean = false;
  bool boolean_value = true;

  // In draft 7 a $ref replaces every sibling keyword.
  NodeId ref = -1;
  std::string ref_text;

  unsigned types = 0;                   // 0 = no `type` keyword
  std::vector<std::string> type_names;  // as written, for messages ("string", "object")
  std::optional<std::vector<Value>> enum_values;
  std::optional<Value> const_value;

  // Objects.
  std::vector<std::pair<std::string, NodeId>> properties;
  std::vector<std::pair<Pattern, NodeId>> pattern_properties;
  NodeId additional_properties = -1;
  std::vector<std::string> required;
  std::optional<std::size_t> min_properties, max_properties;
  NodeId property_names = -1;
  std::vector<Dependency> dependencies;

  // Arrays.
  NodeId items = -1;                // one schema for every item
  std::vector<NodeId> items_array;  // positional form
  bool items_is_array = false;
  NodeId additional_items = -1;
  NodeId contains = -1;
  std::optional<std::size_t> min_items, max_items;
  bool unique_items = false;

  // Strings.
  std::optional<std::size_t> min_length, max_length;  // in Unicode code points
  std::optional<Pattern> pattern;

  // Numbers (kept as Values so integers compare exactly).
  std::optional<Value> minimum, maximum, exclusive_minimum, exclusive_maximum, multiple_of;

  // Combinators.
  std::vector<NodeId> all_of, any_of, one_of;
  NodeId not_schema = -1;
  NodeId if_schema = -1, then_schema = -1, else_schema = -1;

  // Vendor keywords.
  std::string message;           // x-stratus-message: replaces "must ..." in this node's messages
  std::string unknown_key_noun;  // x-stratus-unknown-key: "event type" -> "unknown event type 'x'"
  bool lenient = false;          // x-stratus-lenient: its failures follow configValidationMode
};

struct CompiledSchema {
  std::deque<SchemaNode> nodes;  // nodes[0] is the root; a deque keeps references stable while growing
};

// Compiles a schema document; throws std::invalid_argument naming the JSON pointer of the
// offending subschema for anything malformed (bad keyword value, invalid regex, $ref that does
// not resolve, remote or $id-based $ref).
// With eager_patterns, every regular expression is built (and checked) now; otherwise on first use.
CompiledSchema compile_schema(const Value& document, bool eager_patterns = true);

// "a~b/c" -> "a~0b~1c": a key as a JSON pointer segment.
std::string escape_pointer_segment(std::string_view key);

}  // namespace stratus::manifest::schema_detail
