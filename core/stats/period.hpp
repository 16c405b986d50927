// Calendar arithmetic for statistics: UTC day numbers, ISO weeks, months,
// and the time ranges a user or a query string gives.
//
// A "day number" counts days since 1970-01-01 (UTC). Statistics are kept per
// UTC day; weeks start on Monday (ISO 8601) and are labelled "2026-W48" by
// their ISO week-numbering year; months are labelled "2026-11".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace daoctl::stats {

enum class Granularity { Day, Week, Month };
enum class GroupBy { None, Department, User };

// "day" | "week" | "month" and "none" | "department" | "user"; nullopt otherwise.
std::optional<Granularity> parse_granularity(std::string_view name);
std::optional<GroupBy> parse_group_by(std::string_view name);
const char* to_string(Granularity granularity) noexcept;
const char* to_string(GroupBy group_by) noexcept;

struct CivilDay {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
};

// Howard Hinnant's days_from_civil / civil_from_days (proleptic Gregorian).
std::int64_t days_from_civil(int year, int month, int day) noexcept;
CivilDay civil_from_days(std::int64_t day_number) noexcept;

// 0 = Monday .. 6 = Sunday.
int weekday(std::int64_t day_number) noexcept;
// The Monday of the ISO week holding the day.
std::int64_t week_start(std::int64_t day_number) noexcept;
// The first day of the month holding the day.
std::int64_t month_start(std::int64_t day_number) noexcept;
// The start of the period holding the day.
std::int64_t period_start(Granularity granularity, std::int64_t day_number) noexcept;
// "2026-11-26" (day), "2026-W48" (ISO week of its Monday), "2026-11" (month),
// given the period's first day.
std::string period_label(Granularity granularity, std::int64_t first_day);

// Parses a whole instant: a date "2026-11-01" (midnight UTC) or RFC 3339
// "2026-11-01T08:30:00Z" / "...+03:00" (fraction of a second allowed and
// dropped). Returns seconds since the epoch; nullopt for anything else,
// including impossible dates (2026-02-30) and times (25:00).
std::optional<std::int64_t> parse_instant(std::string_view text);

// RFC 3339 UTC with seconds: 2026-11-26T23:37:24Z.
std::string format_rfc3339(std::int64_t unix_seconds);

// "30d", "12h", "2w", "90m", "45s" -> seconds. nullopt for anything else
// (no number, no unit, zero, overflow).
std::optional<std::int64_t> parse_duration(std::string_view text);

// floor(unix_seconds / 86400), correct for instants before 1970.
std::int64_t day_of(std::int64_t unix_seconds) noexcept;

// A half-open range [from, to) of instants, as given by --from/--to or
// --since. Errors (Usage) name the flag and the value.
struct TimeRange {
  std::int64_t from = 0;  // unix seconds, inclusive
  std::int64_t to = 0;    // unix seconds, exclusive
};
Result<TimeRange> resolve_range(const std::optional<std::string>& from,
                                const std::optional<std::string>& to,
                                const std::optional<std::string>& since, std::int64_t now_unix);

}  // namespace daoctl::stats
