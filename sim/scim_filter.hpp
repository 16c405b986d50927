// The SCIM filter subset the platform supports (RFC 7644 §3.4.2.2):
// `attrPath eq value` and `attrPath sw "prefix"` terms joined by `and`,
// optional parentheses, and the value-path form `emails[value eq "x"]`
// (same as `emails.value eq "x"`). `sw` (starts with) is what a client
// completing a name at a terminal asks: Users on userName, Groups on
// displayName.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "sim/api_error.hpp"

namespace daoctl::sim {

struct FilterTerm {
  std::string attribute;  // lower-cased attribute path: "username", "emails.value"
  nlohmann::json value;   // string, boolean, number or null
  bool prefix = false;    // `sw`: the attribute starts with `value` (a string)
};

// All terms must hold. Errors are 400 invalidFilter naming the column (1-based)
// where parsing failed.
ApiResult<std::vector<FilterTerm>> parse_filter(std::string_view filter);

}  // namespace daoctl::sim
