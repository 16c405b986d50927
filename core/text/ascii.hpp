// ASCII case: protocol names, header names, LDAP attribute names, file
// extensions and e-mail addresses compare without regard to A-Z case. Bytes
// outside A-Z (UTF-8 included) are left as they are; Unicode case mapping is
// core/mapping/unicode.hpp's `lower`.
#pragma once

#include <string>
#include <string_view>

namespace daoctl::text {

// `s` with A-Z turned into a-z.
std::string lower_ascii(std::string_view s);

// Whether `a` and `b` are equal but for A-Z/a-z.
bool iequals(std::string_view a, std::string_view b) noexcept;

}  // namespace daoctl::text
