#include "core/stats/period.hpp"

#include "core/text/date.hpp"

#include <fmt/format.h>

#include <limits>

namespace daoctl::stats {

std::optional<Granularity> parse_granularity(std::string_view name) {
  if (name == "day") return Granularity::Day;
  if (name == "week") return Granularity::Week;
  if (name == "month") return Granularity::Month;
  return std::nullopt;
}

std::optional<GroupBy> parse_group_by(std::string_view name) {
  if (name == "none") return GroupBy::None;
  if (name == "department") return GroupBy::Department;
  if (name == "user") return GroupBy::User;
  return std::nullopt;
}

const char* to_string(Granularity granularity) noexcept {
  switch (granularity) {
    case Granularity::Day: return "day";
    case Granularity::Week: return "week";
    case Granularity::Month: return "month";
  }
  return "day";
}

const char* to_string(GroupBy group_by) noexcept {
  switch (group_by) {
    case GroupBy::None: return "none";
    case GroupBy::Department: return "department";
    case GroupBy::User: return "user";
  }
  return "none";
}

std::int64_t days_from_civil(int year, int month, int day) noexcept {
  const std::int64_t y = static_cast<std::int64_t>(year) - (month <= 2 ? 1 : 0);
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t mp = (month + 9) % 12;
  const std::int64_t doy = (153 * mp + 2) / 5 + day - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilDay civil_from_days(std::int64_t z) noexcept {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return CivilDay{static_cast<int>(y), static_cast<int>(m), static_cast<int>(d)};
}

int weekday(std::int64_t day_number) noexcept {
  // 1970-01-01 was a Thursday (3 when Monday is 0).
  std::int64_t w = (day_number + 3) % 7;
  return static_cast<int>(w < 0 ? w + 7 : w);
}

std::int64_t week_start(std::int64_t day_number) noexcept { return day_number - weekday(day_number); }

std::int64_t month_start(std::int64_t day_number) noexcept {
  auto c = civil_from_days(day_number);
  return days_from_civil(c.year, c.month, 1);
}

std::int64_t period_start(Granularity granularity, std::int64_t day_number) noexcept {
  switch (granularity) {
    case Granularity::Day: return day_number;
    case Granularity::Week: return week_start(day_number);
    case Granularity::Month: return month_start(day_number);
  }
  return day_number;
}

std::string period_label(Granularity granularity, std::int64_t first_day) {
  auto c = civil_from_days(first_day);
  switch (granularity) {
    case Granularity::Day: return fmt::format("{:04}-{:02}-{:02}", c.year, c.month, c.day);
    case Granularity::Month: return fmt::format("{:04}-{:02}", c.year, c.month);
    case Granularity::Week: {
      // The ISO week-numbering year is the year of the week's Thursday; week 1
      // is the week holding that year's 4 January.
      auto thursday = week_start(first_day) + 3;
      int iso_year = civil_from_days(thursday).year;
      auto week1 = week_start(days_from_civil(iso_year, 1, 4));
      auto week = (week_start(first_day) - week1) / 7 + 1;
      return fmt::format("{:04}-W{:02}", iso_year, week);
    }
  }
  return {};
}

namespace {

bool is_leap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int days_in_month(int year, int month) {
  static constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : days[month - 1];
}

// Reads exactly `width` digits at `pos`.
std::optional<int> digits(std::string_view text, std::size_t pos, std::size_t width) {
  if (pos + width > text.size()) return std::nullopt;
  int value = 0;
  for (std::size_t i = pos; i < pos + width; ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

}  // namespace

std::optional<std::int64_t> parse_instant(std::string_view text) {
  if (text.size() == 10) {  // a bare date: its midnight UTC
    auto year = digits(text, 0, 4), month = digits(text, 5, 2), day = digits(text, 8, 2);
    if (!year || !month || !day || text[4] != '-' || text[7] != '-') return std::nullopt;
    if (*month < 1 || *month > 12 || *day < 1 || *day > days_in_month(*year, *month)) return std::nullopt;
    return days_from_civil(*year, *month, *day) * 86400;
  }
  auto t = text::parse_rfc3339(text);
  if (!t) return std::nullopt;
  return t->time_since_epoch().count();
}

std::int64_t day_of(std::int64_t unix_seconds) noexcept {
  return unix_seconds >= 0 ? unix_seconds / 86400 : -((-unix_seconds + 86399) / 86400);
}

std::string format_rfc3339(std::int64_t unix_seconds) {
  return text::format_rfc3339(text::TimePoint(std::chrono::seconds(unix_seconds)));
}

std::optional<std::int64_t> parse_duration(std::string_view text) {
  if (text.size() < 2) return std::nullopt;
  std::int64_t unit = 0;
  switch (text.back()) {
    case 's': unit = 1; break;
    case 'm': unit = 60; break;
    case 'h': unit = 3600; break;
    case 'd': unit = 86400; break;
    case 'w': unit = 7 * 86400; break;
    default: return std::nullopt;
  }
  std::int64_t value = 0;
  for (std::size_t i = 0; i + 1 < text.size(); ++i) {
    char c = text[i];
    if (c < '0' || c > '9') return std::nullopt;
    if (value > (std::numeric_limits<std::int64_t>::max() / unit - 9) / 10) return std::nullopt;
    value = value * 10 + (c - '0');
  }
  if (value == 0) return std::nullopt;
  return value * unit;
}

Result<TimeRange> resolve_range(const std::optional<std::string>& from,
                                const std::optional<std::string>& to,
                                const std::optional<std::string>& since, std::int64_t now_unix) {
  TimeRange range;
  if (since && from)
    return fail(ErrorKind::Usage, "--since and --from cannot be combined", "--since " + *since,
                "both set the start of the range", "give either --since 30d or --from DATE");
  if (to && !from && !since)
    return fail(ErrorKind::Usage, "--to needs a start", "--to " + *to, "the range has no start",
                "add --from DATE or --since 30d");
  if (since) {
    auto seconds = parse_duration(*since);
    if (!seconds)
      return fail(ErrorKind::Usage, "invalid --since value", "--since " + *since,
                  "expected a number and a unit s, m, h, d or w", "e.g. --since 30d");
    range.from = now_unix - *seconds;
  } else if (from) {
    auto value = parse_instant(*from);
    if (!value)
      return fail(ErrorKind::Usage, "invalid --from value", "--from " + *from,
                  "expected a date (2026-11-01) or an RFC 3339 time (2026-11-01T08:00:00Z)");
    range.from = *value;
  } else {
    range.from = now_unix - 30 * 86400;  // the documented default: the last 30 days
  }
  if (to) {
    auto value = parse_instant(*to);
    if (!value)
      return fail(ErrorKind::Usage, "invalid --to value", "--to " + *to,
                  "expected a date (2026-12-01) or an RFC 3339 time (2026-12-01T00:00:00Z)");
    range.to = *value;
  } else {
    range.to = now_unix;
  }
  if (range.from >= range.to)
    return fail(ErrorKind::Usage, "empty time range",
                fmt::format("{} .. {}", format_rfc3339(range.from), format_rfc3339(range.to)),
                "the start must be before the end (the end is exclusive)");
  return range;
}

}  // namespace daoctl::stats
