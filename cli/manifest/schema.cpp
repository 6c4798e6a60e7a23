#include "cli/manifest/schema.hpp"

#include <algorithm>
#include <optional>
#include <stdexcept>

#include "cli/manifest/diagnostics.hpp"
#include "cli/manifest/json_value.hpp"
#include "cli/manifest/load.hpp"
#include "cli/manifest/schema_node.hpp"
#include "cli/manifest/schema_text.hpp"
#include "cli/manifest/schema_values.hpp"
#include "emulator/common/embedded.hpp"

namespace stratus::manifest {

using namespace schema_detail;

namespace {

// Nested checks allowed for one validation. A schema recursing through a document as deep as the
// loader allows (200 levels) needs two per level; past this the instance or the schema is
// pathological and we report rather than exhaust the stack (frames are large under ASan).
constexpr int kMaxEvalDepth = 600;

// An error with what the anyOf/oneOf chooser needs to know about it.
struct Err {
  SchemaError error;
  int depth = 0;               // path segments of the value it is about
  bool type_mismatch = false;  // a `type` failure (or every anyOf branch failing on type)
  std::vector<std::string> types;
};

// Where in the instance a check runs.
struct Where {
  std::string path;  // dotted
  int depth = 0;
  const Mark* mark = nullptr;
  std::string subject;  // overrides the path in messages (the keys checked by propertyNames)
};

std::string subject_of(const Where& w) {
  if (!w.subject.empty()) return w.subject;
  return w.path.empty() ? "the document" : w.path;
}

Where child_of(const Where& w, const std::string& key, const Mark& mark) {
  return Where{w.path.empty() ? key : w.path + "." + key, w.depth + 1, &mark, {}};
}

class Validator {
 public:
  Validator(const CompiledSchema& schema, const SchemaOptions& options)
      : m_nodes(schema.nodes), m_options(options) {}

  // True when v matches node id. With out, every failure is appended; without, it stops at the first.
  bool check(NodeId id, const Value& v, const Where& w, std::vector<Err>* out);

 private:
  struct DepthGuard {
    int& depth;
    explicit DepthGuard(int& d) : depth(d) { ++depth; }
    ~DepthGuard() { --depth; }
  };

  // What a failure says. x-stratus-message describes the value a schema wants, so it replaces
  // the wording of failures about the value; failures about structure (a missing key, a value
  // where none may be, a schema that cannot be applied) keep their own words.
  enum class Wording { Vendor, Fixed };

  Err make(const SchemaNode& n, const Where& w, const std::string& predicate, const std::string& got,
           Wording wording = Wording::Vendor) const {
    Err e;
    e.depth = w.depth;
    e.error.path = w.path;
    e.error.mark = w.mark ? *w.mark : Mark{};
    const bool vendor = wording == Wording::Vendor && !n.message.empty();
    e.error.message = subject_of(w) + " " + (vendor ? n.message : predicate);
    if (n.lenient) e.error.kind = SchemaError::Kind::Lenient;
    if (!got.empty()) e.error.message += " (got " + got + ")";
    return e;
  }

  // shown: the value as written, for messages (v may be its coerced form).
  bool check_scalar(const SchemaNode& n, const Value& v, const Value& shown, const Where& w,
                    std::vector<Err>* out);
  bool check_object(const SchemaNode& n, const Value& v, const Where& w, std::vector<Err>* out);
  // wrapped: v is a single value coerced into a one-item array; its item keeps v's path.
  bool check_array(const SchemaNode& n, const Value& v, const Where& w, std::vector<Err>* out, bool wrapped);
  int known_keys(NodeId id, const Value& v, int depth) const;
  bool check_combinators(const SchemaNode& n, const Value& v, const Where& w, std::vector<Err>* out);
  void report_best_branch(const SchemaNode& n, const std::vector<NodeId>& branches, const Value& v,
                          const Where& w, std::vector<Err>& out);

  const std::deque<SchemaNode>& m_nodes;
  const SchemaOptions& m_options;
  int m_depth = 0;
  std::vector<std::pair<NodeId, const Value*>> m_ref_stack;  // $refs being followed, to catch loops
};

bool Validator::check(NodeId id, const Value& v, const Where& w, std::vector<Err>* out) {
  const SchemaNode& n = m_nodes[static_cast<std::size_t>(id)];
  if (m_options.accept_cloudformation_intrinsics && is_intrinsic(v)) return true;
  if (n.is_boolean) {
    if (!n.boolean_value && out) out->push_back(make(n, w, "is not allowed", "", Wording::Fixed));
    return n.boolean_value;
  }
  DepthGuard guard(m_depth);
  if (m_depth > kMaxEvalDepth) {
    if (out) out->push_back(make(n, w, "nests too deeply to be checked", "", Wording::Fixed));
    return false;
  }
  if (n.ref >= 0) {
    // A $ref reached again for the same value has consumed no input: it would loop forever.
    for (const auto& [target, value] : m_ref_stack) {
      if (target == n.ref && value == &v) {
        if (out)
          out->push_back(make(n, w,
                              "cannot be checked: the schema's $ref '" + n.ref_text + "' loops on itself", "",
                              Wording::Fixed));
        return false;
      }
    }
    m_ref_stack.emplace_back(n.ref, &v);
    bool ok = check(n.ref, v, w, out);
    m_ref_stack.pop_back();
    return ok;
  }
  std::optional<Value> coerced;
  if (n.types && !has_type(n.types, v)) {
    if (m_options.coerce_types) coerced = coerce(n.types, v);
    if (!coerced) {
      // One clear message: the other keywords describe a value of another kind anyway.
      if (out) {
        Err e = make(n, w, "must be " + type_phrase(n.type_names), show_typed(v));
        e.type_mismatch = true;
        e.types = n.type_names;
        out->push_back(std::move(e));
      }
      return false;
    }
  }
  const Value& value = coerced ? *coerced : v;
  bool ok = check_scalar(n, value, v, w, out);
  if (!ok && !out) return false;
  if (value.is_map()) ok = check_object(n, value, w, out) && ok;
  if (value.is_sequence()) ok = check_array(n, value, w, out, coerced && !v.is_sequence()) && ok;
  if (!ok && !out) return false;
  return check_combinators(n, value, w, out) && ok;
}

bool Validator::check_scalar(const SchemaNode& n, const Value& v, const Value& shown, const Where& w,
                             std::vector<Err>* out) {
  bool ok = true;
  auto fail = [&](Err e) {
    ok = false;
    if (out) out->push_back(std::move(e));
  };
  if (n.enum_values && std::find(n.enum_values->begin(), n.enum_values->end(), v) == n.enum_values->end()) {
    std::string got = show_value(shown);
    if (v.is_string()) {
      std::vector<std::string> names;
      for (const auto& e : *n.enum_values)
        if (e.is_string()) names.push_back(e.as_string());
      if (auto m = did_you_mean(v.as_string(), names)) got += "; did you mean '" + *m + "'?";
    }
    fail(make(n, w, "must be one of: " + list_values(*n.enum_values), got));
  }
  if (n.const_value && !(*n.const_value == v))
    fail(make(n, w, "must be " + show_value(*n.const_value), show_value(shown)));
  if (!ok && !out) return false;

  if (v.is_string()) {
    const std::string& s = v.as_string();
    std::size_t len = code_points(s);
    if (n.min_length && len < *n.min_length)
      fail(make(n, w, "must be at least " + count_of(*n.min_length, "character") + " long",
                show_value(shown)));
    if (n.max_length && len > *n.max_length)
      fail(make(n, w, "must be at most " + count_of(*n.max_length, "character") + " long",
                count_of(len, "character")));
    if (n.pattern) {
      if (s.size() > kMaxRegexInput)
        fail(make(n, w, "is too long to check against the pattern " + n.pattern->source,
                  count_of(len, "character"), Wording::Fixed));
      else if (!matches(*n.pattern, s))
        fail(make(n, w, "must match the pattern " + n.pattern->source, show_value(shown)));
    }
  }
  if (v.is_number()) {
    const std::string got = shown.is_number() ? show_number(shown) : show_value(shown);
    if (n.minimum && compare(v, *n.minimum) < 0)
      fail(make(n, w, "must be at least " + show_number(*n.minimum), got));
    if (n.maximum && compare(v, *n.maximum) > 0)
      fail(make(n, w, "must be at most " + show_number(*n.maximum), got));
    if (n.exclusive_minimum && compare(v, *n.exclusive_minimum) <= 0)
      fail(make(n, w, "must be greater than " + show_number(*n.exclusive_minimum), got));
    if (n.exclusive_maximum && compare(v, *n.exclusive_maximum) >= 0)
      fail(make(n, w, "must be less than " + show_number(*n.exclusive_maximum), got));
    if (n.multiple_of && !is_multiple(v, *n.multiple_of))
      fail(make(n, w, "must be a multiple of " + show_number(*n.multiple_of), got));
  }
  return ok;
}

bool Validator::check_object(const SchemaNode& n, const Value& v, const Where& w, std::vector<Err>* out) {
  bool ok = true;
  auto fail = [&](Err e) {
    ok = false;
    if (out) out->push_back(std::move(e));
  };
  const bool skip_nulls = m_options.null_means_absent;
  auto present = [&](const std::string& key) {
    const Value* x = v.find(key);
    return x && !(skip_nulls && x->is_null());
  };
  for (const auto& key : n.required) {
    if (present(key)) continue;
    Err e = make(n, w, "is missing required key '" + key + "'", "", Wording::Fixed);
    if (w.path.empty() && w.subject.empty()) e.error.message = "missing required top-level key '" + key + "'";
    fail(std::move(e));
    if (!out) return false;
  }
  const std::size_t size =
      static_cast<std::size_t>(std::count_if(v.entries().begin(), v.entries().end(), [&](const auto& e) {
        return !(skip_nulls && e.value.is_null());
      }));
  if (n.min_properties && size < *n.min_properties)
    fail(make(n, w, "must have at least " + count_of(*n.min_properties, "key"), count_of(size, "key")));
  if (n.max_properties && size > *n.max_properties)
    fail(make(n, w, "must have at most " + count_of(*n.max_properties, "key"), count_of(size, "key")));
  if (!ok && !out) return false;

  std::vector<std::string> known;
  for (const auto& [name, id] : n.properties) known.push_back(name);
  for (const auto& e : v.entries()) {
    if (skip_nulls && e.value.is_null()) continue;
    const Where cw = child_of(w, e.key, e.value.mark);
    bool matched = false;
    for (const auto& [name, id] : n.properties) {
      if (name != e.key) continue;
      matched = true;
      ok = check(id, e.value, cw, out) && ok;
    }
    for (const auto& [pattern, id] : n.pattern_properties) {
      if (e.key.size() > kMaxRegexInput || !matches(pattern, e.key)) continue;
      matched = true;
      ok = check(id, e.value, cw, out) && ok;
    }
    if (!matched && n.additional_properties >= 0) {
      const SchemaNode& extra = m_nodes[static_cast<std::size_t>(n.additional_properties)];
      if (extra.is_boolean && !extra.boolean_value) {
        Err err;
        err.depth = cw.depth;
        err.error.path = cw.path;
        err.error.mark = e.key_mark;
        const auto match = did_you_mean(e.key, known);
        const std::string suffix = match ? " (did you mean '" + *match + "'?)" : "";
        if (!n.unknown_key_noun.empty()) {
          err.error.message = "unknown " + n.unknown_key_noun + " '" + e.key + "'" + suffix;
        } else {
          err.error.kind = SchemaError::Kind::UnknownKey;
          err.error.message =
              (w.path.empty() && w.subject.empty() ? "unknown top-level key '" + e.key + "'"
                                                   : "unknown key '" + e.key + "' in " + subject_of(w)) +
              suffix;
        }
        fail(std::move(err));
      } else {
        ok = check(n.additional_properties, e.value, cw, out) && ok;
      }
    }
    if (!ok && !out) return false;
  }
  if (n.property_names >= 0) {
    for (const auto& e : v.entries()) {
      if (skip_nulls && e.value.is_null()) continue;
      Value key(e.key);
      key.mark = e.key_mark;
      Where kw = child_of(w, e.key, e.key_mark);
      kw.subject = w.path.empty() && w.subject.empty() ? "top-level key '" + e.key + "'"
                                                       : "key '" + e.key + "' in " + subject_of(w);
      ok = check(n.property_names, key, kw, out) && ok;
      if (!ok && !out) return false;
    }
  }
  for (const auto& dep : n.dependencies) {
    if (!present(dep.key)) continue;
    for (const auto& needed : dep.keys)
      if (!present(needed))
        fail(make(n, w, "is missing key '" + needed + "' (required when '" + dep.key + "' is present)", "",
                  Wording::Fixed));
    if (dep.schema >= 0) ok = check(dep.schema, v, w, out) && ok;
    if (!ok && !out) return false;
  }
  return ok;
}

bool Validator::check_array(const SchemaNode& n, const Value& v, const Where& w, std::vector<Err>* out,
                            bool wrapped) {
  auto at = [&](std::size_t i) { return wrapped ? w : child_of(w, std::to_string(i), v.items()[i].mark); };
  bool ok = true;
  auto fail = [&](Err e) {
    ok = false;
    if (out) out->push_back(std::move(e));
  };
  const auto& items = v.items();
  if (n.min_items && items.size() < *n.min_items)
    fail(make(n, w, "must have at least " + count_of(*n.min_items, "item"), std::to_string(items.size())));
  if (n.max_items && items.size() > *n.max_items)
    fail(make(n, w, "must have at most " + count_of(*n.max_items, "item"), std::to_string(items.size())));
  if (!ok && !out) return false;

  for (std::size_t i = 0; i < items.size(); ++i) {
    NodeId id = n.items;
    if (n.items_is_array) {
      id = i < n.items_array.size() ? n.items_array[i] : n.additional_items;
      if (i == n.items_array.size() && id >= 0) {
        const SchemaNode& extra = m_nodes[static_cast<std::size_t>(id)];
        if (extra.is_boolean && !extra.boolean_value) {
          fail(make(n, w, "must have at most " + count_of(n.items_array.size(), "item"),
                    std::to_string(items.size())));
          break;
        }
      }
    }
    if (id < 0) continue;
    ok = check(id, items[i], at(i), out) && ok;
    if (!ok && !out) return false;
  }
  if (n.contains >= 0) {
    bool found = false;
    for (std::size_t i = 0; i < items.size() && !found; ++i)
      found = check(n.contains, items[i], at(i), nullptr);
    if (!found)
      fail(make(n, w, "must contain at least one matching item", items.empty() ? "an empty array" : ""));
  }
  if (n.unique_items) {
    for (std::size_t j = 1; j < items.size(); ++j) {
      for (std::size_t i = 0; i < j; ++i) {
        if (!(items[i] == items[j])) continue;
        Err e = make(n, w, "must not contain duplicates",
                     "item " + std::to_string(j) + " repeats item " + std::to_string(i));
        e.error.mark = items[j].mark;
        fail(std::move(e));
        break;
      }
      if (!ok && !out) return false;
    }
  }
  return ok;
}

bool Validator::check_combinators(const SchemaNode& n, const Value& v, const Where& w,
                                  std::vector<Err>* out) {
  bool ok = true;
  for (NodeId id : n.all_of) {
    ok = check(id, v, w, out) && ok;
    if (!ok && !out) return false;
  }
  if (!n.any_of.empty()) {
    bool any =
        std::any_of(n.any_of.begin(), n.any_of.end(), [&](NodeId id) { return check(id, v, w, nullptr); });
    if (!any) {
      ok = false;
      if (!out) return false;
      report_best_branch(n, n.any_of, v, w, *out);
    }
  }
  if (!n.one_of.empty()) {
    std::size_t passed = 0;
    for (NodeId id : n.one_of) passed += check(id, v, w, nullptr) ? 1 : 0;
    if (passed != 1) {
      ok = false;
      if (!out) return false;
      if (passed == 0)
        report_best_branch(n, n.one_of, v, w, *out);
      else
        out->push_back(make(n, w, "must match exactly one of the allowed forms",
                            "a value that matches " + std::to_string(passed) + " of them"));
    }
  }
  if (n.not_schema >= 0 && check(n.not_schema, v, w, nullptr)) {
    ok = false;
    if (!out) return false;
    out->push_back(
        make(n, w, "must not match the schema at #" + m_nodes[static_cast<std::size_t>(n.not_schema)].pointer,
             show_value(v)));
  }
  if (n.if_schema >= 0) {
    NodeId next = check(n.if_schema, v, w, nullptr) ? n.then_schema : n.else_schema;
    if (next >= 0) ok = check(next, v, w, out) && ok;
  }
  return ok;
}

// How many of an object's keys the schema declares at its top (through $ref, allOf, anyOf, oneOf):
// the branch that knows the keys the user wrote is the form the user meant.
int Validator::known_keys(NodeId id, const Value& v, int depth) const {
  if (id < 0 || depth > 8 || !v.is_map()) return 0;
  const SchemaNode& n = m_nodes[static_cast<std::size_t>(id)];
  if (n.ref >= 0) return known_keys(n.ref, v, depth + 1);
  int own = 0;
  for (const auto& e : v.entries()) {
    bool known = std::any_of(n.properties.begin(), n.properties.end(),
                             [&](const auto& p) { return p.first == e.key; });
    if (!known)
      known = std::any_of(n.pattern_properties.begin(), n.pattern_properties.end(), [&](const auto& p) {
        return e.key.size() <= kMaxRegexInput && matches(p.first, e.key);
      });
    own += known ? 1 : 0;
  }
  int nested = 0;
  for (const auto* list : {&n.all_of, &n.any_of, &n.one_of})
    for (NodeId b : *list) nested = std::max(nested, known_keys(b, v, depth + 1));
  return std::max(own, nested);
}

// Every branch failed. Reporting them all buries the one mistake; report the branch that best
// fits (it declares most of the keys written, its shallowest error is deepest, it has fewest
// errors, it comes first), or, when every branch rejected the value's type outright, one
// message listing the types that would do.
void Validator::report_best_branch(const SchemaNode& n, const std::vector<NodeId>& branches, const Value& v,
                                   const Where& w, std::vector<Err>& out) {
  std::vector<std::string> types;
  const std::vector<Err>* best = nullptr;
  std::vector<std::vector<Err>> all(branches.size());
  int best_depth = -1, best_known = -1;
  for (std::size_t b = 0; b < branches.size(); ++b) {
    std::vector<Err>& errs = all[b];
    check(branches[b], v, w, &errs);
    bool type_failed = false;
    int shallowest = 1 << 30;
    for (const auto& e : errs) {
      shallowest = std::min(shallowest, e.depth);
      if (!e.type_mismatch || e.depth != w.depth) continue;
      type_failed = true;
      for (const auto& t : e.types)
        if (std::find(types.begin(), types.end(), t) == types.end()) types.push_back(t);
    }
    if (type_failed || errs.empty()) continue;
    const int known = known_keys(branches[b], v, 0);
    if (!best || known > best_known ||
        (known == best_known &&
         (shallowest > best_depth || (shallowest == best_depth && errs.size() < best->size())))) {
      best = &errs;
      best_depth = shallowest;
      best_known = known;
    }
  }
  if (best) {
    out.insert(out.end(), best->begin(), best->end());
    return;
  }
  Err e =
      make(n, w, types.empty() ? "does not match any of the allowed forms" : "must be " + type_phrase(types),
           show_typed(v));
  e.type_mismatch = !types.empty();
  e.types = types;
  out.push_back(std::move(e));
}

}  // namespace

struct Schema::Impl {
  CompiledSchema compiled;
};

Schema::Schema(const Value& document, Patterns patterns) : m_impl(std::make_unique<Impl>()) {
  m_impl->compiled = compile_schema(document, patterns == Patterns::Eager);
}
Schema::~Schema() = default;
Schema::Schema(Schema&&) noexcept = default;
Schema& Schema::operator=(Schema&&) noexcept = default;

bool Schema::validate(const Value& instance, std::vector<SchemaError>& errors,
                      const SchemaOptions& options) const {
  Validator validator(m_impl->compiled, options);
  std::vector<Err> found;
  const bool ok = validator.check(0, instance, Where{"", 0, &instance.mark, {}}, &found);
  // allOf branches and shared $refs can report the same problem twice.
  std::vector<SchemaError> fresh;
  for (auto& e : found) {
    bool seen = std::any_of(fresh.begin(), fresh.end(), [&](const SchemaError& x) {
      return x.path == e.error.path && x.message == e.error.message;
    });
    if (!seen) fresh.push_back(std::move(e.error));
  }
  errors.insert(errors.end(), std::make_move_iterator(fresh.begin()), std::make_move_iterator(fresh.end()));
  return ok;
}

const Schema& serverless_schema() {
  static const Schema schema = [] {
    const EmbeddedFile* file = find_embedded(embedded_schemas(), "serverless.schema.json");
    if (!file) throw std::logic_error("the embedded serverless.schema.json is missing");
    // Its patterns are checked eagerly by serverless_schema_test; here each is built on first use.
    return Schema(parse_json(file->data), Schema::Patterns::Lazy);
  }();
  return schema;
}

}  // namespace stratus::manifest
