// Active Directory binary attribute decoding: objectGUID and objectSid.
#pragma once

#include <string>
#include <string_view>

#include "core/error.hpp"

namespace daoctl::ldap {

// 16 raw bytes → "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}" in lower case, in the
// byte order Windows shows (the first three groups are little-endian: bytes
// 3 2 1 0 - 5 4 - 7 6 - 8 9 - 10..15). Anything but 16 bytes is a Parse error.
Result<std::string> format_object_guid(std::string_view bytes);

// The inverse of format_object_guid (braces optional, any case) → 16 raw bytes,
// e.g. to search by GUID with escape_filter_bytes.
Result<std::string> parse_object_guid(std::string_view text);

// Binary SID → "S-1-5-21-…": revision, sub-authority count, 48-bit big-endian
// identifier authority, then that many 32-bit little-endian sub-authorities.
// Authorities of 2^32 and above print in hex ("0x…") as MS-DTYP 2.4.2.1 says.
Result<std::string> format_object_sid(std::string_view bytes);

}  // namespace daoctl::ldap
