// The calendar date in an IANA time zone, from the system's zone database
// (/usr/share/zoneinfo). core is pure and gets this function through
// sync::LoadOptions::date_in_zone (ARCHITECTURE.md: core reads no clock,
// environment or file).
#pragma once

#include <chrono>
#include <string>

#include "core/error.hpp"

namespace daoctl::local {

// The date (yyyy-MM-dd) at `now` in `zone` ("" = the host's zone). Errors:
// Config for a zone that is not a file of the system's zone database (tzset()
// would silently take any other string for UTC).
Result<std::string> date_in_zone(std::chrono::system_clock::time_point now, const std::string& zone);

}  // namespace daoctl::local
