#include "cli/manifest/load.hpp"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace stratus::manifest {

std::optional<std::filesystem::path> find_manifest(const std::filesystem::path& dir) {
  for (const char* name : kManifestNames) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(dir / name, ec)) return dir / name;
  }
  return std::nullopt;
}

namespace {

// Limits that keep a hostile document (deep nesting, alias "billion laughs") from exhausting
// the stack or memory; real manifests are far below both.
constexpr int kMaxDepth = 200;
constexpr std::size_t kMaxNodes = 2'000'000;

struct Converter {
  std::string file;
  Diagnostics& diags;
  std::size_t nodes = 0;
  bool aborted = false;

  Mark mark_of(const YAML::Node& n) const {
    const auto m = n.Mark();
    if (m.line < 0) return Mark{file, 0, 0};
    return Mark{file, m.line + 1, m.column + 1};
  }

  Value convert(const YAML::Node& n, int depth) {
    if (aborted) return {};
    if (depth > kMaxDepth) {
      diags.error(mark_of(n), "", "the document nests deeper than " + std::to_string(kMaxDepth) + " levels");
      aborted = true;
      return {};
    }
    if (++nodes > kMaxNodes) {
      diags.error(mark_of(n), "", "the document expands to more than 2,000,000 values (an alias bomb?)");
      aborted = true;
      return {};
    }
    const std::string& tag = n.Tag();
    if (!tag.empty() && tag != "?" && tag != "!" && tag.rfind("tag:yaml.org,2002:", 0) != 0)
      return convert_tagged(n, tag, depth);

    Value out;
    switch (n.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null: break;
      case YAML::NodeType::Scalar: out = scalar(n.Scalar(), tag); break;
      case YAML::NodeType::Sequence:
        out = Value::sequence();
        for (const auto& item : n) out.push_back(convert(item, depth + 1));
        break;
      case YAML::NodeType::Map: out = convert_map(n, depth); break;
    }
    out.mark = mark_of(n);
    return out;
  }

  Value convert_map(const YAML::Node& n, int depth) {
    Value out = Value::map();
    std::vector<Value> merges;
    for (const auto& kv : n) {
      const YAML::Node& k = kv.first;
      if (!k.IsScalar()) {
        diags.error(mark_of(k), "", "a mapping key must be a plain value, not a list or a mapping");
        continue;
      }
      const std::string& key = k.Scalar();
      if (key == "<<" && k.Tag() == "?") {
        // YAML merge key: `<<: *defaults` or `<<: [*a, *b]`; explicit keys win.
        Value m = convert(kv.second, depth + 1);
        if (m.is_sequence())
          for (auto& item : m.items()) merges.push_back(std::move(item));
        else
          merges.push_back(std::move(m));
        continue;
      }
      if (out.find(key)) {
        diags.error(mark_of(k), "", "duplicate key '" + key + "'");
        continue;
      }
      out.set(key, convert(kv.second, depth + 1), mark_of(k));
    }
    for (auto& m : merges) {
      if (!m.is_map()) {
        diags.error(m.mark, "", "a merge key '<<' takes a mapping or a list of mappings");
        continue;
      }
      for (auto& e : m.entries())
        if (!out.find(e.key)) out.set(e.key, std::move(e.value), e.key_mark);
    }
    return out;
  }

  // CloudFormation short forms -> long forms; other local tags are errors.
  Value convert_tagged(const YAML::Node& n, const std::string& tag, int depth) {
    static const char* const fn_tags[] = {"Base64", "Cidr",   "FindInMap",   "GetAZs", "ImportValue",
                                          "Join",   "Select", "Split",       "Sub",    "Transform",
                                          "If",     "Equals", "And",         "Or",     "Not",
                                          "GetAtt", "Length", "ToJsonString"};
    Mark m = mark_of(n);
    std::string name = tag.substr(tag.rfind('!') + 1);
    Value inner;
    // The tagged node itself, converted as if untagged (a scalar under a tag is always a string).
    if (n.IsScalar())
      inner = Value(n.Scalar());
    else if (n.IsSequence() || n.IsMap()) {
      inner = n.IsSequence() ? Value::sequence() : convert_map(n, depth);
      if (n.IsSequence())
        for (const auto& item : n) inner.push_back(convert(item, depth + 1));
    }
    inner.mark = m;
    Value out = Value::map();
    out.mark = m;
    if (name == "Ref" || name == "Condition") {
      out.set(name, std::move(inner), m);
      return out;
    }
    for (const char* fn : fn_tags) {
      if (name != fn) continue;
      if (name == "GetAtt" && inner.is_string()) {
        // !GetAtt Resource.Attribute -> ["Resource", "Attribute"] (split at the first dot)
        const std::string s = inner.as_string();
        auto dot = s.find('.');
        Value pair = Value::sequence();
        pair.mark = m;
        Value a(s.substr(0, dot)), b(dot == std::string::npos ? std::string() : s.substr(dot + 1));
        a.mark = b.mark = m;
        pair.push_back(std::move(a));
        pair.push_back(std::move(b));
        inner = std::move(pair);
      }
      out.set("Fn::" + name, std::move(inner), m);
      return out;
    }
    diags.error(m, "",
                "unknown tag '" + tag + "' (CloudFormation tags such as !Ref, !GetAtt, !Sub are accepted)");
    return {};
  }

  static bool is_null_text(const std::string& s) {
    return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
  }

  // YAML 1.2 core schema, as js-yaml (the Serverless Framework's parser) reads plain scalars.
  static Value scalar(const std::string& s, const std::string& tag) {
    if (tag == "!" || tag == "tag:yaml.org,2002:str" || tag == "tag:yaml.org,2002:binary") return Value(s);
    if (tag == "tag:yaml.org,2002:null") return {};
    if (is_null_text(s)) return {};
    if (s == "true" || s == "True" || s == "TRUE") return Value(true);
    if (s == "false" || s == "False" || s == "FALSE") return Value(false);
    if (auto num = number(s)) return *num;
    return Value(s);
  }

  static std::optional<Value> number(const std::string& s) {
    if (s.empty()) return std::nullopt;
    std::string_view v = s;
    bool neg = false;
    if (v.front() == '-' || v.front() == '+') {
      neg = v.front() == '-';
      v.remove_prefix(1);
    }
    if (v.empty()) return std::nullopt;
    int base = 10;
    if (v.size() > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'o')) {
      base = v[1] == 'x' ? 16 : 8;
      v.remove_prefix(2);
    }
    std::int64_t i = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), i, base);
    if (ec == std::errc() && p == v.data() + v.size()) return Value(neg ? -i : i);
    if (base != 10) return std::nullopt;
    if (v == ".inf" || v == ".Inf" || v == ".INF") return Value(neg ? -HUGE_VAL : HUGE_VAL);
    if (v == ".nan" || v == ".NaN" || v == ".NAN") return Value(std::nan(""));
    // [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
    std::size_t k = 0;
    auto digits = [&] {
      std::size_t start = k;
      while (k < v.size() && v[k] >= '0' && v[k] <= '9') ++k;
      return k > start;
    };
    bool int_part = digits();
    bool frac = false;
    if (k < v.size() && v[k] == '.') {
      ++k;
      frac = digits();
    }
    if (!int_part && !frac) return std::nullopt;
    if (k < v.size() && (v[k] == 'e' || v[k] == 'E')) {
      ++k;
      if (k < v.size() && (v[k] == '+' || v[k] == '-')) ++k;
      if (!digits()) return std::nullopt;
    }
    if (k != v.size()) return std::nullopt;
    double d = std::strtod(s.c_str(), nullptr);
    return Value(d);
  }
};

}  // namespace

Value parse_document(const std::string& text, const std::string& file, Sources& sources, Diagnostics& diags) {
  sources.add(file, text);
  try {
    YAML::Node root = YAML::Load(text);
    Converter c{file, diags};
    Value v = c.convert(root, 0);
    if (c.aborted) return {};
    return v;
  } catch (const YAML::Exception& e) {
    Mark m{file, e.mark.line >= 0 ? e.mark.line + 1 : 0, e.mark.column >= 0 ? e.mark.column + 1 : 0};
    diags.error(m, "", "YAML syntax error: " + e.msg);
  } catch (const std::exception& e) {
    diags.error(Mark{file, 0, 0}, "", std::string("cannot parse the file: ") + e.what());
  }
  return {};
}

Value load_file(const std::filesystem::path& path, const std::string& display_name, Sources& sources,
                Diagnostics& diags) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diags.error(Mark{display_name, 0, 0}, "", "cannot read the file: " + std::string(std::strerror(errno)));
    return {};
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_document(ss.str(), display_name, sources, diags);
}

}  // namespace stratus::manifest
