#pragma once
// Serverless Framework v3 variables: ${self:a.b}, ${opt:x}, ${env:X}, ${sls:stage},
// ${sls:instanceId}, ${aws:region}, ${aws:accountId}, ${param:k}, ${file(./f.yml):a.b},
// ${strToBool(...)}, comma fallbacks ('str', "str", 12, true, null, or another variable, with or
// without ${}), nesting (${env:${opt:stage}_URL}), interpolation inside strings, and whole-value
// substitution (a string that is exactly one variable takes the referenced value's type).
// ${ssm:}, ${cf:}, ${s3:} need a cloud account: they take their fallback, else are an error that
// names the variable, where it is used and how to supply the value.
//
// What the syntax is (and which `${...}` are left alone, such as Fn::Sub's ${AWS::Region}) is in
// variable_syntax.hpp. Behaviour worth knowing, checked against the framework's v3 sources:
// - Values only, never keys; anywhere in the document, sequences and resources included.
// - A source that has no value (unset env var, absent option or path, missing file) moves on to
//   the next fallback; an error (bad syntax, unknown source, a .js file, strToBool(yes)) does not.
//   A `null` fallback is allowed and gives null. An env var set to "" counts as unset.
// - ${self:} references are resolved lazily and memoised, so key order never matters; a cycle is
//   reported as `variable cycle: custom.a -> custom.b -> custom.a; ...`. ${self:provider.stage}
//   and ${self:provider.region} give the effective stage / region when those keys are absent, as
//   old manifests writing ${opt:stage, self:provider.stage} mean.
// - ${param:k}: --param, then params.<stage>.k, then params.default.k.
// - ${file(path):address}: path relative to service_dir (../ allowed); .yml/.yaml/.json/.tfstate
//   are parsed (each file once per run) and their own variables resolve in the context of the
//   manifest, only in the part that is used; values keep their marks in that file. .js/.cjs/
//   .mjs/.ts files are an error (stratus runs no JavaScript); any other file is plain text, as
//   in the framework. A missing file or address takes the fallback.
// - Values coming from outside the documents (options, env, --param) are not parsed again for
//   variables.
// - A string that is exactly one variable becomes the value with its type, and the string's mark;
//   the values inside keep theirs. In a longer string, numbers and booleans are written as text;
//   objects, arrays and null are an error.
// - A backslash before `$` (\${...}) leaves the variable as text, backslash included.
// - Bounded: nesting (32), chains of references (128 frames), total copied values (500,000) and
//   the length of a built string (4 MiB). Hostile input ends in an error, never a hang or crash.
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
  std::string instance_id;                     // ${sls:instanceId}, as given (random per run)
  std::string account_id;                      // ${aws:accountId}; empty = unknown (fallback or error)
};

// Resolves every variable in root, in place. Each problem (unknown source, missing value with no
// fallback, cycle, bad syntax, unreadable file) is added to diags with the mark of the string that
// holds the variable and the dotted path of that string ("file(x.yml):a.b" inside a ${file()}
// document); resolution goes on with the next one so that all problems are reported at once, and
// a string whose variable failed keeps its original text. Files read by ${file()} are added to
// sources. When root sets useDotenv: true, `.env.<stage>` (else `.env`) from service_dir is
// loaded into the environment seen by ${env:} first (see dotenv.hpp; a variable already in
// ctx.env wins; the stage is the effective one).
void resolve_variables(Value& root, VariableContext ctx, Sources& sources, Diagnostics& diags);

// The stage in effect: --stage, else provider.stage (once resolved), else "dev".
// The region likewise: --region, else provider.region, else "us-east-1".
std::string effective_stage(const Value& root, const VariableContext& ctx);
std::string effective_region(const Value& root, const VariableContext& ctx);

}  // namespace stratus::manifest
