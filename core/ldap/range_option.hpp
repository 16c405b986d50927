// Active Directory ranged retrieval: "member;range=0-1499" / "member;range=1500-*".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace daoctl::ldap {

struct RangeOption {
  std::string attribute;  // the description without the range option ("member")
  std::uint64_t first = 0;
  std::optional<std::uint64_t> last;  // nullopt for "*": this is the final chunk
};

// Parses an attribute description returned by the server. Returns nullopt when
// it has no range option, a Parse error when the option is malformed
// ("member;range=10-2", "member;range=x-*"). Other options ("lang-de") are kept
// in `attribute`; the option name is case-insensitive.
Result<std::optional<RangeOption>> parse_range_option(std::string_view description);

// The description to request the chunk starting at `first`: "member;range=1500-*".
std::string range_request(std::string_view attribute, std::uint64_t first);

}  // namespace daoctl::ldap
