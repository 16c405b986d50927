#include <catch2/catch.hpp>

#include "core/mapping/date_pattern.hpp"

namespace daoctl::mapping {
namespace {

TEST_CASE("date patterns parse real calendar days only", "[mapping][date]") {
  const auto pattern = DatePattern::compile("dd.MM.yyyy");
  REQUIRE(pattern);
  CHECK(pattern->parse("15.01.2024") == CivilDate{2024, 1, 15});
  CHECK(pattern->parse(" 29.02.2024 ") == CivilDate{2024, 2, 29});
  CHECK_FALSE(pattern->parse("29.02.2023"));
  CHECK_FALSE(pattern->parse("29.02.1900"));
  CHECK(pattern->parse("29.02.2000") == CivilDate{2000, 2, 29});
  CHECK_FALSE(pattern->parse("31.04.2024"));
  CHECK_FALSE(pattern->parse("1.01.2024"));
  CHECK_FALSE(pattern->parse("15.01.2024 10:00"));
  CHECK_FALSE(pattern->parse("15-01-2024"));
  CHECK_FALSE(pattern->parse(""));

  const auto loose = DatePattern::compile("d/M/yy");
  REQUIRE(loose);
  CHECK(loose->parse("5/3/24") == CivilDate{2024, 3, 5});
  CHECK(loose->parse("05/12/69") == CivilDate{1969, 12, 5});
  CHECK(loose->parse("05/12/68") == CivilDate{2068, 12, 5});
  CHECK(loose->format(CivilDate{2024, 3, 5}) == "5/3/24");

  const auto us = DatePattern::compile("MM/dd/yyyy");
  REQUIRE(us);
  CHECK(us->format(CivilDate{987, 7, 4}) == "07/04/0987");
}

TEST_CASE("date patterns refuse letters they do not know", "[mapping][date]") {
  CHECK(DatePattern::compile("dd.mm.yyyy").error().find("unsupported 'mm' at position 4") !=
        std::string::npos);
  CHECK(DatePattern::compile("dd.MMM.yyyy").error().find("unsupported 'MMM'") != std::string::npos);
  CHECK(DatePattern::compile("yyy-MM-dd").error().find("unsupported 'yyy'") != std::string::npos);
  CHECK(DatePattern::compile("dd.MM").error().find("needs a year") != std::string::npos);
  CHECK(DatePattern::compile("dd.MM.yyyy dd").error().find("has the day twice") !=
        std::string::npos);
}

TEST_CASE("ISO dates and RFC 3339 timestamps", "[mapping][date]") {
  CHECK(parse_iso_date("2024-06-01") == CivilDate{2024, 6, 1});
  CHECK(parse_iso_date("2026-11-26T23:37:24Z") == CivilDate{2026, 11, 26});
  CHECK(parse_iso_date("2026-11-26 23:37") == CivilDate{2026, 11, 26});
  CHECK_FALSE(parse_iso_date("2026-11-26X"));
  CHECK_FALSE(parse_iso_date("2026-13-01"));
  CHECK_FALSE(parse_iso_date("26-11-2026"));
  CHECK(format_iso_date(CivilDate{2024, 2, 9}) == "2024-02-09");
  CHECK(CivilDate{1970, 1, 1}.days_since_epoch() == 0);
  CHECK(CivilDate{2000, 3, 1}.days_since_epoch() == 11017);
  CHECK(CivilDate{1969, 12, 31}.days_since_epoch() == -1);
}

}  // namespace
}  // namespace daoctl::mapping
