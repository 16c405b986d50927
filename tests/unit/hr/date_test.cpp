#include <catch2/catch.hpp>

#include "core/text/date.hpp"

using namespace daoctl;
using namespace daoctl::text;

TEST_CASE("civil dates parse by pattern", "[date]") {
  struct Case {
    const char* pattern;
    const char* value;
    const char* expected;
  };
  const Case cases[] = {
      {"dd.MM.yyyy", "15.01.2020", "2020-01-15"},
      {"dd.MM.yyyy", " 29.02.2024 ", "2024-02-29"},
      {"yyyy-MM-dd", "1999-12-31", "1999-12-31"},
      {"MM/dd/yyyy", "03/15/2019", "2019-03-15"},
      {"M/d/yyyy", "3/5/2019", "2019-03-05"},
      {"d.M.yy", "1.2.68", "2068-02-01"},
      {"d.M.yy", "31.12.69", "1969-12-31"},
      {"dd.MM.yyyy HH:mm", "15.01.2020 23:59", "2020-01-15"},
      {"yyyy'г.'MM", "2020г.05", nullptr},  // no day: rejected at compile time
      {"iso8601", "2020-01-15", "2020-01-15"},
      {"iso8601", "2020-01-15-08:00", "2020-01-15"},
      {"rfc3339", "2020-01-15T00:00:00+03:00", "2020-01-15"},
      {"iso8601", "2020-01-15T10:20:30.123Z", "2020-01-15"},
  };
  for (const auto& c : cases) {
    INFO(c.pattern << " " << c.value);
    auto p = DatePattern::compile(c.pattern);
    if (c.expected == nullptr) {
      CHECK_FALSE(p);
      continue;
    }
    REQUIRE(p);
    auto d = p->parse_date(c.value);
    REQUIRE(d);
    CHECK(d->to_string() == c.expected);
  }
}

TEST_CASE("date errors name the value, the pattern and the cause", "[date]") {
  struct Case {
    const char* pattern;
    const char* value;
    const char* detail;
  };
  const Case cases[] = {
      {"dd.MM.yyyy", "31.02.2020", "day 31 is out of range for 2020-02"},
      {"dd.MM.yyyy", "29.02.2023", "day 29 is out of range for 2023-02"},
      {"dd.MM.yyyy", "1.02.2020", "expected a day (2 digits) at position 1"},
      {"dd.MM.yyyy", "15.13.2020", "month 13 is out of range"},
      {"dd.MM.yyyy", "15.01.20", "expected a year (4 digits) at position 7"},
      {"dd.MM.yyyy", "15.01.2020x", "unexpected 'x' at position 11"},
      {"MM/dd/yyyy", "", "expected a month (2 digits) at position 1"},
      {"iso8601", "2020-01-15T25:00Z", "time 25:00:00 is out of range"},
      {"iso8601", "2020/01/15", "expected '-' at position 5"},
      {"iso8601", "2020-01-15T10:00+3", "expected zone hours at position 18"},
  };
  for (const auto& c : cases) {
    INFO(c.pattern << " " << c.value);
    auto p = DatePattern::compile(c.pattern);
    REQUIRE(p);
    auto d = p->parse_date(c.value);
    REQUIRE_FALSE(d);
    CHECK(d.error().kind == ErrorKind::Parse);
    CHECK(d.error().message ==
          std::string("cannot parse date '") + c.value + "' with pattern '" + c.pattern + "'");
    CHECK(d.error().detail == c.detail);
  }
}

TEST_CASE("time points are UTC instants", "[date]") {
  auto iso = DatePattern::compile("iso8601").value();
  CHECK(format_rfc3339(iso.parse_time("2026-11-26T23:37:24Z").value()) == "2026-11-26T23:37:24Z");
  CHECK(format_rfc3339(iso.parse_time("2020-01-15T01:30:00+03:00").value()) ==
        "2020-01-14T22:30:00Z");
  CHECK(format_rfc3339(iso.parse_time("2020-01-15T01:30:00-0530").value()) ==
        "2020-01-15T07:00:00Z");
  CHECK(format_rfc3339(iso.parse_time("2020-01-15").value()) == "2020-01-15T00:00:00Z");
  auto local = iso.parse_time("2020-01-15T10:00:00");
  REQUIRE_FALSE(local);
  CHECK(local.error().detail == "a time of day without a time zone is not an instant");

  auto custom = DatePattern::compile("dd.MM.yyyy HH:mm XXX").value();
  CHECK(format_rfc3339(custom.parse_time("01.03.2021 09:15 +03:00").value()) ==
        "2021-03-01T06:15:00Z");
}

TEST_CASE("date patterns are checked when compiled", "[date]") {
  auto bad = DatePattern::compile("dd.MMM.yyyy");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().kind == ErrorKind::Config);
  CHECK(bad.error().message == "invalid date pattern 'dd.MMM.yyyy'");
  CHECK(bad.error().detail ==
        "'MMM' at position 4 is not a pattern field (quote literal text as '...')");
  auto unterminated = DatePattern::compile("yyyy-MM-dd'T");
  REQUIRE_FALSE(unterminated);
  CHECK(unterminated.error().detail == "unterminated quote at position 11");
  auto quoted = DatePattern::compile("yyyy'г.' MM dd");
  REQUIRE(quoted);
  CHECK(quoted->parse_date("2020г. 05 07").value().to_string() == "2020-05-07");
}

TEST_CASE("several patterns are tried in order", "[date]") {
  std::vector<DatePattern> patterns = {DatePattern::compile("dd.MM.yyyy").value(),
                                       DatePattern::compile("yyyy-MM-dd").value()};
  CHECK(parse_date_any("2020-05-07", patterns).value() == CivilDate{2020, 5, 7});
  CHECK(parse_date_any("07.05.2020", patterns).value() == CivilDate{2020, 5, 7});
  auto r = parse_date_any("7 May 2020", patterns);
  REQUIRE_FALSE(r);
  CHECK(r.error().message ==
        "cannot parse date '7 May 2020' with patterns 'dd.MM.yyyy', 'yyyy-MM-dd'");
  CHECK(CivilDate{2020, 5, 7} < CivilDate{2020, 5, 8});
}

TEST_CASE("parse_rfc3339 reads the instants daoctl and the platform write, and nothing else", "[date]") {
  using std::chrono::seconds;
  auto at = [](std::string_view s) { return text::parse_rfc3339(s).value().time_since_epoch().count(); };
  CHECK(at("2026-11-26T23:37:24Z") == 1795736244);
  CHECK(at("2026-11-26t23:37:24z") == 1795736244);
  CHECK(at("2026-11-26T23:37:24.999Z") == 1795736244);  // the fraction is dropped
  CHECK(at("2026-11-27T02:37:24+03:00") == 1795736244);
  CHECK(at("2026-11-26T18:07:24-05:30") == 1795736244);
  CHECK(at("2016-12-31T23:59:60Z") == at("2016-12-31T23:59:59Z"));  // a leap second is its minute's last
  CHECK(at("0001-01-01T00:00:00Z") == -62135596800);
  for (std::string_view bad : {"", "2026-11-26", "2026-11-26T23:37:24", "2026-11-26 23:37:24Z",
                               "2026-11-26T23:37:24.Z", "2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z",
                               "2026-11-26T24:00:00Z", "2026-11-26T23:60:00Z", "2026-11-26T23:37:24+3:00",
                               "2026-11-26T23:37:24+24:00", "2026-11-26T23:37:24Zjunk", "-026-11-26T23:37:24Z",
                               "+026-11-26T23:37:24Z", "2026-11-26T23:37:24+03:00 "})
    CHECK_FALSE(text::parse_rfc3339(bad));
  // Round trip through the one formatter, and a clock's time point cut to its second.
  CHECK(text::format_rfc3339(*text::parse_rfc3339("2026-11-27T02:37:24+03:00")) == "2026-11-26T23:37:24Z");
  const std::chrono::system_clock::time_point precise = text::TimePoint(seconds(1795736244)) + std::chrono::milliseconds(999);
  CHECK(text::format_rfc3339(precise) == "2026-11-26T23:37:24Z");
  CHECK(text::format_rfc3339(text::TimePoint(seconds(-62135596800))) == "0001-01-01T00:00:00Z");
}
