// ASCII case: protocol names, header names, LDAP attribute names, file
// extensions and e-mail addresses compare without regard to A-Z case. Bytes
// outside A-Z (UTF-8 included) are left as they are; Unicode case mapping is
// core/mapping/unicode.hpp's `lower`.
#pragma once

#include <string>
#include <string_view>

namespace daoctl::text {

// `c` turned into a-z if it is A-Z.
constexpr char lower_ascii(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// `s` with A-Z turned into a-z.
std::string lower_ascii(std::string_view s);

// `s` without the ASCII white space (space, \t, \n, \v, \f, \r) at either
// end. A view into `s`. Unicode white space is mapping::unicode::trim's.
std::string_view trim_ascii(std::string_view s) noexcept;

// Whether `a` and `b` are equal but for A-Z/a-z.
bool iequals(std::string_view a, std::string_view b) noexcept;

}  // namespace daoctl::text
