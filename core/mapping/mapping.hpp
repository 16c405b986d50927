// A job's `mapping:` block compiled once: target field → template, evaluated
// per joined source record into the platform fields.
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/mapping/expression.hpp"
#include "core/mapping/scope.hpp"
#include "core/mapping/value.hpp"

namespace daoctl::mapping {

struct FieldValue {
  std::string field;
  Value value;
};

struct FieldError {
  std::string field;
  std::string message;  // names the expression, the source field and the value
};

struct FieldParseError {
  std::string field;
  ParseError error;
};

// The result for one record. A field whose expression failed is in `errors`
// and absent from `values` — never null there, because null means "not set"
// and a sync must not clear an attribute because a date was malformed.
struct MappedRecord {
  std::vector<FieldValue> values;  // in the order of the mapping block
  std::vector<FieldError> errors;

  const Value* find(std::string_view field) const noexcept;
  bool ok() const noexcept { return errors.empty(); }
};

class Mapping {
 public:
  // Compiles every expression and reports all problems at once, in block
  // order. A target field given twice is an error on the second one.
  static std::expected<Mapping, std::vector<FieldParseError>> compile(
      const std::vector<std::pair<std::string, std::string>>& block,
      const CompileOptions& options);

  MappedRecord evaluate(const Scope& scope) const;
  // The same, reusing `out`'s storage (the per-record hot path of a sync).
  void evaluate(const Scope& scope, MappedRecord& out) const;

  // Target fields in block order.
  std::vector<std::string> fields() const;
  // Every source.field the mapping reads, sorted, without duplicates.
  const std::vector<Reference>& references() const noexcept { return references_; }

 private:
  std::vector<std::pair<std::string, Template>> fields_;
  std::vector<Reference> references_;
};

// "mapping.email: invalid mapping expression (<location>, column 7): …" as a
// Config error; `location` is what the caller knows of where the field's
// expression is written ("sync.yaml:31:10"), may be empty.
Error to_error(const FieldParseError& error, std::string_view location);
// A Validation error for one record ("cannot map field email of <record>").
Error to_error(const FieldError& error, std::string_view record);

}  // namespace daoctl::mapping
