// The variable sources: where each `type:` of ${type:address} takes its value from.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "cli/manifest/load.hpp"
#include "cli/manifest/variable_resolver.hpp"

namespace stratus::manifest::vars {

namespace {

const std::vector<std::string> kSources = {"self", "opt",       "env", "sls", "aws", "param",
                                           "file", "strToBool", "ssm", "cf",  "s3"};

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string trim(std::string s) {
  auto blank = [](unsigned char c) { return std::isspace(c) != 0; };
  while (!s.empty() && blank(s.back())) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && blank(s[i])) ++i;
  return s.substr(i);
}

// A --param name for a value stratus cannot fetch: "/db/url" -> "db_url".
std::string param_name_for(std::string address) {
  if (auto tilde = address.find('~'); tilde != std::string::npos) address.resize(tilde);  // ssm:/x~true
  std::string out;
  for (char c : address) {
    bool word = std::isalnum(static_cast<unsigned char>(c)) || c == '_';
    if (word)
      out += c;
    else if (!out.empty() && out.back() != '_')
      out += '_';
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out.empty() ? "value" : out;
}

std::vector<std::string> segments_of(const std::optional<std::string>& address) {
  if (!address || address->empty()) return {};
  return split_path(*address);
}

}  // namespace

Outcome Resolver::eval_source(const Parsed& p, const Variable& var, const Source& src, const Site& site) {
  if (std::find(kSources.begin(), kSources.end(), src.type) == kSources.end()) {
    std::string names;
    for (const auto& s : kSources) names += (names.empty() ? "" : ", ") + s;
    m_diags.error(site.mark, site.path,
                  var.text + " uses an unknown variable source '" + src.type + "'" +
                      did_you_mean_suffix(src.type, kSources) + "; the sources are " + names);
    return Outcome::failed();
  }
  // Inner variables first: ${env:${opt:stage}_URL}, ${file(./config.${sls:stage}.yml)}.
  std::vector<Value> params;
  for (const auto& t : src.params) {
    auto v = eval_template(p, t, site);
    if (!v) return Outcome::failed();
    params.push_back(std::move(*v));
  }
  std::optional<std::string> address;
  if (src.has_address) {
    auto v = eval_template(p, src.address, site);
    if (!v) return Outcome::failed();
    if (!v->is_scalar()) {
      m_diags.error(site.mark, site.path,
                    var.text + " cannot be resolved: its address is " +
                        (v->is_map() ? "an object" : "an array") + "; it must be text");
      return Outcome::failed();
    }
    address = v->to_text();
  }
  const std::string& t = src.type;
  if (t == "self") return source_self(var, address, site);
  if (t == "opt") return source_opt(address);
  if (t == "env") return source_env(var, address, site);
  if (t == "sls") return source_sls(var, address, site);
  if (t == "aws") return source_aws(var, address, site);
  if (t == "param") return source_param(var, address, site);
  if (t == "file") return source_file(var, src, params, address, site);
  if (t == "strToBool") return source_str_to_bool(var, params, site);
  return source_cloud(src, address);
}

Outcome Resolver::source_self(const Variable& var, const std::optional<std::string>& address,
                              const Site& site) {
  Lookup l = lookup(m_main, segments_of(address));
  if (l.kind == Outcome::Kind::Found) return copy_of(*l.node, var, site);
  if (l.kind == Outcome::Kind::Failed) return Outcome::failed();
  const std::string a = address.value_or("");
  // Old manifests write ${opt:stage, self:provider.stage} and mean the default stage.
  if (a == "provider.stage" || a == "provider.region") {
    auto s = a == "provider.stage" ? stage() : region();
    return s ? Outcome::found(Value(*s)) : Outcome::failed();
  }
  Outcome o = Outcome::missing("'" + a + "' is not set in " + m_manifest_name, "set it");
  if (!l.suggestion.empty()) {
    o.reason += " (did you mean '" + l.suggestion + "'?)";
    o.suggested = true;
  }
  return o;
}

Outcome Resolver::source_opt(const std::optional<std::string>& address) {
  if (!address || address->empty()) {
    Value all = Value::map();
    for (const auto& [k, v] : m_ctx.options) all.set(k, Value(v));
    return Outcome::found(std::move(all));
  }
  if (auto it = m_ctx.options.find(*address); it != m_ctx.options.end())
    return Outcome::found(Value(it->second));
  if (*address == "stage" || *address == "region")
    return Outcome::missing("option --" + *address + " is not given", "pass --" + *address);
  // As in Serverless v3, free-form CLI options are gone: parameters take their place.
  return Outcome::missing(
      "stratus has no --" + *address + " option (only --stage and --region reach ${opt:})",
      "write ${param:" + *address + "} and pass --param " + *address + "=VALUE");
}

Outcome Resolver::source_env(const Variable& var, const std::optional<std::string>& address,
                             const Site& site) {
  if (!address || address->empty()) {
    m_diags.error(site.mark, site.path, var.text + " needs the name of an environment variable: ${env:NAME}");
    return Outcome::failed();
  }
  // As in the framework, a variable set to "" counts as not set.
  if (auto it = m_ctx.env.find(*address); it != m_ctx.env.end() && !it->second.empty())
    return Outcome::found(Value(it->second));
  return Outcome::missing("environment variable '" + *address + "' is not set", "set it");
}

Outcome Resolver::source_sls(const Variable& var, const std::optional<std::string>& address,
                             const Site& site) {
  const std::string a = address.value_or("");
  if (a == "stage") {
    auto s = stage();
    return s ? Outcome::found(Value(*s)) : Outcome::failed();
  }
  if (a == "instanceId") return Outcome::found(Value(m_ctx.instance_id));
  static const std::vector<std::string> known = {"stage", "instanceId"};
  m_diags.error(site.mark, site.path,
                var.text + " cannot be resolved: sls has no '" + a + "'" + did_you_mean_suffix(a, known) +
                    "; use ${sls:stage} or ${sls:instanceId}");
  return Outcome::failed();
}

Outcome Resolver::source_aws(const Variable& var, const std::optional<std::string>& address,
                             const Site& site) {
  const std::string a = address.value_or("");
  if (a == "region") {
    auto r = region();
    return r ? Outcome::found(Value(*r)) : Outcome::failed();
  }
  if (a == "accountId") {
    if (!m_ctx.account_id.empty()) return Outcome::found(Value(m_ctx.account_id));
    return Outcome::missing("the AWS account id is not known", "");
  }
  static const std::vector<std::string> known = {"region", "accountId"};
  m_diags.error(site.mark, site.path,
                var.text + " cannot be resolved: aws has no '" + a + "'" + did_you_mean_suffix(a, known) +
                    "; use ${aws:region} or ${aws:accountId}");
  return Outcome::failed();
}

// --param first, then params.<stage>, then params.default (docs/guides/parameters.md).
Outcome Resolver::source_param(const Variable& var, const std::optional<std::string>& address,
                               const Site& site) {
  if (!address || address->empty()) {
    m_diags.error(site.mark, site.path, var.text + " needs the name of a parameter: ${param:name}");
    return Outcome::failed();
  }
  const std::string& key = *address;
  if (auto it = m_ctx.params.find(key); it != m_ctx.params.end()) return Outcome::found(Value(it->second));
  auto st = stage();
  if (!st) return Outcome::failed();
  for (const std::string& group : {*st, std::string("default")}) {
    Lookup l = lookup(m_main, {"params", group, key});
    if (l.kind == Outcome::Kind::Failed) return Outcome::failed();
    if (l.kind == Outcome::Kind::Found) return copy_of(*l.node, var, site);
  }
  return Outcome::missing(
      "param '" + key + "' is not set (not in --param, params." + *st + " or params.default)",
      "pass --param " + key + "=... or set params.default." + key);
}

Outcome Resolver::source_file(const Variable& var, const Source& src, const std::vector<Value>& params,
                              const std::optional<std::string>& address, const Site& site) {
  if (params.empty() || !params[0].is_scalar() || params[0].to_text().empty()) {
    std::string msg = !src.has_params && address
                          ? var.text + " needs its path in parentheses: ${file(" + *address + ")}"
                          : var.text + " needs the path of a file: ${file(./config.yml)}";
    m_diags.error(site.mark, site.path, msg);
    return Outcome::failed();
  }
  const std::string path = params[0].to_text();
  const std::filesystem::path rel(path);
  const std::string ext = lower(rel.extension().string());
  if (ext == ".js" || ext == ".cjs" || ext == ".mjs" || ext == ".ts") {
    std::string suggestion = var.text;
    if (auto at = suggestion.find(rel.extension().string()); at != std::string::npos)
      suggestion.replace(at, rel.extension().string().size(), ".yml");
    m_diags.error(site.mark, site.path,
                  var.text +
                      " reads a JavaScript file, which stratus does not run; put the values in a .yml or "
                      ".json file instead: " +
                      suggestion);
    return Outcome::failed();
  }
  const std::string display = rel.lexically_normal().generic_string();
  FileEntry& f =
      read_file((rel.is_absolute() ? rel : m_ctx.service_dir / rel).lexically_normal(), display, ext);
  if (!f.error.empty()) {
    if (!f.reported) m_diags.error(site.mark, site.path, var.text + " cannot read " + path + ": " + f.error);
    f.reported = true;
    return Outcome::failed();
  }
  if (!f.exists) return Outcome::missing("file '" + path + "' does not exist", "create it");
  if (!f.ok) return Outcome::failed();  // its syntax errors are reported, in that file
  Doc doc{&f.doc, display};
  Lookup l = lookup(doc, segments_of(address), Target::Raw);
  if (l.kind == Outcome::Kind::Found) return copy_of(*l.node, var, site);
  if (l.kind == Outcome::Kind::Failed) return Outcome::failed();
  if (!address || address->empty()) return Outcome::missing("file '" + path + "' is empty", "fill it");
  Outcome o = Outcome::missing("'" + *address + "' is not set in " + display, "set it");
  if (!l.suggestion.empty()) {
    o.reason += " (did you mean '" + l.suggestion + "'?)";
    o.suggested = true;
  }
  return o;
}

Resolver::FileEntry& Resolver::read_file(const std::filesystem::path& path, const std::string& display,
                                         const std::string& ext) {
  auto& slot = m_files[path.string()];
  if (slot) return *slot;
  slot = std::make_unique<FileEntry>();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return *slot;
  slot->exists = true;
  if (std::filesystem::is_directory(path, ec)) {
    slot->error = "it is a folder";
    return *slot;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    slot->error = std::strerror(errno);
    return *slot;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (ext == ".yml" || ext == ".yaml" || ext == ".json" || ext == ".tfstate") {
    std::size_t before = m_diags.error_count();
    slot->doc = parse_document(text.str(), display, m_sources, m_diags);
    slot->ok = m_diags.error_count() == before;
  } else {
    // Any other file is plain text, as in the framework (a certificate, a template).
    m_sources.add(display, text.str());
    slot->doc = Value(text.str());
    slot->doc.mark = Mark{display, 1, 1};
    slot->ok = true;
  }
  return *slot;
}

Outcome Resolver::source_str_to_bool(const Variable& var, const std::vector<Value>& params,
                                     const Site& site) {
  if (params.empty() || params[0].is_null()) {
    m_diags.error(site.mark, site.path, var.text + " needs a value: ${strToBool(true)}");
    return Outcome::failed();
  }
  const std::string raw =
      params[0].is_scalar() ? params[0].to_text() : std::string(kind_name(params[0].kind()));
  const std::string v = lower(trim(raw));
  if (params[0].is_scalar() && (v == "true" || v == "1")) return Outcome::found(Value(true));
  if (params[0].is_scalar() && (v == "false" || v == "0")) return Outcome::found(Value(false));
  m_diags.error(site.mark, site.path,
                var.text + " cannot be resolved: strToBool takes true, false, 0 or 1, not '" + raw + "'");
  return Outcome::failed();
}

// ssm, cf and s3 read a cloud account; stratus works offline, so only a fallback gives a value.
Outcome Resolver::source_cloud(const Source& src, const std::optional<std::string>& address) {
  Outcome o = Outcome::missing("", "");
  o.cloud = src.type == "ssm"  ? "AWS Systems Manager"
            : src.type == "cf" ? "CloudFormation stack outputs"
                               : "Amazon S3";
  o.reason = "stratus does not read " + o.cloud;
  o.param_name = param_name_for(address.value_or(""));
  return o;
}

}  // namespace stratus::manifest::vars
