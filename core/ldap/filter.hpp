// RFC 4515 search filter building: every value that goes into a filter passes
// through escape_filter_value, so user data can never change a filter's shape.
#pragma once

#include <string>
#include <string_view>

namespace daoctl::ldap {

// Escapes an assertion value for an RFC 4515 filter: '*', '(', ')', '\' and NUL
// become \2a \28 \29 \5c \00. Every other byte (UTF-8 included) is kept as is,
// which RFC 4515 allows and which keeps non-ASCII filters readable in logs.
std::string escape_filter_value(std::string_view value);

// Escapes every byte as \xx: the form for binary assertion values such as an
// objectGUID ("(objectGUID=\\3f\\2a...)").
std::string escape_filter_bytes(std::string_view bytes);

// "(attribute=escaped value)". `attribute` is an attribute description the caller
// controls (a config key, not user data); it is not escaped.
std::string equality_filter(std::string_view attribute, std::string_view value);

}  // namespace daoctl::ldap
