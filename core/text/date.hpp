// Dates as HR exports write them, parsed by configurable patterns.
//
// Pattern letters (the subset of Unicode TR35 / Java DateTimeFormatter that HR
// exports need):
//   yyyy  4-digit year            yy  2-digit year: 00-68 -> 20xx, 69-99 -> 19xx (POSIX %y)
//   MM    2-digit month           M   month, 1 or 2 digits
//   dd    2-digit day             d   day, 1 or 2 digits
//   HH    2-digit hour (00-23)    H   hour, 1 or 2 digits
//   mm    2-digit minute          ss  2-digit second
//   XXX   zone: Z, +03:00, +0300 or +03
//   '...' literal text; any other non-letter character matches itself.
// The whole pattern "iso8601" (alias "rfc3339") accepts yyyy-MM-dd, optionally
// followed by a zone (the xs:date form Workday writes, "2020-01-15-08:00"), or
// by T/space, hh:mm[:ss[.fraction]] and an optional zone.
//
// A civil date is the date as written: "2020-01-15T00:00:00+03:00" is
// 2020-01-15 even though it is 2020-01-14 in UTC, because hire dates and
// birthdays are calendar days, not instants. A time point is an instant in
// UTC and needs a zone when the value has a time of day (a bare date is
// midnight UTC).
#pragma once

#include <chrono>
#include <compare>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace daoctl::text {

struct CivilDate {
  int year = 1970;
  unsigned month = 1;
  unsigned day = 1;

  // "yyyy-MM-dd".
  std::string to_string() const;
  std::chrono::sys_days to_sys_days() const;
  friend auto operator<=>(const CivilDate&, const CivilDate&) = default;
};

using TimePoint = std::chrono::sys_seconds;

// RFC 3339 UTC with seconds: "2026-11-26T23:37:24Z". The one formatter of
// instants in daoctl (state files, plans, reports, audit lines); a clock's
// time point is cut to its second.
std::string format_rfc3339(TimePoint t);
std::string format_rfc3339(std::chrono::system_clock::time_point t);

// The one strict parser of an RFC 3339 instant, as daoctl and the platform
// write them: YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM), fraction dropped.
// nullopt for anything else (an invalid day, a missing zone, trailing text).
// HR dates, which come in many shapes, use DatePattern instead.
std::optional<TimePoint> parse_rfc3339(std::string_view text);

class DatePattern {
 public:
  // Errors (ErrorKind::Config) name the pattern and the offending letter.
  static Result<DatePattern> compile(std::string_view pattern);

  // Errors (ErrorKind::Parse) read "cannot parse date 'value' with pattern
  // 'p'" with the cause as detail; the caller sets Error::object to where the
  // value came from. Surrounding spaces of the value are ignored.
  Result<CivilDate> parse_date(std::string_view value) const;
  Result<TimePoint> parse_time(std::string_view value) const;

  const std::string& text() const noexcept { return text_; }

  struct Token {
    enum class Kind { Year4, Year2, Month2, Month1, Day2, Day1, Hour2, Hour1, Minute2, Second2,
                      Zone, Literal, Iso8601 };
    Kind kind;
    std::string literal;
  };

 private:
  struct Parsed;
  Result<Parsed> parse(std::string_view value) const;
  std::string text_;
  std::vector<Token> tokens_;
};

// Tries each pattern in order; the error lists every pattern tried.
Result<CivilDate> parse_date_any(std::string_view value, std::span<const DatePattern> patterns);

}  // namespace daoctl::text
