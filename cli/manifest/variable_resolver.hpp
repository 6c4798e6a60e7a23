#pragma once
// Internal to variables.cpp and variable_sources.cpp: the state of one resolve_variables() run.
// Everyone else uses variables.hpp.
//
// Values are resolved lazily and memoised per node: the walk over the manifest resolves each
// string it meets, and a ${self:} reference resolves the subtree it points at first, so the
// order of keys never matters. A node being resolved that is reached again is a cycle. Only
// strings are ever replaced (by their result), and no map entry or sequence item is added or
// removed, so node addresses stay valid as keys for the whole run.
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "cli/manifest/diagnostics.hpp"
#include "cli/manifest/value.hpp"
#include "cli/manifest/variable_syntax.hpp"
#include "cli/manifest/variables.hpp"

namespace stratus::manifest::vars {

// The string that holds the variable being evaluated: where errors are reported.
struct Site {
  Mark mark;
  std::string path;
};

// What evaluating a source (or a whole variable) gave.
struct Outcome {
  enum class Kind { Found, Missing, Failed };
  Kind kind = Kind::Failed;
  Value value;             // Found
  std::string reason;      // Missing: why, e.g. "environment variable 'X' is not set"
  std::string fix;         // Missing: what to do besides a fallback, e.g. "set it"; may be empty
  bool suggested = false;  // Missing: reason already carries a did-you-mean, which is the fix
  std::string cloud;       // Missing from ssm/cf/s3: the AWS service stratus does not read
  std::string param_name;  // ...and the --param name to suggest instead

  static Outcome found(Value v) { return {Kind::Found, std::move(v), {}, {}, false, {}, {}}; }
  static Outcome failed() { return {}; }
  static Outcome missing(std::string reason, std::string fix) {
    return {Kind::Missing, {}, std::move(reason), std::move(fix), false, {}, {}};
  }
};

// A document values can be taken from: the manifest, or a file read by ${file()}.
struct Doc {
  Value* root = nullptr;
  std::string file;  // empty for the manifest; the display name of a ${file()} document

  // How a place in it is named in messages: "custom.a" or "file(config.yml):db.url".
  std::string where(const std::string& path) const;
};

class Resolver {
 public:
  Resolver(Value& root, const VariableContext& ctx, Sources& sources, Diagnostics& diags);

  void run();
  // The stage and region in effect (see effective_stage); nullopt when provider.stage (or
  // provider.region) failed to resolve, which has been reported already.
  std::optional<std::string> stage();
  std::optional<std::string> region();

 private:
  enum class State { Resolving, Done, Failed };
  struct Frame {
    std::string where;  // a resolving string, or the target of a reference
    bool reference = false;
    const Value* node = nullptr;
    Site site;
  };
  struct Lookup {
    Outcome::Kind kind = Outcome::Kind::Failed;
    const Value* node = nullptr;
    std::string suggestion;  // Missing: the closest existing path, when one is close
  };
  struct FileEntry {
    bool exists = false;
    bool ok = false;        // read and parsed without errors
    std::string error;      // why it could not be read
    bool reported = false;  // ...said once, however often it is referenced
    Value doc;
  };

  // variables.cpp: the walk, strings, templates, lookups, cycles.
  bool resolve_tree(Value& v, const Doc& doc, const std::string& path);
  bool resolve_string(Value& v, const Doc& doc, const std::string& path);
  std::optional<Value> eval_template(const Parsed& p, const Template& t, const Site& site);
  Outcome eval_variable(const Parsed& p, int index, const Site& site, bool report_missing);
  // With Target::Raw, a map or sequence found is returned as written (its variables unresolved):
  // ${file()} content is substituted first and resolved in place afterwards, as the Serverless
  // Framework does, so it may refer back into the very key it is substituted at.
  enum class Target { Resolved, Raw };
  Lookup lookup(const Doc& doc, const std::vector<std::string>& segments, Target target = Target::Resolved);
  std::optional<std::string> stage_like(const char* option, const char* key, const char* fallback,
                                        std::optional<std::optional<std::string>>& memo);
  void report_cycle(const Value* node);
  void report_missing(const Variable& var, const std::vector<Outcome>& missing, const Site& site);
  // Copies a referenced value, counting it against the expansion budget.
  Outcome copy_of(const Value& v, const Variable& var, const Site& site);

  // variable_sources.cpp: one function per source.
  Outcome eval_source(const Parsed& p, const Variable& var, const Source& src, const Site& site);
  Outcome source_self(const Variable& var, const std::optional<std::string>& address, const Site& site);
  Outcome source_opt(const std::optional<std::string>& address);
  Outcome source_env(const Variable& var, const std::optional<std::string>& address, const Site& site);
  Outcome source_sls(const Variable& var, const std::optional<std::string>& address, const Site& site);
  Outcome source_aws(const Variable& var, const std::optional<std::string>& address, const Site& site);
  Outcome source_param(const Variable& var, const std::optional<std::string>& address, const Site& site);
  Outcome source_file(const Variable& var, const Source& src, const std::vector<Value>& params,
                      const std::optional<std::string>& address, const Site& site);
  Outcome source_str_to_bool(const Variable& var, const std::vector<Value>& params, const Site& site);
  Outcome source_cloud(const Source& src, const std::optional<std::string>& address);
  FileEntry& read_file(const std::filesystem::path& path, const std::string& display, const std::string& ext);

  Value& m_root;
  const VariableContext& m_ctx;
  Sources& m_sources;
  Diagnostics& m_diags;
  Doc m_main;
  std::string m_manifest_name;
  std::unordered_map<const Value*, State> m_state;
  std::vector<Frame> m_frames;
  std::map<std::string, std::unique_ptr<FileEntry>> m_files;
  std::optional<std::optional<std::string>> m_stage, m_region;
  bool m_raw_pending = false;  // the value just evaluated holds unresolved ${file()} content
  std::size_t m_budget_used = 0;
  bool m_budget_reported = false;
};

}  // namespace stratus::manifest::vars
