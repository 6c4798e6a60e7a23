#pragma once
// The syntax of Serverless Framework v3 variables, parsed out of one string value.
//
//   "arn:${sls:stage}-${self:custom.x, 'def'}"  ->  text "arn:", variable 0, "-", variable 1
//
// A variable is `${` + a source + `}`. A source is `type`, optionally `(params)`, optionally
// `:address` (`self:custom.x`, `file(./a.yml):key`, `strToBool(true)`); fallbacks follow after
// commas and are quoted text ('a' or "a"), a number, true, false, null, another source without
// `${}` (old style `self:provider.stage`) or a nested `${...}`. Params and addresses may hold
// variables themselves (`${env:${opt:stage}_URL}`).
//
// Like the framework, `${` only starts a variable when a lowercase type follows directly and is
// followed by `:` or `(`; anything else (`${AWS::Region}`, `${MyBucket}`, `${Bucket.Arn}`, `${ x}`)
// is text, so CloudFormation Fn::Sub placeholders pass through. A backslash before `$` keeps that
// `$` as text (the backslash stays too).
#include <string>
#include <string_view>
#include <vector>

#include "cli/manifest/value.hpp"

namespace stratus::manifest::vars {

// Characters, or the variable at index `variable` of the enclosing Parsed.
struct Part {
  std::string text;
  int variable = -1;
};

struct Template {
  std::vector<Part> parts;

  // The template is exactly one variable and nothing else.
  bool whole() const { return parts.size() == 1 && parts[0].variable >= 0; }
  bool has_variables() const;
};

struct Source {
  enum class Kind { Literal, Reference, Nested };
  Kind kind = Kind::Literal;
  Value literal;                 // Literal: the fallback value
  std::string type;              // Reference: self, opt, env, file, strToBool, ssm, ...
  std::string qualifier;         // Reference: legacy `cf.us-east-1:...` gives "us-east-1"
  bool has_params = false;       // Reference: `type(...)` was written
  std::vector<Template> params;  // Reference: trimmed, quotes removed
  bool has_address = false;      // Reference: `type:...` was written
  Template address;              // Reference: trimmed (may be empty: `${self:}`)
  int nested = -1;               // Nested: index of the `${...}` used as this fallback
};

struct Variable {
  std::string text;             // as written, e.g. "${opt:stage, 'dev'}"
  std::vector<Source> sources;  // the first source, then the fallbacks in order
};

struct Parsed {
  Template text;
  std::vector<Variable> variables;  // nested ones included; parts refer to them by index
  std::string error;                // non-empty: the syntax is wrong and nothing else is set
};

// Nesting deeper than this is a syntax error (a real manifest nests two or three levels).
inline constexpr int kMaxNesting = 32;

// True when text may hold a variable (it contains "${"); a cheap test before parse().
bool may_have_variables(std::string_view text);

Parsed parse(std::string_view text);

}  // namespace stratus::manifest::vars
