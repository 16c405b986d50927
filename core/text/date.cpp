#include "core/text/date.hpp"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>
#include <optional>

namespace daoctl::text {

struct DatePattern::Parsed {
  int year = 0;
  unsigned month = 0, day = 0;
  int hour = 0, minute = 0, second = 0;
  bool has_time = false;
  bool has_zone = false;
  int offset_seconds = 0;  // east of UTC
};

namespace {

using Kind = DatePattern::Token::Kind;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Reads between min and max digits at `pos`; nullopt when fewer than min.
std::optional<int> read_number(std::string_view s, size_t& pos, size_t min, size_t max) {
  size_t start = pos;
  int v = 0;
  while (pos < s.size() && pos - start < max && is_digit(s[pos])) v = v * 10 + (s[pos++] - '0');
  if (pos - start < min) {
    pos = start;
    return std::nullopt;
  }
  return v;
}

unsigned days_in_month(int year, unsigned month) {
  return static_cast<unsigned>(
      static_cast<unsigned>(std::chrono::year_month_day_last(
                                std::chrono::year(year) / std::chrono::month(month) /
                                std::chrono::last)
                                .day()));
}

// Error causes are plain strings so that parse() stays compact; the caller
// wraps them with the value and the pattern.
using Cause = std::string;

std::optional<Cause> read_zone(std::string_view s, size_t& pos, int& offset) {
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
    offset = 0;
    return std::nullopt;
  }
  if (pos >= s.size() || (s[pos] != '+' && s[pos] != '-'))
    return Cause("expected a time zone (Z or +hh:mm) at position " + std::to_string(pos + 1));
  int sign = s[pos] == '-' ? -1 : 1;
  ++pos;
  auto hh = read_number(s, pos, 2, 2);
  if (!hh) return Cause("expected zone hours at position " + std::to_string(pos + 1));
  int mm = 0;
  if (pos < s.size() && s[pos] == ':') ++pos;
  if (auto m = read_number(s, pos, 2, 2)) mm = *m;
  if (*hh > 23 || mm > 59) return Cause(fmt::format("zone offset {:02}:{:02} is out of range", *hh, mm));
  offset = sign * (*hh * 3600 + mm * 60);
  return std::nullopt;
}

std::optional<Cause> parse_iso8601(std::string_view s, size_t& pos, int& year, unsigned& month,
                                   unsigned& day, int& hour, int& minute, int& second,
                                   bool& has_time, bool& has_zone, int& offset) {
  auto expect = [&](char c) -> std::optional<Cause> {
    if (pos < s.size() && s[pos] == c) {
      ++pos;
      return std::nullopt;
    }
    return Cause(fmt::format("expected '{}' at position {}", c, pos + 1));
  };
  auto y = read_number(s, pos, 4, 4);
  if (!y) return Cause("expected a 4-digit year at position " + std::to_string(pos + 1));
  if (auto e = expect('-')) return e;
  auto mo = read_number(s, pos, 2, 2);
  if (!mo) return Cause("expected a 2-digit month at position " + std::to_string(pos + 1));
  if (auto e = expect('-')) return e;
  auto d = read_number(s, pos, 2, 2);
  if (!d) return Cause("expected a 2-digit day at position " + std::to_string(pos + 1));
  year = *y;
  month = static_cast<unsigned>(*mo);
  day = static_cast<unsigned>(*d);
  if (pos == s.size()) return std::nullopt;
  if (s[pos] == 'T' || s[pos] == 't' || s[pos] == ' ') {
    ++pos;
    auto h = read_number(s, pos, 2, 2);
    if (!h) return Cause("expected 2-digit hours at position " + std::to_string(pos + 1));
    if (auto e = expect(':')) return e;
    auto mi = read_number(s, pos, 2, 2);
    if (!mi) return Cause("expected 2-digit minutes at position " + std::to_string(pos + 1));
    hour = *h;
    minute = *mi;
    if (pos < s.size() && s[pos] == ':') {
      ++pos;
      auto sec = read_number(s, pos, 2, 2);
      if (!sec) return Cause("expected 2-digit seconds at position " + std::to_string(pos + 1));
      second = *sec;
      if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
        ++pos;
        // Fractions of a second are accepted and dropped: HR data has no use for them.
        if (!read_number(s, pos, 1, 9))
          return Cause("expected a fraction of a second at position " + std::to_string(pos + 1));
        while (pos < s.size() && is_digit(s[pos])) ++pos;
      }
    }
    has_time = true;
  }
  if (pos < s.size()) {
    if (auto e = read_zone(s, pos, offset)) return e;
    has_zone = true;
  }
  return std::nullopt;
}

}  // namespace

std::string CivilDate::to_string() const { return fmt::format("{:04}-{:02}-{:02}", year, month, day); }

std::chrono::sys_days CivilDate::to_sys_days() const {
  return std::chrono::sys_days(std::chrono::year(year) / std::chrono::month(month) /
                               std::chrono::day(day));
}

std::string format_rfc3339(TimePoint t) {
  auto days = std::chrono::floor<std::chrono::days>(t);
  std::chrono::year_month_day ymd(days);
  std::chrono::hh_mm_ss hms(t - days);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     hms.hours().count(), hms.minutes().count(), hms.seconds().count());
}

std::string format_rfc3339(std::chrono::system_clock::time_point t) {
  return format_rfc3339(std::chrono::floor<std::chrono::seconds>(t));
}

std::optional<TimePoint> parse_rfc3339(std::string_view text) {
  using namespace std::chrono;
  auto num = [&](std::size_t pos, std::size_t len) -> std::optional<int> {  // exactly len digits
    if (pos + len > text.size()) return std::nullopt;
    int v = 0;
    for (std::size_t i = pos; i < pos + len; ++i) {
      if (text[i] < '0' || text[i] > '9') return std::nullopt;
      v = v * 10 + (text[i] - '0');
    }
    return v;
  };
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != 't') ||
      text[13] != ':' || text[16] != ':')
    return std::nullopt;
  auto y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2), s = num(17, 2);
  if (!y || !mo || !d || !h || !mi || !s || *h > 23 || *mi > 59 || *s > 60) return std::nullopt;
  year_month_day ymd{year{*y}, month{static_cast<unsigned>(*mo)}, day{static_cast<unsigned>(*d)}};
  if (!ymd.ok()) return std::nullopt;
  std::size_t pos = 19;
  if (pos < text.size() && text[pos] == '.') {
    const std::size_t first = ++pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    if (pos == first) return std::nullopt;  // "12:00:00.Z"
  }
  if (pos >= text.size()) return std::nullopt;  // RFC 3339 requires a zone
  seconds offset{0};
  if (text[pos] == 'Z' || text[pos] == 'z') {
    if (pos + 1 != text.size()) return std::nullopt;
  } else if (text[pos] == '+' || text[pos] == '-') {
    auto oh = num(pos + 1, 2), om = num(pos + 4, 2);
    if (!oh || !om || pos + 6 != text.size() || text[pos + 3] != ':' || *oh > 23 || *om > 59) return std::nullopt;
    offset = hours{*oh} + minutes{*om};
    if (text[pos] == '-') offset = -offset;
  } else {
    return std::nullopt;
  }
  // A leap second (:60) is read as :59: the instant it belongs to, not the next minute.
  return sys_days{ymd} + hours{*h} + minutes{*mi} + seconds{std::min(*s, 59)} - offset;
}

Result<DatePattern> DatePattern::compile(std::string_view pattern) {
  DatePattern p;
  p.text_ = std::string(pattern);
  if (pattern == "iso8601" || pattern == "rfc3339" || pattern == "iso-8601" ||
      pattern == "rfc-3339") {
    p.tokens_.push_back({Kind::Iso8601, {}});
    return p;
  }
  auto bad = [&](std::string detail) {
    return fail(ErrorKind::Config, fmt::format("invalid date pattern '{}'", pattern), {},
                std::move(detail), "use letters yyyy yy MM M dd d HH H mm ss XXX, or iso8601");
  };
  bool has_year = false, has_month = false, has_day = false;
  size_t i = 0;
  while (i < pattern.size()) {
    char c = pattern[i];
    size_t run = 1;
    while (i + run < pattern.size() && pattern[i + run] == c) ++run;
    if (c == '\'') {
      size_t close = pattern.find('\'', i + 1);
      if (close == std::string_view::npos)
        return bad(fmt::format("unterminated quote at position {}", i + 1));
      p.tokens_.push_back({Kind::Literal, std::string(pattern.substr(i + 1, close - i - 1))});
      i = close + 1;
      continue;
    }
    if (!std::isalpha(static_cast<unsigned char>(c))) {
      p.tokens_.push_back({Kind::Literal, std::string(1, c)});
      ++i;
      continue;
    }
    std::optional<Kind> kind;
    if (c == 'y' && run == 4) kind = Kind::Year4, has_year = true;
    else if (c == 'y' && run == 2) kind = Kind::Year2, has_year = true;
    else if (c == 'M' && run == 2) kind = Kind::Month2, has_month = true;
    else if (c == 'M' && run == 1) kind = Kind::Month1, has_month = true;
    else if (c == 'd' && run == 2) kind = Kind::Day2, has_day = true;
    else if (c == 'd' && run == 1) kind = Kind::Day1, has_day = true;
    else if (c == 'H' && run == 2) kind = Kind::Hour2;
    else if (c == 'H' && run == 1) kind = Kind::Hour1;
    else if (c == 'm' && run == 2) kind = Kind::Minute2;
    else if (c == 's' && run == 2) kind = Kind::Second2;
    else if (c == 'X' && run == 3) kind = Kind::Zone;
    if (!kind)
      return bad(fmt::format("'{}' at position {} is not a pattern field (quote literal text "
                             "as '...')",
                             pattern.substr(i, run), i + 1));
    p.tokens_.push_back({*kind, {}});
    i += run;
  }
  if (!has_year || !has_month || !has_day)
    return bad("a date pattern needs a year, a month and a day");
  return p;
}

Result<DatePattern::Parsed> DatePattern::parse(std::string_view raw) const {
  std::string_view s = trim(raw);
  Parsed r;
  size_t pos = 0;
  auto failure = [&](const Cause& cause) {
    return fail(ErrorKind::Parse, fmt::format("cannot parse date '{}' with pattern '{}'", raw, text_),
                {}, cause);
  };
  auto number = [&](size_t min, size_t max, const char* what) -> Result<int> {
    auto v = read_number(s, pos, min, max);
    if (!v)
      return failure(fmt::format("expected {} ({} digit{}) at position {}", what,
                                 min == max ? std::to_string(min) : fmt::format("{}-{}", min, max),
                                 max == 1 ? "" : "s", pos + 1));
    return *v;
  };
  for (const Token& t : tokens_) {
    Result<int> v = 0;
    switch (t.kind) {
      case Kind::Iso8601:
        if (auto cause = parse_iso8601(s, pos, r.year, r.month, r.day, r.hour, r.minute, r.second,
                                       r.has_time, r.has_zone, r.offset_seconds))
          return failure(*cause);
        break;
      case Kind::Literal:
        if (s.substr(pos, t.literal.size()) != t.literal)
          return failure(fmt::format("expected '{}' at position {}", t.literal, pos + 1));
        pos += t.literal.size();
        break;
      case Kind::Year4:
        if (!(v = number(4, 4, "a year"))) return std::unexpected(v.error());
        r.year = *v;
        break;
      case Kind::Year2:
        if (!(v = number(2, 2, "a 2-digit year"))) return std::unexpected(v.error());
        r.year = *v <= 68 ? 2000 + *v : 1900 + *v;
        break;
      case Kind::Month2:
      case Kind::Month1:
        if (!(v = number(t.kind == Kind::Month2 ? 2 : 1, 2, "a month")))
          return std::unexpected(v.error());
        r.month = static_cast<unsigned>(*v);
        break;
      case Kind::Day2:
      case Kind::Day1:
        if (!(v = number(t.kind == Kind::Day2 ? 2 : 1, 2, "a day"))) return std::unexpected(v.error());
        r.day = static_cast<unsigned>(*v);
        break;
      case Kind::Hour2:
      case Kind::Hour1:
        if (!(v = number(t.kind == Kind::Hour2 ? 2 : 1, 2, "an hour")))
          return std::unexpected(v.error());
        r.hour = *v;
        r.has_time = true;
        break;
      case Kind::Minute2:
        if (!(v = number(2, 2, "minutes"))) return std::unexpected(v.error());
        r.minute = *v;
        break;
      case Kind::Second2:
        if (!(v = number(2, 2, "seconds"))) return std::unexpected(v.error());
        r.second = *v;
        break;
      case Kind::Zone:
        if (auto cause = read_zone(s, pos, r.offset_seconds)) return failure(*cause);
        r.has_zone = true;
        break;
    }
  }
  if (pos != s.size())
    return failure(fmt::format("unexpected '{}' at position {}", s.substr(pos), pos + 1));
  if (r.month < 1 || r.month > 12) return failure(fmt::format("month {} is out of range", r.month));
  if (r.day < 1 || r.day > days_in_month(r.year, r.month))
    return failure(fmt::format("day {} is out of range for {:04}-{:02}", r.day, r.year, r.month));
  if (r.hour > 23 || r.minute > 59 || r.second > 60)
    return failure(fmt::format("time {:02}:{:02}:{:02} is out of range", r.hour, r.minute, r.second));
  return r;
}

Result<CivilDate> DatePattern::parse_date(std::string_view value) const {
  auto r = parse(value);
  if (!r) return std::unexpected(r.error());
  return CivilDate{r->year, r->month, r->day};
}

Result<TimePoint> DatePattern::parse_time(std::string_view value) const {
  auto r = parse(value);
  if (!r) return std::unexpected(r.error());
  if (r->has_time && !r->has_zone)
    return fail(ErrorKind::Parse,
                fmt::format("cannot parse date '{}' with pattern '{}'", value, text_), {},
                "a time of day without a time zone is not an instant",
                "use a pattern with XXX or values with Z/+hh:mm");
  CivilDate d{r->year, r->month, r->day};
  // A leap second (:60) lands on the next minute's first second.
  return TimePoint(d.to_sys_days()) + std::chrono::hours(r->hour) +
         std::chrono::minutes(r->minute) + std::chrono::seconds(r->second) -
         std::chrono::seconds(r->offset_seconds);
}

Result<CivilDate> parse_date_any(std::string_view value, std::span<const DatePattern> patterns) {
  if (patterns.empty())
    return fail(ErrorKind::Config, fmt::format("cannot parse date '{}'", value), {},
                "no date pattern is configured");
  if (patterns.size() == 1) return patterns.front().parse_date(value);
  std::string tried, first_cause;
  for (const auto& p : patterns) {
    auto r = p.parse_date(value);
    if (r) return r;
    if (first_cause.empty()) first_cause = r.error().detail;
    tried += tried.empty() ? "'" : ", '";
    tried += p.text() + "'";
  }
  return fail(ErrorKind::Parse, fmt::format("cannot parse date '{}' with patterns {}", value, tried),
              {}, first_cause);
}

}  // namespace daoctl::text
