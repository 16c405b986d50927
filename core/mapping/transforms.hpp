// The transforms of the mapping language (`value | name(arguments)`): a table
// that drives parsing, arity checks, "did you mean" suggestions and the docs.
//
// Element-wise transforms (trim, lower, date, phone, …) map over lists and
// pass null through; list transforms (split, join, first) and whole-value
// transforms (default, bool, not) see the value as a whole.
#pragma once

#include <cstddef>
#include <expected>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/mapping/expression.hpp"
#include "core/mapping/value.hpp"

namespace daoctl::mapping {

class Transform {
 public:
  virtual ~Transform() = default;
  // The error is a message about the value ("'31.02.2024' is not a date in
  // the pattern dd.MM.yyyy"); the caller adds the field and the expression.
  virtual std::expected<Value, std::string> apply(Value input) const = 0;
};

struct TransformArgument {
  enum class Kind { String, Number, Name };
  Kind kind = Kind::String;
  std::string text;         // unquoted, escapes resolved
  std::size_t offset = 0;   // where the argument starts in the parsed text
};

struct TransformCall {
  std::string_view name;
  std::size_t name_offset = 0;
  std::vector<TransformArgument> arguments;
};

using TransformFactory = std::expected<std::unique_ptr<const Transform>, ParseError> (*)(
    const TransformCall& call, const CompileOptions& options);

struct TransformSpec {
  std::string_view name;
  std::string_view signature;  // "replace('regex', 'with')"
  std::string_view summary;
  std::size_t min_arguments = 0;
  std::size_t max_arguments = 0;
  TransformFactory make = nullptr;
};

std::span<const TransformSpec> transform_catalogue() noexcept;
const TransformSpec* find_transform(std::string_view name) noexcept;

// Known names within a small edit distance of `name`, closest first.
std::vector<std::string_view> similar_transform_names(std::string_view name);
// Edit distance in code points (insertions, deletions, substitutions and
// swaps of neighbours count one each).
std::size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace daoctl::mapping
