#include <cmath>
#include <map>
#include <stdexcept>

#include "cli/manifest/schema_node.hpp"

namespace stratus::manifest::schema_detail {

std::string escape_pointer_segment(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

namespace {

// Deeper than any real schema; keeps a hostile document from exhausting the stack.
constexpr int kMaxSchemaDepth = 256;

[[noreturn]] void fail(const std::string& pointer, const std::string& what) {
  throw std::invalid_argument("invalid schema at #" + pointer + ": " + what);
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A $ref fragment is URI-encoded ("%25" for '%') before it is a JSON pointer.
std::string percent_decode(std::string_view s, const std::string& pointer) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    int hi = i + 2 < s.size() ? hex_digit(s[i + 1]) : -1;
    int lo = i + 2 < s.size() ? hex_digit(s[i + 2]) : -1;
    if (hi < 0 || lo < 0) fail(pointer, "malformed %-escape in $ref '" + std::string(s) + "'");
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

class Compiler {
 public:
  Compiler(const Value& doc, CompiledSchema& out, bool eager_patterns)
      : m_doc(doc), m_out(out), m_eager_patterns(eager_patterns) {}

  NodeId compile(const Value& v, const std::string& pointer, int depth) {
    if (auto it = m_by_pointer.find(pointer); it != m_by_pointer.end()) return it->second;
    if (depth > kMaxSchemaDepth) fail(pointer, "the schema nests too deeply");
    const NodeId id = static_cast<NodeId>(m_out.nodes.size());
    m_out.nodes.emplace_back();
    m_by_pointer[pointer] = id;
    m_out.nodes[id].pointer = pointer;
    if (v.is_bool()) {
      m_out.nodes[id].is_boolean = true;
      m_out.nodes[id].boolean_value = v.as_bool();
      return id;
    }
    if (!v.is_map())
      fail(pointer, std::string("a schema must be an object or a boolean, not ") + kind_name(v.kind()));
    read_keywords(id, v, pointer, depth);
    return id;
  }

  // Resolves every $ref recorded while compiling; targets outside the compiled tree (say
  // "#/x/y" into an unknown keyword) are compiled on demand, which may queue further refs.
  void resolve_refs() {
    while (!m_pending.empty()) {
      NodeId id = m_pending.back();
      m_pending.pop_back();
      NodeId target = resolve(m_out.nodes[id].ref_text, m_out.nodes[id].pointer);
      m_out.nodes[id].ref = target;
    }
  }

 private:
  NodeId resolve(const std::string& ref, const std::string& from) {
    if (ref.empty() || ref[0] != '#')
      fail(from, "$ref '" + ref + "' is not local; only '#...' references are supported");
    std::string fragment = percent_decode(std::string_view(ref).substr(1), from);
    if (fragment.empty()) return 0;
    if (fragment[0] != '/')
      fail(from, "$ref '" + ref + "' names an $id anchor; only JSON pointers are supported");
    std::string canonical;
    const Value* cur = &m_doc;
    std::size_t start = 1;
    while (true) {
      std::size_t slash = fragment.find('/', start);
      std::string raw =
          fragment.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
      std::string seg;
      for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] != '~') {
          seg += raw[i];
          continue;
        }
        if (i + 1 < raw.size() && (raw[i + 1] == '0' || raw[i + 1] == '1')) {
          seg += raw[i + 1] == '0' ? '~' : '/';
          ++i;
        } else {
          fail(from, "$ref '" + ref + "' has a malformed '~' escape");
        }
      }
      canonical += "/" + escape_pointer_segment(seg);
      if (cur) {
        if (cur->is_map()) {
          cur = cur->find(seg);
        } else if (cur->is_sequence() && !seg.empty() && seg.size() < 10 &&
                   seg.find_first_not_of("0123456789") == std::string::npos) {
          std::size_t idx = std::stoul(seg);
          cur = idx < cur->items().size() ? &cur->items()[idx] : nullptr;
        } else {
          cur = nullptr;
        }
      }
      if (slash == std::string::npos) break;
      start = slash + 1;
    }
    if (auto it = m_by_pointer.find(canonical); it != m_by_pointer.end()) return it->second;
    if (!cur) fail(from, "$ref '" + ref + "' points at nothing in the schema");
    return compile(*cur, canonical, 0);
  }

  static bool is_count(const Value& v) {
    return v.is_number() && v.as_double() >= 0 && std::floor(v.as_double()) == v.as_double();
  }

  static std::size_t count_of(const Value& v, const std::string& pointer, const char* keyword) {
    if (!is_count(v)) fail(pointer, std::string(keyword) + " must be a non-negative integer");
    return static_cast<std::size_t>(v.as_double() > 1e15 ? 1e15 : v.as_double());
  }

  Pattern pattern_of(const std::string& source, const std::string& pointer) const {
    if (!m_eager_patterns) return Pattern{source, std::nullopt};
    try {
      return Pattern{source, std::regex(source, std::regex::ECMAScript)};
    } catch (const std::regex_error& e) {
      fail(pointer, "invalid regular expression '" + source + "': " + e.what());
    }
  }

  static unsigned type_bit(const std::string& name, const std::string& pointer) {
    static const std::pair<const char*, unsigned> names[] = {
        {"null", kNull},     {"boolean", kBoolean}, {"object", kObject},  {"array", kArray},
        {"number", kNumber}, {"string", kString},   {"integer", kInteger}};
    for (const auto& [n, bit] : names)
      if (name == n) return bit;
    fail(pointer, "unknown type '" + name + "'");
  }

  std::vector<NodeId> schema_list(const Value& v, const std::string& pointer, const char* keyword,
                                  int depth) {
    if (!v.is_sequence() || v.items().empty())
      fail(pointer, std::string(keyword) + " must be a non-empty array");
    std::vector<NodeId> out;
    for (std::size_t i = 0; i < v.items().size(); ++i)
      out.push_back(compile(v.items()[i], pointer + "/" + keyword + "/" + std::to_string(i), depth + 1));
    return out;
  }

  void read_keywords(NodeId id, const Value& v, const std::string& pointer, int depth) {
    auto at = [&](std::string_view key) { return pointer + "/" + escape_pointer_segment(key); };
    auto sub = [&](std::string_view key, const Value& s) { return compile(s, at(key), depth + 1); };
    auto node = [&]() -> SchemaNode& { return m_out.nodes[id]; };

    for (const char* defs : {"definitions", "$defs"}) {
      const Value* d = v.find(defs);
      if (!d) continue;
      if (!d->is_map()) fail(pointer, std::string(defs) + " must be an object");
      for (const auto& e : d->entries())
        compile(e.value, at(defs) + "/" + escape_pointer_segment(e.key), depth + 1);
    }
    if (const Value* m = v.find("x-stratus-message"); m && m->is_string()) node().message = m->as_string();
    if (const Value* m = v.find("x-stratus-unknown-key"); m && m->is_string())
      node().unknown_key_noun = m->as_string();
    if (const Value* m = v.find("x-stratus-lenient"); m && m->is_bool()) node().lenient = m->as_bool();

    if (const Value* r = v.find("$ref")) {
      if (!r->is_string()) fail(pointer, "$ref must be a string");
      node().ref_text = r->as_string();
      m_pending.push_back(id);
      return;  // draft 7: $ref overrides every sibling keyword
    }

    for (const auto& e : v.entries()) {
      const std::string& k = e.key;
      const Value& x = e.value;
      if (k == "type") {
        std::vector<std::string> names;
        if (x.is_string()) {
          names.push_back(x.as_string());
        } else if (x.is_sequence()) {
          for (const auto& t : x.items()) {
            if (!t.is_string()) fail(pointer, "type must be a string or an array of strings");
            names.push_back(t.as_string());
          }
        } else {
          fail(pointer, "type must be a string or an array of strings");
        }
        unsigned bits = 0;
        for (const auto& n : names) bits |= type_bit(n, pointer);
        node().types = bits;
        node().type_names = names;
      } else if (k == "enum") {
        if (!x.is_sequence()) fail(pointer, "enum must be an array");
        node().enum_values = x.items();
      } else if (k == "const") {
        node().const_value = x;
      } else if (k == "properties" || k == "patternProperties" || k == "dependencies") {
        if (!x.is_map()) fail(pointer, k + " must be an object");
        for (const auto& p : x.entries()) {
          const std::string where = at(k) + "/" + escape_pointer_segment(p.key);
          if (k == "properties") {
            NodeId child = compile(p.value, where, depth + 1);
            node().properties.emplace_back(p.key, child);
          } else if (k == "patternProperties") {
            Pattern pat = pattern_of(p.key, where);
            NodeId child = compile(p.value, where, depth + 1);
            node().pattern_properties.emplace_back(std::move(pat), child);
          } else if (p.value.is_sequence()) {
            Dependency dep{p.key, {}, -1};
            for (const auto& key : p.value.items()) {
              if (!key.is_string()) fail(where, "a dependency list must hold strings");
              dep.keys.push_back(key.as_string());
            }
            node().dependencies.push_back(std::move(dep));
          } else {
            NodeId child = compile(p.value, where, depth + 1);
            node().dependencies.push_back(Dependency{p.key, {}, child});
          }
        }
      } else if (k == "additionalProperties") {
        node().additional_properties = sub(k, x);
      } else if (k == "required") {
        if (!x.is_sequence()) fail(pointer, "required must be an array of strings");
        for (const auto& r : x.items()) {
          if (!r.is_string()) fail(pointer, "required must be an array of strings");
          node().required.push_back(r.as_string());
        }
      } else if (k == "minProperties") {
        node().min_properties = count_of(x, pointer, "minProperties");
      } else if (k == "maxProperties") {
        node().max_properties = count_of(x, pointer, "maxProperties");
      } else if (k == "propertyNames") {
        node().property_names = sub(k, x);
      } else if (k == "items") {
        if (x.is_sequence()) {
          std::vector<NodeId> list;
          for (std::size_t i = 0; i < x.items().size(); ++i)
            list.push_back(compile(x.items()[i], at(k) + "/" + std::to_string(i), depth + 1));
          node().items_array = std::move(list);
          node().items_is_array = true;
        } else {
          node().items = sub(k, x);
        }
      } else if (k == "additionalItems") {
        node().additional_items = sub(k, x);
      } else if (k == "contains") {
        node().contains = sub(k, x);
      } else if (k == "minItems") {
        node().min_items = count_of(x, pointer, "minItems");
      } else if (k == "maxItems") {
        node().max_items = count_of(x, pointer, "maxItems");
      } else if (k == "uniqueItems") {
        if (!x.is_bool()) fail(pointer, "uniqueItems must be a boolean");
        node().unique_items = x.as_bool();
      } else if (k == "minLength") {
        node().min_length = count_of(x, pointer, "minLength");
      } else if (k == "maxLength") {
        node().max_length = count_of(x, pointer, "maxLength");
      } else if (k == "pattern") {
        if (!x.is_string()) fail(pointer, "pattern must be a string");
        node().pattern = pattern_of(x.as_string(), pointer);
      } else if (k == "minimum" || k == "maximum" || k == "exclusiveMinimum" || k == "exclusiveMaximum" ||
                 k == "multipleOf") {
        if (!x.is_number()) fail(pointer, k + " must be a number");
        if (k == "minimum") node().minimum = x;
        if (k == "maximum") node().maximum = x;
        if (k == "exclusiveMinimum") node().exclusive_minimum = x;
        if (k == "exclusiveMaximum") node().exclusive_maximum = x;
        if (k == "multipleOf") {
          if (!(x.as_double() > 0)) fail(pointer, "multipleOf must be greater than 0");
          node().multiple_of = x;
        }
      } else if (k == "allOf") {
        auto list = schema_list(x, pointer, "allOf", depth);
        node().all_of = std::move(list);
      } else if (k == "anyOf") {
        auto list = schema_list(x, pointer, "anyOf", depth);
        node().any_of = std::move(list);
      } else if (k == "oneOf") {
        auto list = schema_list(x, pointer, "oneOf", depth);
        node().one_of = std::move(list);
      } else if (k == "not") {
        node().not_schema = sub(k, x);
      } else if (k == "if") {
        node().if_schema = sub(k, x);
      } else if (k == "then") {
        node().then_schema = sub(k, x);
      } else if (k == "else") {
        node().else_schema = sub(k, x);
      }
      // Everything else (format, title, description, default, examples, $comment, $id, $schema,
      // vendor keywords) is an annotation: it never fails validation.
    }
  }

  const Value& m_doc;
  CompiledSchema& m_out;
  bool m_eager_patterns;
  std::map<std::string, NodeId> m_by_pointer;
  std::vector<NodeId> m_pending;
};

}  // namespace

CompiledSchema compile_schema(const Value& document, bool eager_patterns) {
  CompiledSchema out;
  Compiler c(document, out, eager_patterns);
  c.compile(document, "", 0);
  c.resolve_refs();
  return out;
}

}  // namespace stratus::manifest::schema_detail
