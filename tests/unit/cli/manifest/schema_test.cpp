// The validator in cli/manifest/schema.cpp: the official JSON-Schema-Test-Suite (draft 7),
// every case of every file minus an explicit list of what it does not implement; then the exact
// text of its messages, and its behaviour on malformed schemas and hostile input.
#include "cli/manifest/schema.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "cli/manifest/json_value.hpp"
#include "cli/manifest/load.hpp"
#include "tests/support/parse.hpp"

namespace stratus::manifest {
namespace {

namespace fs = std::filesystem;

// Whole files left out, and why.
const std::set<std::string> kSkippedFiles = {
    "refRemote.json",    // remote refs (http://localhost:1234/...) and $id-based resolution
    "definitions.json",  // both groups $ref the remote draft-07 metaschema (http://json-schema.org/...)
};

// Groups (by file and description) left out, and why.
const std::set<std::pair<std::string, std::string>> kSkippedGroups = {
    {"ref.json", "remote ref, containing refs itself"},    // $ref to the remote draft-07 metaschema
    {"ref.json", "Recursive references between schemas"},  // resolves "node" / "tree" against $id
};

// nlohmann keeps JSON's distinctions exactly: a string "1" stays a string, 1.0 stays a float.
Value to_value(const nlohmann::json& j) {
  return value_from_json(j);
}

TEST(SchemaSuite, Draft7) {
  const fs::path dir = fs::path(JSON_SCHEMA_TEST_SUITE_DIR) / "tests" / "draft7";
  if (!fs::is_directory(dir)) GTEST_SKIP() << "JSON-Schema-Test-Suite not installed at " << dir;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.is_regular_file() && entry.path().extension() == ".json") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  ASSERT_GT(files.size(), 30u);

  int passed = 0, failed = 0, skipped = 0;
  // Plain draft 7: none of the Serverless-compatible leniencies.
  const SchemaOptions strict{
      .accept_cloudformation_intrinsics = false, .coerce_types = false, .null_means_absent = false};
  for (const auto& file : files) {
    const std::string name = file.filename().string();
    std::ifstream in(file);
    const nlohmann::json groups = nlohmann::json::parse(in);
    for (const auto& group : groups) {
      const std::string description = group["description"].get<std::string>();
      if (kSkippedFiles.count(name) || kSkippedGroups.count({name, description})) {
        skipped += static_cast<int>(group["tests"].size());
        continue;
      }
      std::optional<Schema> schema;
      try {
        schema.emplace(to_value(group["schema"]));
      } catch (const std::exception& e) {
        ADD_FAILURE() << name << ": " << description << ": schema did not compile: " << e.what();
        failed += static_cast<int>(group["tests"].size());
        continue;
      }
      for (const auto& test : group["tests"]) {
        std::vector<SchemaError> errors;
        const bool valid = schema->validate(to_value(test["data"]), errors, strict);
        const bool expected = test["valid"].get<bool>();
        // The verdict must agree with the suite, and errors must be reported exactly when invalid.
        if (valid == expected && errors.empty() == valid) {
          ++passed;
        } else {
          ++failed;
          ADD_FAILURE() << name << ": " << description << ": " << test["description"].get<std::string>()
                        << ": expected " << (expected ? "valid" : "invalid") << ", got "
                        << (valid ? "valid" : "invalid") << " with " << errors.size() << " error(s)"
                        << (errors.empty() ? "" : ": " + errors.front().message);
        }
      }
    }
  }
  std::cout << "JSON-Schema-Test-Suite draft7: " << passed << " cases passed, " << failed << " failed, "
            << skipped << " skipped\n";
  EXPECT_EQ(failed, 0);
  EXPECT_GT(passed, 350);
}

// --- messages: what a user reads ---------------------------------------------------------------

Value yaml(const std::string& text) {
  return test_support::parse_yaml(text);
}

std::vector<SchemaError> errors_of(const std::string& schema_yaml, const std::string& instance_yaml,
                                   const SchemaOptions& options = {}) {
  Schema schema(yaml(schema_yaml));
  std::vector<SchemaError> errors;
  bool ok = schema.validate(yaml(instance_yaml), errors, options);
  EXPECT_EQ(ok, errors.empty());
  return errors;
}

std::vector<std::string> messages_of(const std::string& schema_yaml, const std::string& instance_yaml,
                                     const SchemaOptions& options = {}) {
  std::vector<std::string> out;
  for (const auto& e : errors_of(schema_yaml, instance_yaml, options)) out.push_back(e.message);
  return out;
}

using Messages = std::vector<std::string>;

const char* kFunctionsSchema = R"(
type: object
properties:
  functions:
    type: object
    additionalProperties:
      type: object
      required: [handler]
      additionalProperties: false
      properties:
        handler: {type: string}
        timeout: {type: integer, minimum: 1, maximum: 900}
        memorySize: {type: integer}
        architecture: {enum: [x86_64, arm64]}
        events:
          type: array
          items:
            type: object
            minProperties: 1
            maxProperties: 1
            additionalProperties: false
            x-stratus-unknown-key: event type
            properties:
              httpApi: {type: [string, object]}
              sqs:
                anyOf:
                  - type: string
                  - type: object
                    properties:
                      arn: {type: string}
                      batchSize: {type: integer, minimum: 1, maximum: 10000}
)";

TEST(SchemaMessages, NumericRanges) {
  EXPECT_EQ(messages_of(kFunctionsSchema, "functions: {hello: {handler: h.main, timeout: 1200}}"),
            Messages{"functions.hello.timeout must be at most 900 (got 1200)"});
  EXPECT_EQ(messages_of(kFunctionsSchema, "functions: {hello: {handler: h.main, timeout: 0}}"),
            Messages{"functions.hello.timeout must be at least 1 (got 0)"});
  EXPECT_EQ(messages_of("exclusiveMinimum: 0\nexclusiveMaximum: 10\nmultipleOf: 4", "[12, 0, 10, 6]").size(),
            0u)
      << "non-numbers are ignored by numeric keywords";
  EXPECT_EQ(messages_of("{exclusiveMinimum: 0}", "0"),
            Messages{"the document must be greater than 0 (got 0)"});
  EXPECT_EQ(messages_of("{exclusiveMaximum: 10}", "10.5"),
            Messages{"the document must be less than 10 (got 10.5)"});
  EXPECT_EQ(messages_of("{multipleOf: 4}", "6"), Messages{"the document must be a multiple of 4 (got 6)"});
}

TEST(SchemaMessages, TypeNamesTheKindAndValue) {
  const std::string s = "properties: {provider: {properties: {memorySize: {type: integer}}}}";
  EXPECT_EQ(messages_of(s, "provider: {memorySize: big}"),
            Messages{"provider.memorySize must be an integer (got string 'big')"});
  EXPECT_EQ(messages_of(s, "provider: {memorySize: 1.5}"),
            Messages{"provider.memorySize must be an integer (got number 1.5)"});
  EXPECT_TRUE(messages_of(s, "provider: {memorySize: 1024.0}").empty()) << "an integral float is an integer";
  EXPECT_EQ(messages_of(s, "provider: {memorySize: '1024'}", SchemaOptions{.coerce_types = false}),
            Messages{"provider.memorySize must be an integer (got string '1024')"})
      << "a quoted scalar stays a string";
  EXPECT_EQ(messages_of("{type: [string, number, boolean]}", "[1]"),
            Messages{"the document must be a string, a number or a boolean (got array)"});
  EXPECT_EQ(messages_of("{type: object}", "~"), Messages{"the document must be an object (got null)"});
}

TEST(SchemaMessages, EnumSuggestsTheClosestValue) {
  EXPECT_EQ(
      messages_of(R"(properties: {provider: {properties: {architecture: {enum: [x86_64, arm64]}}}})",
                  "provider: {architecture: arm}"),
      Messages{"provider.architecture must be one of: x86_64, arm64 (got 'arm'; did you mean 'arm64'?)"});
  EXPECT_EQ(
      messages_of("{enum: [python3.12, python3.13, nodejs22.x]}", "nodejs"),
      Messages{"the document must be one of: python3.12, python3.13, nodejs22.x (got 'nodejs'; did you mean "
               "'nodejs22.x'?)"});
  EXPECT_EQ(messages_of("{enum: [python3.12, python3.13]}", "python"),
            Messages{"the document must be one of: python3.12, python3.13 (got 'python')"})
      << "a prefix of several values suggests none";
  EXPECT_EQ(messages_of("{enum: [1, 2, null]}", "3"),
            Messages{"the document must be one of: 1, 2, null (got 3)"});
  EXPECT_EQ(messages_of("{enum: [a, b, c, d]}", "zzz"),
            Messages{"the document must be one of: a, b, c, d (got 'zzz')"});
  EXPECT_EQ(messages_of("{const: '*'}", "x"), Messages{"the document must be '*' (got 'x')"});
}

TEST(SchemaMessages, MissingRequiredKeys) {
  EXPECT_EQ(messages_of(kFunctionsSchema, "functions: {hello: {timeout: 3}}"),
            Messages{"functions.hello is missing required key 'handler'"});
  EXPECT_EQ(messages_of("{required: [service, provider]}", "provider: {}"),
            Messages{"missing required top-level key 'service'"});
  EXPECT_EQ(messages_of("{dependencies: {bar: [foo]}}", "{bar: 1}"),
            Messages{"the document is missing key 'foo' (required when 'bar' is present)"});
}

TEST(SchemaMessages, UnknownKeysAreMarkedAtTheKey) {
  auto errors = errors_of(kFunctionsSchema, "functions:\n  hello:\n    handler: h.main\n    handlr: x\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].kind, SchemaError::Kind::UnknownKey);
  EXPECT_EQ(errors[0].message, "unknown key 'handlr' in functions.hello (did you mean 'handler'?)");
  EXPECT_EQ(errors[0].path, "functions.hello.handlr");
  EXPECT_EQ(errors[0].mark.line, 4);
  EXPECT_EQ(errors[0].mark.column, 5);

  auto top = errors_of("{properties: {service: {}, provider: {}}, additionalProperties: false}",
                       "service: a\nprovider: {}\nservce: b\n");
  ASSERT_EQ(top.size(), 1u);
  EXPECT_EQ(top[0].kind, SchemaError::Kind::UnknownKey);
  EXPECT_EQ(top[0].message, "unknown top-level key 'servce' (did you mean 'service'?)");
  EXPECT_EQ(top[0].mark.line, 3);
  EXPECT_EQ(top[0].mark.column, 1);
  EXPECT_EQ(messages_of("{properties: {service: {}}, additionalProperties: false}", "zzzzzz: 1"),
            Messages{"unknown top-level key 'zzzzzz'"});
}

TEST(SchemaMessages, VendorUnknownKeyNounIsAnError) {
  auto errors = errors_of(kFunctionsSchema, "functions: {hello: {handler: h, events: [{htpApi: 'GET /'}]}}");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].kind, SchemaError::Kind::Other);
  EXPECT_EQ(errors[0].message, "unknown event type 'htpApi' (did you mean 'httpApi'?)");
  EXPECT_EQ(errors[0].path, "functions.hello.events.0.htpApi");
  EXPECT_EQ(messages_of(kFunctionsSchema, "functions: {hello: {handler: h, events: [{}]}}"),
            Messages{"functions.hello.events.0 must have at least 1 key (got 0 keys)"});
}

TEST(SchemaMessages, AnyOfReportsTheBestBranch) {
  // An object given to a string-or-object: the object branch's own errors, with array paths.
  EXPECT_EQ(messages_of(kFunctionsSchema,
                        "functions: {hello: {handler: h, events: [{sqs: {arn: q, batchSize: 20000}}]}}"),
            Messages{"functions.hello.events.0.sqs.batchSize must be at most 10000 (got 20000)"});
  // Every branch fails on type: one message naming the types.
  EXPECT_EQ(messages_of(kFunctionsSchema, "functions: {hello: {handler: h, events: [{sqs: [1]}]}}"),
            Messages{"functions.hello.events.0.sqs must be a string or an object (got array)"});
  // Nested anyOf type failures merge too.
  EXPECT_EQ(messages_of("anyOf: [{type: string}, {anyOf: [{type: integer}, {type: boolean}]}]", "{}"),
            Messages{"the document must be a string, an integer or a boolean (got object)"});
  // The branch that got furthest wins over one that failed at the top.
  const char* forms = R"(
oneOf:
  - {type: object, required: [issuerUrl, audience], properties: {type: {const: jwt}}}
  - {type: object, required: [type], properties: {type: {const: request}, ttl: {type: integer}}}
)";
  EXPECT_EQ(messages_of(forms, "{type: request, ttl: soon}"),
            Messages{"ttl must be an integer (got string 'soon')"});
  EXPECT_EQ(
      messages_of("oneOf: [{type: integer}, {minimum: 2}]", "3"),
      Messages{
          "the document must match exactly one of the allowed forms (got a value that matches 2 of them)"});
}

TEST(SchemaMessages, VendorMessageReplacesThePredicate) {
  const char* s = R"(
properties:
  service:
    anyOf:
      - type: string
        pattern: "^[a-zA-Z0-9-]+$"
        x-stratus-message: must contain only letters, digits and hyphens
      - type: object
  env:
    anyOf: [{type: string}, {type: number}]
    x-stratus-message: must be a string or a number, never a list
)";
  EXPECT_EQ(messages_of(s, "service: my service"),
            Messages{"service must contain only letters, digits and hyphens (got 'my service')"});
  EXPECT_EQ(messages_of(s, "env: [1]"),
            Messages{"env must be a string or a number, never a list (got array)"});
  EXPECT_EQ(messages_of("{pattern: '^a+$'}", "bab"),
            Messages{"the document must match the pattern ^a+$ (got 'bab')"});
  // Structural failures keep their own words.
  EXPECT_EQ(messages_of("{type: object, required: [arn], x-stratus-message: must be a queue}", "{}"),
            Messages{"missing required top-level key 'arn'"});
  EXPECT_EQ(messages_of("{type: object, x-stratus-message: must be a queue}", "[]"),
            Messages{"the document must be a queue (got array)"});
}

TEST(SchemaMessages, StringLengthsCountCodePoints) {
  EXPECT_TRUE(messages_of("{maxLength: 2}", "'é€'").empty());
  EXPECT_EQ(messages_of("{maxLength: 2}", "'é€x'"),
            Messages{"the document must be at most 2 characters long (got 3 characters)"});
  EXPECT_EQ(messages_of("{minLength: 1}", "''"),
            Messages{"the document must be at least 1 character long (got '')"});
}

TEST(SchemaMessages, ArraysAndKeys) {
  EXPECT_EQ(messages_of("{minItems: 1}", "[]"), Messages{"the document must have at least 1 item (got 0)"});
  EXPECT_EQ(messages_of("{maxItems: 1}", "[1, 2]"),
            Messages{"the document must have at most 1 item (got 2)"});
  EXPECT_EQ(messages_of("{items: [{type: string}], additionalItems: false}", "[a, b]"),
            Messages{"the document must have at most 1 item (got 2)"});
  auto dup = errors_of("properties: {layers: {uniqueItems: true}}", "layers:\n  - a\n  - b\n  - a\n");
  ASSERT_EQ(dup.size(), 1u);
  EXPECT_EQ(dup[0].message, "layers must not contain duplicates (got item 2 repeats item 0)");
  EXPECT_EQ(dup[0].mark.line, 4);
  EXPECT_EQ(messages_of("{contains: {type: integer}}", "[a]"),
            Messages{"the document must contain at least one matching item"});
  EXPECT_EQ(
      messages_of("properties: {functions: {propertyNames: {pattern: '^[a-z]+$'}}}", "functions: {Hello: 1}"),
      Messages{"key 'Hello' in functions must match the pattern ^[a-z]+$ (got 'Hello')"});
  EXPECT_EQ(messages_of("properties: {a: false}", "a: 1"), Messages{"a is not allowed"});
  EXPECT_EQ(messages_of("not: {type: string}", "x"),
            Messages{"the document must not match the schema at #/not (got 'x')"});
}

TEST(SchemaMessages, IfThenElse) {
  const char* s = "if: {properties: {method: {const: scheduler}}}\nthen: {required: [roleArn]}";
  EXPECT_EQ(messages_of(s, "method: scheduler"), Messages{"missing required top-level key 'roleArn'"});
  EXPECT_TRUE(messages_of(s, "method: eventBus").empty());
}

TEST(SchemaOptions, ScalarsAreCoercedAsTheServerlessFrameworkDoes) {
  // Values from ${env:...} or ${param:...} arrive as strings.
  EXPECT_TRUE(
      messages_of(kFunctionsSchema, "functions: {hello: {handler: h, timeout: '30', memorySize: '1024'}}")
          .empty());
  EXPECT_EQ(messages_of(kFunctionsSchema, "functions: {hello: {handler: h, timeout: '1200'}}"),
            Messages{"functions.hello.timeout must be at most 900 (got '1200')"});
  EXPECT_EQ(messages_of(kFunctionsSchema, "functions: {hello: {handler: h, timeout: '2.5'}}"),
            Messages{"functions.hello.timeout must be an integer (got string '2.5')"});
  EXPECT_EQ(messages_of(kFunctionsSchema, "functions: {hello: {handler: h, timeout: ' 30'}}"),
            Messages{"functions.hello.timeout must be an integer (got string ' 30')"});
  EXPECT_TRUE(messages_of("{type: string, pattern: '^[0-9]+$'}", "3").empty());
  EXPECT_EQ(messages_of("{type: string, enum: ['1.0', '2.0']}", "2.5"),
            Messages{"the document must be one of: 1.0, 2.0 (got 2.5; did you mean '2.0'?)"});
  EXPECT_TRUE(messages_of("{type: boolean}", "'true'").empty());
  EXPECT_EQ(messages_of("{type: boolean}", "'yes'"),
            Messages{"the document must be a boolean (got string 'yes')"});
  EXPECT_TRUE(messages_of("{type: array, items: {type: string}, minItems: 1}", "'!node_modules/**'").empty());
  EXPECT_EQ(messages_of("{type: string}", "[a]"), Messages{"the document must be a string (got array)"})
      << "a one-item array is not unwrapped";
  EXPECT_EQ(messages_of("{type: string}", "~"), Messages{"the document must be a string (got null)"});
}

TEST(SchemaOptions, NullEntriesCountAsAbsent) {
  EXPECT_TRUE(messages_of(kFunctionsSchema, "functions:\n  hello:\n    handler: h\n    timeout:\n").empty());
  EXPECT_EQ(messages_of(kFunctionsSchema, "functions:\n  hello:\n    handler:\n"),
            Messages{"functions.hello is missing required key 'handler'"});
  EXPECT_EQ(messages_of(kFunctionsSchema, "functions:\n  hello:\n    handler: h\n    timeout:\n",
                        SchemaOptions{.null_means_absent = false}),
            Messages{"functions.hello.timeout must be an integer (got null)"});
}

TEST(SchemaOptions, CloudFormationIntrinsicsSatisfyAnySchema) {
  const std::string s = "properties: {timeout: {type: integer}, arn: {type: string, pattern: '^arn:'}}";
  EXPECT_TRUE(messages_of(s, "timeout: {Ref: Timeout}\narn: {'Fn::GetAtt': [Queue, Arn]}").empty());
  EXPECT_TRUE(messages_of(s, "arn: !GetAtt Queue.Arn").empty());
  EXPECT_EQ(
      messages_of(s, "timeout: {Ref: Timeout}", SchemaOptions{.accept_cloudformation_intrinsics = false}),
      Messages{"timeout must be an integer (got object)"});
  EXPECT_EQ(messages_of(s, "timeout: {Ref: A, Other: B}"),
            Messages{"timeout must be an integer (got object)"});
}

// --- robustness: malformed schemas and hostile input ---------------------------------------------

std::string compile_error(const std::string& schema_yaml) {
  try {
    Schema s(yaml(schema_yaml));
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST(SchemaCompile, MalformedSchemasThrowWithThePointer) {
  EXPECT_EQ(compile_error("properties: {a: {type: strin}}"),
            "invalid schema at #/properties/a: unknown type 'strin'");
  EXPECT_EQ(compile_error("properties: {a: {pattern: '(['}}"),
            compile_error("properties: {a: {pattern: '(['}}"));  // deterministic
  EXPECT_EQ(compile_error("properties: {a: {pattern: '(['}}")
                .rfind("invalid schema at #/properties/a: invalid regular expression '([': ", 0),
            0u);
  EXPECT_EQ(compile_error("{$ref: '#/definitions/nope'}"),
            "invalid schema at #: $ref '#/definitions/nope' points at nothing in the schema");
  EXPECT_EQ(compile_error("{$ref: 'http://example.com/s.json'}"),
            "invalid schema at #: $ref 'http://example.com/s.json' is not local; only '#...' references are "
            "supported");
  EXPECT_EQ(compile_error("{$ref: '#foo'}"),
            "invalid schema at #: $ref '#foo' names an $id anchor; only JSON pointers are supported");
  EXPECT_EQ(compile_error("{minLength: -1}"),
            "invalid schema at #: minLength must be a non-negative integer");
  EXPECT_EQ(compile_error("{anyOf: []}"), "invalid schema at #: anyOf must be a non-empty array");
  EXPECT_EQ(compile_error("[1]"), "invalid schema at #: a schema must be an object or a boolean, not array");
  EXPECT_EQ(compile_error("{multipleOf: 0}"), "invalid schema at #: multipleOf must be greater than 0");
}

TEST(SchemaCompile, RefsUseEscapedPointers) {
  EXPECT_TRUE(messages_of("{$defs: {'a/b~c%d': {type: string}}, $ref: '#/$defs/a~1b~0c%25d'}", "x").empty());
  EXPECT_EQ(messages_of("{$defs: {'a/b~c%d': {type: string}}, $ref: '#/$defs/a~1b~0c%25d'}", "[1]"),
            Messages{"the document must be a string (got array)"});
}

TEST(SchemaRobustness, RefLoopsWithoutInputAreReportedNotFollowed) {
  EXPECT_EQ(messages_of("{definitions: {a: {$ref: '#/definitions/b'}, b: {$ref: '#/definitions/a'}}, "
                        "$ref: '#/definitions/a'}",
                        "1"),
            Messages{"the document cannot be checked: the schema's $ref '#/definitions/a' loops on itself"});
  EXPECT_FALSE(messages_of("allOf: [{$ref: '#'}]", "1").empty());
  EXPECT_FALSE(messages_of("anyOf: [{type: string}, {$ref: '#'}]", "[1]").empty());
  // Recursion that consumes input is fine.
  EXPECT_TRUE(messages_of("{type: array, items: {$ref: '#'}}", "[[[], [[]]]]").empty());
}

TEST(SchemaRobustness, DeepInstancesAndLongStringsDoNotCrash) {
  Value deep = Value::sequence();
  for (int i = 0; i < 5000; ++i) {
    Value outer = Value::sequence();
    outer.push_back(std::move(deep));
    deep = std::move(outer);
  }
  Schema recursive(yaml("{type: array, items: {$ref: '#'}}"));
  std::vector<SchemaError> errors;
  EXPECT_FALSE(recursive.validate(deep, errors));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("nests too deeply to be checked"), std::string::npos);

  // As deep as the loader allows: still checked in full.
  Value legit = Value::sequence();
  for (int i = 0; i < 200; ++i) {
    Value outer = Value::sequence();
    outer.push_back(std::move(legit));
    legit = std::move(outer);
  }
  errors.clear();
  EXPECT_TRUE(recursive.validate(legit, errors));

  Schema pattern(yaml("{pattern: '^(a|b)*$'}"));
  errors.clear();
  EXPECT_FALSE(pattern.validate(Value(std::string(200000, 'a')), errors));
  EXPECT_EQ(errors.at(0).message,
            "the document is too long to check against the pattern ^(a|b)*$ (got 200000 characters)");
  errors.clear();
  EXPECT_TRUE(pattern.validate(Value(std::string(2000, 'a')), errors));
}

}  // namespace
}  // namespace stratus::manifest
