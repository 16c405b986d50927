// JSON Schema validation (draft 7 keywords, via valijson) with every problem
// reported at a JSON pointer in the validated document.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/schema/yaml_json.hpp"

namespace daoctl::schema {

// One thing wrong with a document: where (a JSON pointer into the validated
// document, "" for the document itself) and what, in words.
struct Problem {
  std::string path;
  std::string message;
  // The problem is the member's key itself (an unknown key): it is reported
  // where the key is written, without the pointer, in the file's words.
  bool at_key = false;
  friend bool operator==(const Problem&, const Problem&) = default;
};

// "/policies/password/min_length: 4 is less than the minimum 8"; the document
// itself is shown as "(root)".
std::string to_string(const Problem& problem);

// "config.yaml:12:5: /policies/password/min_length: 4 is less than the minimum 8".
// The position is the node's own, or its nearest ancestor's when the node does
// not exist (a missing property); without any position just "config.yaml: ...".
// A problem at_key is "job.yaml:3:1: unknown key 'mappings' (did you mean
// 'mapping'?)" at the key's own line and column.
std::string format_problem(const Problem& problem, std::string_view file_name,
                           const SourceMap& positions);

struct CompileOptions {
  // Check "format": "date" (RFC 3339 full-date, a real calendar day) and
  // "date-time" (RFC 3339 date-time). Off: "format" is an annotation only.
  // Other formats are never checked. The check is a cached pattern, so it
  // costs one regex match per value.
  bool check_formats = false;
};

// A schema compiled once and applied to many documents. Cheap to copy (the
// compiled form is shared and immutable); validate() is safe to call from
// several threads.
class JsonSchemaValidator {
 public:
  // Compiles the schema found at `schema_pointer` in `document` ("" for the whole
  // document). References "#/..." are resolved against `document`, so a schema
  // inside an OpenAPI file may use "#/components/schemas/X" and a standalone
  // schema "#/$defs/X" or "#/definitions/X". `format` is an annotation only
  // unless `options.check_formats` (then date and date-time are checked). Errors (kind Validation): the pointer does not exist,
  // a $ref does not resolve, a keyword is malformed — naming the pointer.
  static Result<JsonSchemaValidator> compile(const nlohmann::json& document,
                                             std::string_view schema_pointer = "",
                                             CompileOptions options = {});

  // All problems of `instance`, in document order of discovery; empty when valid.
  std::vector<Problem> validate(const nlohmann::json& instance) const;

  struct Compiled;

 private:
  explicit JsonSchemaValidator(std::shared_ptr<const Compiled> compiled)
      : compiled_(std::move(compiled)) {}
  std::shared_ptr<const Compiled> compiled_;
};

}  // namespace daoctl::schema
