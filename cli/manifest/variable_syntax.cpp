#include "cli/manifest/variable_syntax.hpp"

#include <charconv>
#include <cstdlib>

namespace stratus::manifest::vars {

bool Template::has_variables() const {
  for (const auto& p : parts)
    if (p.variable >= 0) return true;
  return false;
}

bool may_have_variables(std::string_view text) {
  return text.find("${") != std::string_view::npos;
}

namespace {

bool is_lower(char c) {
  return c >= 'a' && c <= 'z';
}
bool is_alnum(char c) {
  return is_lower(c) || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool is_space(char c) {
  return c == ' ' || c == '\t';
}

std::string trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return std::string(s);
}

// Bare fallbacks the framework accepts: true, false, null and numbers (JavaScript Number()).
bool parse_literal(std::string_view t, Value& out) {
  if (t == "true" || t == "false") {
    out = Value(t == "true");
    return true;
  }
  if (t == "null") {
    out = Value();
    return true;
  }
  std::string_view body = t;
  if (!body.empty() && (body[0] == '-' || body[0] == '+')) body.remove_prefix(1);
  if (body.empty()) return false;
  bool digits = false, dot = false, exp = false;
  for (std::size_t k = 0; k < body.size(); ++k) {
    char c = body[k];
    if (c >= '0' && c <= '9') {
      digits = true;
    } else if (c == '.' && !dot && !exp) {
      dot = true;
    } else if ((c == 'e' || c == 'E') && digits && !exp && k + 1 < body.size()) {
      exp = true;
      if (body[k + 1] == '+' || body[k + 1] == '-') ++k;
    } else {
      return false;
    }
  }
  if (!digits) return false;
  if (!dot && !exp) {
    std::int64_t i = 0;
    auto [p, ec] = std::from_chars(t.data() + (t[0] == '+' ? 1 : 0), t.data() + t.size(), i);
    if (ec == std::errc() && p == t.data() + t.size()) {
      out = Value(i);
      return true;
    }
  }
  out = Value(std::strtod(std::string(t).c_str(), nullptr));
  return true;
}

void append_utf8(std::string& out, unsigned cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

class Parser {
 public:
  Parser(std::string_view s, Parsed& out) : m_s(s), m_out(out) {}

  void run() {
    Template t;
    std::string text;
    while (m_i < m_s.size() && m_out.error.empty()) {
      char c = m_s[m_i];
      if (c == '\\' && m_i + 1 < m_s.size() && m_s[m_i + 1] == '$') {
        text += "\\$";
        m_i += 2;
      } else if (c == '$' && starts_variable(m_i)) {
        flush(t, text);
        m_outer = m_i;
        int v = variable();
        if (v < 0) return;
        t.parts.push_back({"", v});
      } else {
        text += c;
        ++m_i;
      }
    }
    flush(t, text);
    m_out.text = std::move(t);
  }

 private:
  // `${` + lowercase type + `:` or `(`; `${aws::x}` is a CloudFormation-like placeholder.
  bool starts_variable(std::size_t at) const {
    if (at + 2 >= m_s.size() || m_s[at] != '$' || m_s[at + 1] != '{' || !is_lower(m_s[at + 2])) return false;
    std::size_t j = type_end(at + 2);
    if (j >= m_s.size()) return false;
    if (m_s[j] == '(') return true;
    return m_s[j] == ':' && (j + 1 >= m_s.size() || m_s[j + 1] != ':');
  }

  // The end of `type` or legacy `type.qualifier` starting at `at`.
  std::size_t type_end(std::size_t at) const {
    std::size_t j = at;
    while (j < m_s.size() && is_alnum(m_s[j])) ++j;
    if (j < m_s.size() && m_s[j] == '.')
      while (j < m_s.size() && (is_alnum(m_s[j]) || m_s[j] == '.' || m_s[j] == '-')) ++j;
    return j;
  }

  static void flush(Template& t, std::string& text) {
    if (!text.empty()) t.parts.push_back({std::move(text), -1});
    text.clear();
  }

  // The outermost variable as written, up to its balancing '}' (or the end), for messages.
  std::string snippet() const {
    int depth = 0;
    for (std::size_t j = m_outer; j < m_s.size(); ++j) {
      if (m_s[j] == '{') ++depth;
      if (m_s[j] == '}' && --depth == 0) return std::string(m_s.substr(m_outer, j + 1 - m_outer));
    }
    return std::string(m_s.substr(m_outer));
  }

  // Records the first syntax error; false so that callers can `return bad(...)`.
  bool bad(const std::string& why) {
    if (m_out.error.empty()) m_out.error = "'" + snippet() + "' is not a valid variable: " + why;
    return false;
  }
  int fail(const std::string& why) {
    bad(why);
    return -1;
  }

  void skip_spaces() {
    while (m_i < m_s.size() && is_space(m_s[m_i])) ++m_i;
  }

  // At `${`; returns the index of the new variable in m_out.variables, or -1 after fail().
  int variable() {
    if (++m_depth > kMaxNesting)
      return fail("variables nest deeper than " + std::to_string(kMaxNesting) + " levels");
    std::size_t start = m_i;
    m_i += 2;
    Variable var;
    Source first;
    if (!reference(first)) return -1;
    var.sources.push_back(std::move(first));
    for (;;) {
      skip_spaces();
      if (m_i >= m_s.size()) return fail("it is missing its closing '}'");
      if (m_s[m_i] == '}') break;
      if (m_s[m_i] != ',') {
        return fail("expected ',' or '}' after \"" + trim(m_s.substr(start + 2, m_i - start - 2)) + "\"");
      }
      ++m_i;
      Source fallback;
      if (!fallback_source(fallback)) return -1;
      var.sources.push_back(std::move(fallback));
    }
    ++m_i;
    --m_depth;
    var.text = std::string(m_s.substr(start, m_i - start));
    m_out.variables.push_back(std::move(var));
    return static_cast<int>(m_out.variables.size() - 1);
  }

  // type, (params), :address -- at the first letter of the type.
  bool reference(Source& src) {
    src.kind = Source::Kind::Reference;
    std::size_t end = type_end(m_i);
    std::string_view type = m_s.substr(m_i, end - m_i);
    if (auto dot = type.find('.'); dot != std::string_view::npos) {
      src.qualifier = std::string(type.substr(dot + 1));
      type = type.substr(0, dot);
    }
    src.type = std::string(type);
    m_i = end;
    if (m_i < m_s.size() && m_s[m_i] == '(') {
      ++m_i;
      src.has_params = true;
      for (;;) {
        skip_spaces();
        if (m_i >= m_s.size()) return bad("it is missing its closing ')'");
        if (m_s[m_i] == ')' && src.params.empty()) break;
        Template param;
        if (!argument(param, ",)")) return false;
        src.params.push_back(std::move(param));
        if (m_i >= m_s.size()) return bad("it is missing its closing ')'");
        if (m_s[m_i] == ')') break;
        ++m_i;  // ','
      }
      ++m_i;
      skip_spaces();
    }
    if (m_i < m_s.size() && m_s[m_i] == ':') {
      ++m_i;
      src.has_address = true;
      skip_spaces();
      return argument(src.address, ",}");
    }
    return true;
  }

  // A param or an address: quoted text, or text with variables up to one of `stops`.
  bool argument(Template& out, std::string_view stops) {
    skip_spaces();
    if (m_i < m_s.size() && (m_s[m_i] == '\'' || m_s[m_i] == '"')) {
      std::string s;
      if (!quoted(s)) return false;
      skip_spaces();
      out.parts.push_back({std::move(s), -1});
      return true;
    }
    std::string text;
    while (m_i < m_s.size() && stops.find(m_s[m_i]) == std::string_view::npos) {
      if (m_s[m_i] == '$' && m_i + 1 < m_s.size() && m_s[m_i + 1] == '{') {
        if (!starts_variable(m_i))
          return bad("'" + inner_snippet() + "' inside a variable must be a variable itself");
        flush(out, text);
        int v = variable();
        if (v < 0) return false;
        out.parts.push_back({"", v});
        continue;
      }
      text += m_s[m_i++];
    }
    // Trailing spaces belong to the separator, not to the address.
    while (!text.empty() && is_space(text.back())) text.pop_back();
    flush(out, text);
    return true;
  }

  std::string inner_snippet() const {
    auto close = m_s.find('}', m_i);
    return std::string(
        m_s.substr(m_i, close == std::string_view::npos ? std::string_view::npos : close + 1 - m_i));
  }

  // '...' (no escapes, as in the framework) or "..." (JSON escapes).
  bool quoted(std::string& out) {
    char q = m_s[m_i++];
    while (m_i < m_s.size() && m_s[m_i] != q) {
      char c = m_s[m_i++];
      if (q == '"' && c == '\\' && m_i < m_s.size()) {
        char e = m_s[m_i++];
        switch (e) {
          case 'n': out += '\n'; break;
          case 't': out += '\t'; break;
          case 'r': out += '\r'; break;
          case 'b': out += '\b'; break;
          case 'f': out += '\f'; break;
          case 'u': {
            unsigned cp = 0;
            auto [p, ec] =
                std::from_chars(m_s.data() + m_i, m_s.data() + std::min(m_i + 4, m_s.size()), cp, 16);
            if (ec == std::errc() && p == m_s.data() + m_i + 4) {
              append_utf8(out, cp);
              m_i += 4;
            } else {
              out += "\\u";
            }
            break;
          }
          default: out += e;
        }
        continue;
      }
      out += c;
    }
    if (m_i >= m_s.size()) return bad("a quoted value is missing its closing quote");
    ++m_i;
    return true;
  }

  bool fallback_source(Source& src) {
    skip_spaces();
    if (m_i >= m_s.size()) return bad("it is missing its closing '}'");
    char c = m_s[m_i];
    if (c == '\'' || c == '"') {
      std::string s;
      if (!quoted(s)) return false;
      src.kind = Source::Kind::Literal;
      src.literal = Value(std::move(s));
      return true;
    }
    if (c == '$') {
      if (!starts_variable(m_i))
        return bad("'" + inner_snippet() + "' inside a variable must be a variable itself");
      src.kind = Source::Kind::Nested;
      src.nested = variable();
      return src.nested >= 0;
    }
    std::size_t start = m_i;
    while (m_i < m_s.size() && !is_space(m_s[m_i]) &&
           std::string_view(",}:(").find(m_s[m_i]) == std::string_view::npos)
      ++m_i;
    std::string_view token = m_s.substr(start, m_i - start);
    if (token.empty()) return bad("a fallback is missing after ','");
    if (m_i < m_s.size() && (m_s[m_i] == ':' || m_s[m_i] == '(')) {
      if (!is_lower(token[0]) || type_end(start) != m_i)
        return bad("'" + std::string(token) +
                   "' is not a variable source (sources are lowercase: self, opt, env, ...)");
      m_i = start;
      return reference(src);
    }
    src.kind = Source::Kind::Literal;
    if (!parse_literal(token, src.literal)) {
      return bad(
          "the fallback " + std::string(token) +
          " is not quoted text, a number, true, false, null or a variable (to use it as text, quote it: '" +
          std::string(token) + "')");
    }
    return true;
  }

  std::string_view m_s;
  Parsed& m_out;
  std::size_t m_i = 0;
  std::size_t m_outer = 0;
  int m_depth = 0;
};

}  // namespace

Parsed parse(std::string_view text) {
  Parsed out;
  Parser(text, out).run();
  if (!out.error.empty()) {
    out.text = {};
    out.variables.clear();
  }
  return out;
}

}  // namespace stratus::manifest::vars
