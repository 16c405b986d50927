// The SCIM filter subset the platform supports (RFC 7644 §3.4.2.2):
// `attrPath eq value` terms joined by `and`, optional parentheses, and the
// value-path form `emails[value eq "x"]` (same as `emails.value eq "x"`).
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
};

// All terms must hold. Errors are 400 invalidFilter naming the column (1-based)
// where parsing failed.
ApiResult<std::vector<FilterTerm>> parse_filter(std::string_view filter);

}  // namespace daoctl::sim
