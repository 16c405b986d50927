#include "core/mapping/date_pattern.hpp"

#include <fmt/format.h>

namespace daoctl::mapping {

namespace {

bool is_ascii_digit(char c) noexcept { return c >= '0' && c <= '9'; }
bool is_ascii_letter(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Reads [min_digits, max_digits] digits at text[pos]; greedy.
std::optional<int> read_number(std::string_view text, std::size_t& pos, int min_digits,
                               int max_digits) noexcept {
  int value = 0;
  int digits = 0;
  while (digits < max_digits && pos < text.size() && is_ascii_digit(text[pos])) {
    value = value * 10 + (text[pos] - '0');
    ++pos;
    ++digits;
  }
  if (digits < min_digits) return std::nullopt;
  return value;
}

std::string_view trim_ascii(std::string_view text) noexcept {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

std::int64_t CivilDate::days_since_epoch() const noexcept {
  // Howard Hinnant's days_from_civil.
  const std::int64_t y = static_cast<std::int64_t>(year) - (month <= 2 ? 1 : 0);
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t mp = (month + 9) % 12;
  const std::int64_t doy = (153 * mp + 2) / 5 + day - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

bool is_valid_date(int year, int month, int day) noexcept {
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1) return false;
  static constexpr int month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  const int last = month == 2 && leap ? 29 : month_days[month - 1];
  return day <= last;
}

std::optional<CivilDate> parse_iso_date(std::string_view text) noexcept {
  text = trim_ascii(text);
  if (text.size() < 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  if (text.size() > 10 && text[10] != 'T' && text[10] != ' ') return std::nullopt;
  std::size_t pos = 0;
  const auto year = read_number(text, pos, 4, 4);
  pos = 5;
  const auto month = read_number(text, pos, 2, 2);
  pos = 8;
  const auto day = read_number(text, pos, 2, 2);
  if (!year || !month || !day || !is_valid_date(*year, *month, *day)) return std::nullopt;
  return CivilDate{*year, *month, *day};
}

std::string format_iso_date(const CivilDate& date) {
  return fmt::format("{:04}-{:02}-{:02}", date.year, date.month, date.day);
}

std::expected<DatePattern, std::string> DatePattern::compile(std::string_view pattern) {
  DatePattern result;
  result.text_ = std::string(pattern);
  bool seen[3] = {false, false, false};  // year, month, day
  std::size_t pos = 0;
  while (pos < pattern.size()) {
    const char c = pattern[pos];
    if (!is_ascii_letter(c)) {
      if (result.fields_.empty() || result.fields_.back().kind != FieldKind::Literal)
        result.fields_.push_back(Field{});
      result.fields_.back().literal.push_back(c);
      ++pos;
      continue;
    }
    std::size_t run = 1;
    while (pos + run < pattern.size() && pattern[pos + run] == c) ++run;
    Field field;
    int slot = -1;
    if (c == 'y' && (run == 4 || run == 2)) {
      field.kind = run == 4 ? FieldKind::Year4 : FieldKind::Year2;
      field.min_digits = field.max_digits = static_cast<int>(run);
      slot = 0;
    } else if ((c == 'M' || c == 'd') && run <= 2) {
      field.kind = c == 'M' ? FieldKind::Month : FieldKind::Day;
      field.min_digits = static_cast<int>(run);
      field.max_digits = 2;
      slot = c == 'M' ? 1 : 2;
    } else {
      return std::unexpected(fmt::format(
          "unsupported '{}' at position {} of date pattern '{}' (supported: yyyy, yy, MM, M, dd, "
          "d; note MM is month, mm would be minutes)",
          pattern.substr(pos, run), pos + 1, pattern));
    }
    if (seen[slot]) {
      return std::unexpected(fmt::format("date pattern '{}' has the {} twice", pattern,
                                         slot == 0 ? "year" : slot == 1 ? "month" : "day"));
    }
    seen[slot] = true;
    result.fields_.push_back(std::move(field));
    pos += run;
  }
  if (!seen[0] || !seen[1] || !seen[2]) {
    return std::unexpected(
        fmt::format("date pattern '{}' needs a year (yyyy or yy), a month (MM) and a day (dd)",
                    pattern));
  }
  return result;
}

std::optional<CivilDate> DatePattern::parse(std::string_view text) const noexcept {
  text = trim_ascii(text);
  CivilDate date;
  std::size_t pos = 0;
  for (const Field& field : fields_) {
    if (field.kind == FieldKind::Literal) {
      if (text.substr(pos, field.literal.size()) != field.literal) return std::nullopt;
      pos += field.literal.size();
      continue;
    }
    const auto number = read_number(text, pos, field.min_digits, field.max_digits);
    if (!number) return std::nullopt;
    switch (field.kind) {
      case FieldKind::Year4: date.year = *number; break;
      case FieldKind::Year2: date.year = *number + (*number <= 68 ? 2000 : 1900); break;
      case FieldKind::Month: date.month = *number; break;
      case FieldKind::Day: date.day = *number; break;
      case FieldKind::Literal: break;
    }
  }
  if (pos != text.size() || !is_valid_date(date.year, date.month, date.day)) return std::nullopt;
  return date;
}

std::string DatePattern::format(const CivilDate& date) const {
  std::string out;
  for (const Field& field : fields_) {
    switch (field.kind) {
      case FieldKind::Literal: out += field.literal; break;
      case FieldKind::Year4: out += fmt::format("{:04}", date.year); break;
      case FieldKind::Year2: out += fmt::format("{:02}", date.year % 100); break;
      case FieldKind::Month: out += fmt::format("{:0{}}", date.month, field.min_digits); break;
      case FieldKind::Day: out += fmt::format("{:0{}}", date.day, field.min_digits); break;
    }
  }
  return out;
}

}  // namespace daoctl::mapping
