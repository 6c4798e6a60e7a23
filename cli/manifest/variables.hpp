#pragma once
// Serverless Framework v3 variables: ${self:a.b}, ${opt:x}, ${env:X}, ${sls:stage},
// ${sls:instanceId}, ${aws:region}, ${aws:accountId}, ${param:k}, ${file(./f.yml):a.b},
// ${strToBool(...)}, comma fallbacks ('str', "str", 12, true, null, or another variable, with or
// without ${}), nesting (${env:${opt:stage}_URL}), interpolation inside strings, and whole-value
// substitution (a string that is exactly one variable takes the referenced value's type).
// ${ssm:}, ${cf:}, ${s3:} need a cloud account: they take their fallback, else are an error that
// names the variable, where it is used and how to supply the value.
#include <filesystem>
#include <map>
#include <string>

#include "cli/manifest/diagnostics.hpp"
#include "cli/manifest/value.hpp"

namespace stratus::manifest {

struct VariableContext {
  std::filesystem::path service_dir;           // ${file(...)} and .env paths are relative to it
  std::map<std::string, std::string> options;  // ${opt:name}: command-line options (stage, region, ...)
  std::map<std::string, std::string> params;   // --param k=v; ${param:k} looks here first
  std::map<std::string, std::string> env;      // the process environment; .env values are added by
                                               // resolve_variables when useDotenv is set
  std::string instance_id;                     // ${sls:instanceId}
  std::string account_id;                      // ${aws:accountId}; empty = unknown (fallback or error)
};

// Resolves every variable in root, in place. Each problem (unknown source, missing value with no
// fallback, cycle, bad syntax, unreadable file) is added to diags with the mark of the string that
// holds the variable and the dotted path of that string; resolution goes on with the next one so
// that all problems are reported at once. Files read by ${file()} are added to sources.
// When root sets useDotenv: true, .env files from service_dir are loaded into the environment
// seen by ${env:} first (a variable already in ctx.env wins).
void resolve_variables(Value& root, VariableContext ctx, Sources& sources, Diagnostics& diags);

// The stage in effect: --stage, else provider.stage (once resolved), else "dev".
// The region likewise: --region, else provider.region, else "us-east-1".
std::string effective_stage(const Value& root, const VariableContext& ctx);
std::string effective_region(const Value& root, const VariableContext& ctx);

}  // namespace stratus::manifest
