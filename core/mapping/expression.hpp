// The mapping language: templates and expressions, parsed once and evaluated
// per record. The full language is described in docs/MAPPING.md.
//
//   template    text with {expression} placeholders; {{ and }} are literal braces
//   expression  or-chains of and-chains of [not] comparisons of pipes:
//               ad.mail | lower | trim
//               not ad.disabled and not hr.'Дата увольнения'
//               hr.'Дата увольнения' | date('dd.MM.yyyy') <= today
//
// Parsing never throws; errors carry the byte offset and the 1-based column
// (in code points) inside the text that was parsed, so the caller can add the
// file:line:column of the YAML scalar. Evaluation never throws either: it
// returns a Value or an EvalError naming the expression, the source field and
// the value that failed.
#pragma once

#include <cstddef>
#include <expected>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/mapping/scope.hpp"
#include "core/mapping/value.hpp"

namespace daoctl::mapping {

struct ParseError {
  std::size_t offset = 0;  // bytes from the start of the parsed text
  std::size_t column = 0;  // 1-based, in code points
  std::string message;

  // A Config error: "invalid mapping expression (<object>:<column>): <message>"
  // where object is what the caller knows (e.g. "sync.yaml:31:13 mapping.email").
  Error to_error(std::string_view object) const;
};

struct EvalError {
  std::string message;
};

template <class T>
using ParseResult = std::expected<T, ParseError>;
using EvalResult = std::expected<Value, EvalError>;

// A `lookups:` table of the job file: exact-match keys; `fallback` (the
// table's `default`) answers keys that are not listed, otherwise a missing key
// is an evaluation error.
struct LookupTable {
  std::map<std::string, std::string, std::less<>> entries;
  std::optional<std::string> fallback;
};

struct CompileOptions {
  // The date `today` stands for, yyyy-MM-dd (injected, so a run and its tests
  // are reproducible). Expressions that use `today` fail to compile without it.
  std::string today;
  // Tables `lookup(name)` may name.
  std::map<std::string, LookupTable, std::less<>> lookup_tables;
  // When not empty, references to other sources are parse errors.
  std::vector<std::string> known_sources;
  // Comparisons treat operands as dates when both are ISO (yyyy-MM-dd) or
  // match one of these patterns (the job file's `dates:`).
  std::vector<std::string> comparison_date_patterns{"dd.MM.yyyy"};
};

// One `source.field` an expression reads; the sync asks its sources for
// exactly these attributes.
struct Reference {
  std::string source;
  std::string field;
  friend auto operator<=>(const Reference&, const Reference&) = default;
};

// Where a text names a reference: the byte offset and the 1-based column (in
// code points) of its source name inside the parsed text, so a job can say
// where a field that its source lacks is written. In text order; a field
// named twice is listed twice.
struct ReferenceUse {
  Reference reference;
  std::size_t offset = 0;
  std::size_t column = 0;
};

namespace detail {
class Node;
}

class Expression {
 public:
  // A bare expression (no braces), e.g. a `dismissed_when` rule.
  static ParseResult<Expression> parse(std::string_view text, const CompileOptions& options);

  EvalResult evaluate(const Scope& scope) const;
  const std::string& text() const noexcept { return text_; }
  const std::vector<Reference>& references() const noexcept { return references_; }
  const std::vector<ReferenceUse>& uses() const noexcept { return uses_; }
  // The expression is exactly one reference (`hr.x`, no transform): callers
  // may read the field directly instead of evaluating.
  const Reference* plain_reference() const noexcept { return plain_ ? &references_.front() : nullptr; }

 private:
  friend class Template;
  std::shared_ptr<const detail::Node> root_;
  std::string text_;
  std::vector<Reference> references_;
  std::vector<ReferenceUse> uses_;
  bool plain_ = false;
};

class Template {
 public:
  static ParseResult<Template> parse(std::string_view text, const CompileOptions& options);

  // A template that is exactly one placeholder yields that expression's value
  // with its type (string, list, bool or null). Otherwise the result is the
  // text with every placeholder replaced by its string (null → "", bool →
  // "true"/"false", a one-element list → its element); a list of several
  // values there is an error (say `| first` or `| join(', ')`). When every
  // placeholder is null the result is null, so a missing surname does not
  // become a display name of " ".
  EvalResult evaluate(const Scope& scope) const;
  const std::string& text() const noexcept { return text_; }
  const std::vector<Reference>& references() const noexcept { return references_; }
  const std::vector<ReferenceUse>& uses() const noexcept { return uses_; }

 private:
  struct Part {
    std::string literal;  // used when expression is empty
    std::shared_ptr<const detail::Node> expression;
    std::string expression_text;
  };
  std::vector<Part> parts_;
  std::string text_;
  std::vector<Reference> references_;
  std::vector<ReferenceUse> uses_;
};

}  // namespace daoctl::mapping
