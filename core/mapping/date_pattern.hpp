// Calendar dates in the patterns HR exports use.
//
// core/text/ has no date parser yet; this is the minimal one the mapping
// language needs. Patterns use the letters of Java/ICU date patterns that
// administrators already know from HR tools: yyyy (4-digit year), yy (2-digit
// year: 00–68 → 20xx, 69–99 → 19xx, as POSIX strptime %y), MM/M (month, 2 or
// 1–2 digits), dd/d (day, 2 or 1–2 digits). Any other ASCII letter is refused
// when the pattern is compiled, so a typo never silently parses garbage;
// every other character must appear literally.
#pragma once

#include <compare>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace daoctl::mapping {

struct CivilDate {
  int year = 1970;
  int month = 1;
  int day = 1;

  auto operator<=>(const CivilDate&) const = default;
  // Days since 1970-01-01 (proleptic Gregorian calendar).
  std::int64_t days_since_epoch() const noexcept;
};

bool is_valid_date(int year, int month, int day) noexcept;

// yyyy-MM-dd, optionally followed by a time ('T' or ' ' and anything), as in
// RFC 3339 timestamps; the time is ignored.
std::optional<CivilDate> parse_iso_date(std::string_view text) noexcept;
std::string format_iso_date(const CivilDate& date);

class DatePattern {
 public:
  // Fails with a message naming the offending letter and the supported ones.
  static std::expected<DatePattern, std::string> compile(std::string_view pattern);

  // The whole of text (surrounding white space ignored) must match the pattern
  // and name a real calendar day (no 31.02).
  std::optional<CivilDate> parse(std::string_view text) const noexcept;
  std::string format(const CivilDate& date) const;
  const std::string& text() const noexcept { return text_; }

 private:
  enum class FieldKind { Literal, Year4, Year2, Month, Day };
  struct Field {
    FieldKind kind = FieldKind::Literal;
    int min_digits = 0;  // for numbers: 1 (variable width 1–2) or exactly 2/4
    int max_digits = 0;
    std::string literal;
  };
  std::string text_;
  std::vector<Field> fields_;
};

}  // namespace daoctl::mapping
