#include "cli/manifest/variables.hpp"

#include "cli/manifest/dotenv.hpp"
#include "cli/manifest/variable_resolver.hpp"

namespace stratus::manifest {

namespace vars {

namespace {

// A chain of references longer than this is reported rather than followed (and keeps the
// native stack small whatever the input).
constexpr std::size_t kMaxFrames = 128;
// What variables may copy in total (nodes, plus string bytes / 64): far more than any real
// manifest copies, small enough (tens of MB) that values referring to each other twice per
// level stop early.
constexpr std::size_t kBudget = 500'000;
constexpr std::size_t kMaxString = 4 << 20;

std::string join(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

std::size_t cost(const Value& v, std::size_t limit) {
  std::size_t n = 1 + v.as_string().size() / 64;
  for (const auto& item : v.items()) {
    if (n > limit) return n;
    n += cost(item, limit - n);
  }
  for (const auto& e : v.entries()) {
    if (n > limit) return n;
    n += cost(e.value, limit - n);
  }
  return n;
}

const char* kind_phrase(const Value& v) {
  if (v.is_map())
    return "is an object, which cannot be put into a string; make the variable the whole value, or "
           "point it at one of the object's fields";
  if (v.is_sequence())
    return "is an array, which cannot be put into a string; make the variable the whole value, or "
           "point it at one of its items";
  return "is null, which cannot be put into a string; give it a value, or a fallback that is not null";
}

}  // namespace

std::string Doc::where(const std::string& path) const {
  if (file.empty()) return path;
  return "file(" + file + ")" + (path.empty() ? "" : ":" + path);
}

Resolver::Resolver(Value& root, const VariableContext& ctx, Sources& sources, Diagnostics& diags)
    : m_root(root), m_ctx(ctx), m_sources(sources), m_diags(diags), m_main{&root, ""} {
  m_manifest_name = root.mark.file.empty() ? "serverless.yml" : root.mark.file;
}

void Resolver::run() {
  resolve_tree(m_root, m_main, "");
}

bool Resolver::resolve_tree(Value& v, const Doc& doc, const std::string& path) {
  if (v.is_string()) return resolve_string(v, doc, path);
  if (!v.is_map() && !v.is_sequence()) return true;
  if (auto it = m_state.find(&v); it != m_state.end()) return it->second == State::Done;
  bool ok = true;
  if (v.is_map()) {
    for (auto& e : v.entries()) ok = resolve_tree(e.value, doc, join(path, e.key)) && ok;
  } else {
    for (std::size_t i = 0; i < v.items().size(); ++i)
      ok = resolve_tree(v.items()[i], doc, join(path, std::to_string(i))) && ok;
  }
  m_state[&v] = ok ? State::Done : State::Failed;
  return ok;
}

bool Resolver::resolve_string(Value& v, const Doc& doc, const std::string& path) {
  if (!may_have_variables(v.as_string())) return true;
  if (auto it = m_state.find(&v); it != m_state.end()) {
    if (it->second == State::Resolving) {
      report_cycle(&v);
      return false;
    }
    return it->second == State::Done;
  }
  Site site{v.mark, doc.where(path)};
  Parsed parsed = parse(v.as_string());
  if (!parsed.error.empty()) {
    m_diags.error(site.mark, site.path, parsed.error);
    m_state[&v] = State::Failed;
    return false;
  }
  if (!parsed.text.has_variables()) {
    m_state[&v] = State::Done;
    return true;
  }
  if (m_frames.size() >= kMaxFrames) {
    m_diags.error(site.mark, site.path,
                  "variables refer to variables more than " + std::to_string(kMaxFrames) +
                      " levels deep here; simplify the chain of references");
    m_state[&v] = State::Failed;
    return false;
  }
  m_state[&v] = State::Resolving;
  m_frames.push_back({doc.where(path), false, &v, site});
  const bool outer_raw = std::exchange(m_raw_pending, false);
  std::optional<Value> result = eval_template(parsed, parsed.text, site);
  const bool raw = std::exchange(m_raw_pending, outer_raw);
  m_frames.pop_back();
  if (!result) {
    m_state[&v] = State::Failed;
    return false;
  }
  // A whole-value substitution takes the place of the string, so it takes its mark too; the
  // values inside keep theirs.
  v = std::move(*result);
  v.mark = site.mark;
  // ${file()} content arrives as written: resolve it where it now stands (as a tree: the string's
  // own state must not answer for it).
  if (raw && (v.is_map() || v.is_sequence()) && (m_state.erase(&v), !resolve_tree(v, m_main, path))) {
    m_state[&v] = State::Failed;
    return false;
  }
  m_state[&v] = State::Done;
  return true;
}

std::optional<Value> Resolver::eval_template(const Parsed& p, const Template& t, const Site& site) {
  if (t.whole()) {
    Outcome o = eval_variable(p, t.parts[0].variable, site, true);
    if (o.kind != Outcome::Kind::Found) return std::nullopt;
    return std::move(o.value);
  }
  std::string out;
  bool ok = true;
  for (const auto& part : t.parts) {
    if (part.variable < 0) {
      out += part.text;
      continue;
    }
    Outcome o = eval_variable(p, part.variable, site, true);
    if (o.kind != Outcome::Kind::Found) {
      ok = false;  // reported; go on so that every problem in the string is reported
      continue;
    }
    if (!o.value.is_scalar() || o.value.is_null()) {
      m_diags.error(site.mark, site.path, p.variables[part.variable].text + " " + kind_phrase(o.value));
      ok = false;
      continue;
    }
    out += o.value.to_text();
    if (out.size() > kMaxString) {
      m_diags.error(site.mark, site.path,
                    "the value built from variables here grows beyond 4 MiB; look for values that include "
                    "other values several times over");
      return std::nullopt;
    }
  }
  if (!ok) return std::nullopt;
  return Value(std::move(out));
}

Outcome Resolver::eval_variable(const Parsed& p, int index, const Site& site, bool report) {
  const Variable& var = p.variables[index];
  std::vector<Outcome> missing;
  for (const Source& src : var.sources) {
    Outcome o;
    switch (src.kind) {
      case Source::Kind::Literal: return Outcome::found(src.literal);
      case Source::Kind::Nested: o = eval_variable(p, src.nested, site, false); break;
      case Source::Kind::Reference: o = eval_source(p, var, src, site); break;
    }
    if (o.kind != Outcome::Kind::Missing) return o;
    missing.push_back(std::move(o));
  }
  if (report) {
    report_missing(var, missing, site);
    return Outcome::failed();
  }
  // A nested fallback that found nothing: the enclosing variable reports it with its own.
  Outcome all = missing.front();
  for (std::size_t i = 1; i < missing.size(); ++i) all.reason += ", and " + missing[i].reason;
  if (missing.size() > 1) {
    all.fix.clear();
    all.suggested = false;
  }
  return all;
}

void Resolver::report_missing(const Variable& var, const std::vector<Outcome>& missing, const Site& site) {
  std::string suggest = var.text.substr(0, var.text.size() - 1) + ", 'value'}";
  const Outcome& first = missing.front();
  std::string msg;
  if (!first.cloud.empty()) {
    msg = var.text + " needs " + first.cloud + ", which stratus does not read; give a fallback (" + suggest +
          ") or pass --param " + first.param_name + "=... and use ${param:" + first.param_name + "}";
  } else {
    msg = var.text + " cannot be resolved: " + first.reason;
    for (std::size_t i = 1; i < missing.size(); ++i) msg += ", and " + missing[i].reason;
    if (missing.size() > 1)
      msg += "; give a fallback that always works: " + suggest;
    else if (!first.suggested)
      msg += "; " +
             (first.fix.empty() ? std::string("give a fallback: ") : first.fix + ", or give a fallback: ") +
             suggest;
  }
  m_diags.error(site.mark, site.path, msg);
}

Resolver::Lookup Resolver::lookup(const Doc& doc, const std::vector<std::string>& segments, Target want) {
  std::string target;
  for (const auto& s : segments) target = join(target, s);
  m_frames.push_back({doc.where(target), true, nullptr, {}});
  struct Pop {
    std::vector<Frame>& frames;
    ~Pop() { frames.pop_back(); }
  } pop{m_frames};

  Value* cur = doc.root;
  std::string walked;
  // Below a resolved node everything is resolved; above it, strings on the way may still hold
  // variables that give the objects to walk into (custom: ${file(./custom.yml)}).
  auto settled_state = [&](const Value* v) {
    auto it = m_state.find(v);
    return it != m_state.end() && it->second == State::Done;
  };
  bool settled = settled_state(cur);
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const std::string& seg = segments[i];
    if (!settled && cur->is_string()) {
      if (!resolve_string(*cur, doc, walked)) return {};
      settled = true;
    } else if (!settled && settled_state(cur)) {
      settled = true;
    }
    Value* next = nullptr;
    if (cur->is_map()) {
      next = cur->find(seg);
    } else if (cur->is_sequence() && !seg.empty() && seg.size() < 10 &&
               seg.find_first_not_of("0123456789") == std::string::npos) {
      std::size_t idx = std::stoul(seg);
      if (idx < cur->items().size()) next = &cur->items()[idx];
    }
    if (!next) {
      Lookup miss{Outcome::Kind::Missing, nullptr, {}};
      if (cur->is_map()) {
        std::vector<std::string> keys;
        for (const auto& e : cur->entries()) keys.push_back(e.key);
        if (auto m = did_you_mean(seg, keys)) {
          miss.suggestion = join(walked, *m);
          for (std::size_t k = i + 1; k < segments.size(); ++k) miss.suggestion += "." + segments[k];
        }
      }
      return miss;
    }
    walked = join(walked, seg);
    cur = next;
  }
  bool raw = want == Target::Raw && (cur->is_map() || cur->is_sequence());
  if (raw && !settled) m_raw_pending = true;
  if (!settled && !raw && !resolve_tree(*cur, doc, walked)) return {};
  if (cur->is_null()) return {Outcome::Kind::Missing, nullptr, {}};
  return {Outcome::Kind::Found, cur, {}};
}

Outcome Resolver::copy_of(const Value& v, const Variable& var, const Site& site) {
  std::size_t c = cost(v, kBudget + 1);
  if (m_budget_used + c > kBudget) {
    if (!m_budget_reported)
      m_diags.error(site.mark, site.path,
                    var.text +
                        " cannot be resolved: variables expand to more than 500,000 values in all; "
                        "look for values that refer to other values several times over");
    m_budget_reported = true;
    return Outcome::failed();
  }
  m_budget_used += c;
  return Outcome::found(v);
}

void Resolver::report_cycle(const Value* node) {
  std::size_t k = m_frames.size();
  while (k > 0 && (m_frames[k - 1].reference || m_frames[k - 1].node != node)) --k;
  if (k == 0) return;  // not reachable: a node is Resolving only while its frame is on the stack
  const Frame& start = m_frames[k - 1];
  auto shown = [](const std::string& w) { return w.empty() ? std::string("${self:}") : w; };
  std::vector<std::string> chain;
  for (std::size_t i = k - 1; i < m_frames.size(); ++i) {
    const std::string w = shown(m_frames[i].where);
    // A string reached by following a reference (or on the way to its target) is that same hop.
    if (!m_frames[i].reference && !chain.empty() &&
        (chain.back() == w || chain.back().rfind(w + ".", 0) == 0 || chain.back().rfind(w + ":", 0) == 0))
      continue;
    chain.push_back(w);
  }
  if (chain.back() != shown(start.where)) chain.push_back(shown(start.where));
  std::string msg = "variable cycle: ";
  for (std::size_t i = 0; i < chain.size(); ++i) msg += (i ? " -> " : "") + chain[i];
  msg += "; give one of these a value that does not refer back";
  m_diags.error(start.site.mark, start.site.path, msg);
}

std::optional<std::string> Resolver::stage_like(const char* option, const char* key, const char* fallback,
                                                std::optional<std::optional<std::string>>& memo) {
  if (memo) return *memo;
  std::optional<std::string> out;
  if (auto it = m_ctx.options.find(option); it != m_ctx.options.end() && !it->second.empty()) {
    out = it->second;
  } else {
    Lookup l = lookup(m_main, {"provider", key});
    if (l.kind == Outcome::Kind::Failed) {
      out = std::nullopt;
    } else if (l.kind == Outcome::Kind::Found && l.node->is_scalar() && !l.node->to_text().empty()) {
      out = l.node->to_text();
    } else {
      out = fallback;
    }
  }
  memo = out;
  return out;
}

std::optional<std::string> Resolver::stage() {
  return stage_like("stage", "stage", "dev", m_stage);
}
std::optional<std::string> Resolver::region() {
  return stage_like("region", "region", "us-east-1", m_region);
}

}  // namespace vars

namespace {

// The stage that picks the .env file, found before .env is read: a provider.stage that needs
// variables is resolved on a scratch copy whose problems are dropped (the real run reports them).
std::string dotenv_stage(const Value& root, const VariableContext& ctx) {
  if (auto it = ctx.options.find("stage"); it != ctx.options.end() && !it->second.empty()) return it->second;
  const Value* s = root.at_path("provider.stage");
  if (s && s->is_string() && vars::may_have_variables(s->as_string())) {
    Value copy = root;
    Sources sources;
    Diagnostics diags;
    return vars::Resolver(copy, ctx, sources, diags).stage().value_or("dev");
  }
  return effective_stage(root, ctx);
}

std::string effective(const Value& root, const VariableContext& ctx, const char* key, const char* fallback) {
  if (auto it = ctx.options.find(key); it != ctx.options.end() && !it->second.empty()) return it->second;
  const Value* v = root.at_path(std::string("provider.") + key);
  if (v && (v->is_string() || v->is_number()) && !v->to_text().empty()) return v->to_text();
  return fallback;
}

}  // namespace

std::string effective_stage(const Value& root, const VariableContext& ctx) {
  return effective(root, ctx, "stage", "dev");
}

std::string effective_region(const Value& root, const VariableContext& ctx) {
  return effective(root, ctx, "region", "us-east-1");
}

void resolve_variables(Value& root, VariableContext ctx, Sources& sources, Diagnostics& diags) {
  const Value* use_dotenv = root.find("useDotenv");
  if (use_dotenv && use_dotenv->is_bool() && use_dotenv->as_bool()) {
    DotenvFile file = load_dotenv(ctx.service_dir, dotenv_stage(root, ctx), ctx.env);
    if (!file.error.empty()) {
      std::string name = file.path->filename().string();
      diags.error(Mark{name, 0, 0}, "", "cannot read " + name + ": " + file.error);
    }
    for (auto& [k, v] : file.values) ctx.env.emplace(k, std::move(v));  // the process environment wins
  }
  vars::Resolver(root, ctx, sources, diags).run();
}

}  // namespace stratus::manifest
