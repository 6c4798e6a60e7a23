#pragma once
// A JSON Schema (draft 7) validator over Value trees, written here. It drives manifest
// validation against schemas/serverless.schema.json and is checked against the official
// JSON-Schema-Test-Suite for the keywords it implements.
// Every draft-7 validation keyword is implemented; `format` is an annotation only (never fails).
// $ref resolves local JSON pointers ("#", "#/definitions/x", "#/$defs/x", ~0 ~1 and %-escapes);
// remote refs and $id-based resolution are not supported (the constructor throws). Vendor
// keywords shape the messages: "x-stratus-message" replaces the "must ..." part of the failures
// of its schema; "x-stratus-unknown-key": "event type" on an object schema with
// additionalProperties false turns "unknown key 'x' in y" into "unknown event type 'x'" (Kind::Other).
#include <memory>
#include <string>
#include <vector>

#include "cli/manifest/value.hpp"

namespace stratus::manifest {

struct SchemaError {
  // UnknownKey and Lenient findings follow configValidationMode (warn, error or off);
  // Lenient marks values a schema flags with "x-stratus-lenient": true (e.g. a runtime AWS has retired).
  enum class Kind { UnknownKey, Lenient, Other };
  Kind kind = Kind::Other;
  std::string path;  // dotted instance path of the offending value ("functions.hello.timeout"), "" = root
  Mark mark;         // the value's mark; for UnknownKey, the key's mark
  std::string
      message;  // a complete sentence fragment, e.g. "functions.hello.timeout must be at most 900 (got 1200)"
};

struct SchemaOptions {
  // An object with exactly one key that is "Ref", "Condition" or starts with "Fn::" satisfies any
  // schema: CloudFormation intrinsics are resolved by AWS, never rejected by us.
  bool accept_cloudformation_intrinsics = true;
  // Scalars are read the way the Serverless Framework's validator (ajv with coerceTypes "array")
  // reads them, so a value that came from ${env:...} as "30" still satisfies `type: integer`:
  // a numeric string satisfies number/integer, a number or boolean satisfies string, "true"/"false"
  // (and 0/1) satisfy boolean, and a single scalar satisfies array as a one-item array. The
  // remaining keywords then check the converted value.
  // Nothing in the instance is rewritten: whoever reads the value must convert it the same way.
  bool coerce_types = true;
  // A map entry whose value is null (`key:` with nothing after it) counts as absent, since the
  // Serverless Framework drops such entries before validating.
  bool null_means_absent = true;
};

class Schema {
 public:
  // Compiles a schema document; throws std::invalid_argument with a message for a malformed one.
  // Regular expressions are built now (and a bad one is reported) unless Patterns::Lazy asks to
  // build each on its first use, for a trusted schema whose patterns a test has checked.
  enum class Patterns { Eager, Lazy };
  explicit Schema(const Value& document, Patterns patterns = Patterns::Eager);
  ~Schema();
  Schema(Schema&&) noexcept;
  Schema& operator=(Schema&&) noexcept;

  // Appends every violation found in instance to errors; true when there was none.
  bool validate(const Value& instance, std::vector<SchemaError>& errors,
                const SchemaOptions& options = {}) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

// The embedded schemas/serverless.schema.json, compiled once.
const Schema& serverless_schema();

}  // namespace stratus::manifest
