// Small text and time functions the simulator needs in several places.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace daoctl::sim {

// Lower-cases ASCII and Cyrillic (U+0410..U+042F, U+0401) letters in UTF-8 text;
// other code points pass through. Enough for SCIM's caseExact=false on the
// user names and e-mails the platform holds.
std::string utf8_lower(std::string_view text);

// RFC 3339 UTC with seconds: 2026-11-26T23:37:24Z.
std::string rfc3339(std::chrono::system_clock::time_point t);
std::string rfc3339_now();

// Lower-case hex SHA-256 of data.
std::string sha256_hex(std::string_view data);

std::string base64url_encode(std::string_view data);
std::optional<std::string> base64url_decode(std::string_view text);

// Parses a whole decimal integer (no sign, no spaces); nullopt otherwise.
std::optional<std::int64_t> parse_id(std::string_view text);

// Constant-time equality for secrets.
bool secret_equals(std::string_view a, std::string_view b);

}  // namespace daoctl::sim
