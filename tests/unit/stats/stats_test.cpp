// core/stats: calendar arithmetic, ranges, and the streaming text writers.
#include <catch2/catch.hpp>
#include <sstream>

#include "core/stats/period.hpp"
#include "core/stats/report.hpp"

using namespace daoctl;
using namespace daoctl::stats;

TEST_CASE("period labels: days, ISO weeks across year ends, months") {
  struct Case {
    int y, m, d;
    Granularity g;
    const char* label;
  };
  const Case cases[] = {
      {2026, 11, 26, Granularity::Day, "2026-11-26"},   {2026, 11, 26, Granularity::Week, "2026-W48"},
      {2026, 11, 26, Granularity::Month, "2026-11"},    {2024, 12, 30, Granularity::Week, "2025-W01"},
      {2021, 1, 3, Granularity::Week, "2020-W53"},      {2025, 1, 1, Granularity::Week, "2025-W01"},
      {2024, 2, 29, Granularity::Month, "2024-02"},     {1969, 12, 31, Granularity::Day, "1969-12-31"},
  };
  for (const auto& c : cases) {
    auto day = days_from_civil(c.y, c.m, c.d);
    INFO(c.label);
    CHECK(period_label(c.g, period_start(c.g, day)) == c.label);
  }
  CHECK(weekday(days_from_civil(2026, 11, 23)) == 0);  // a Monday
  CHECK(week_start(days_from_civil(2026, 11, 29)) == days_from_civil(2026, 11, 23));
  CHECK(month_start(days_from_civil(2026, 11, 29)) == days_from_civil(2026, 11, 1));
  auto c = civil_from_days(days_from_civil(2000, 2, 29));
  CHECK((c.year == 2000 && c.month == 2 && c.day == 29));
}

TEST_CASE("parse_instant takes dates and RFC 3339 times and nothing else") {
  CHECK(parse_instant("1970-01-01") == 0);
  CHECK(parse_instant("2026-11-26T23:37:24Z") == days_from_civil(2026, 11, 26) * 86400 + 23 * 3600 + 37 * 60 + 24);
  CHECK(parse_instant("2026-11-27T02:37:24+03:00") == parse_instant("2026-11-26T23:37:24Z"));
  CHECK(parse_instant("2026-11-26T20:37:24.123-03:00") == parse_instant("2026-11-26T23:37:24Z"));
  for (const char* bad : {"", "2026-11", "2026-02-30", "2025-02-29", "2026-11-26T25:00:00Z", "2026-11-26T10:00:00",
                          "2026-11-26 10:00:00Z", "2026-11-26T10:00:00+3", "yesterday", "2026-11-26Z"}) {
    INFO(bad);
    CHECK_FALSE(parse_instant(bad));
  }
  CHECK(format_rfc3339(-1) == "1969-12-31T23:59:59Z");
  CHECK(format_rfc3339(*parse_instant("2026-11-26T23:37:24Z")) == "2026-11-26T23:37:24Z");
}

TEST_CASE("resolve_range: --since, --from/--to, defaults and usage errors") {
  const std::int64_t now = *parse_instant("2026-11-26T12:00:00Z");
  auto r = resolve_range(std::nullopt, std::nullopt, std::string("30d"), now);
  REQUIRE(r);
  CHECK(r->from == now - 30 * 86400);
  CHECK(r->to == now);
  auto d = resolve_range(std::nullopt, std::nullopt, std::nullopt, now);
  REQUIRE(d);
  CHECK(d->from == now - 30 * 86400);
  auto ft = resolve_range(std::string("2026-11-01"), std::string("2026-11-08"), std::nullopt, now);
  REQUIRE(ft);
  CHECK(ft->to - ft->from == 7 * 86400);
  CHECK(parse_duration("2w") == 14 * 86400);
  CHECK(parse_duration("90m") == 5400);
  CHECK_FALSE(parse_duration("0d"));
  CHECK_FALSE(parse_duration("d"));
  CHECK_FALSE(parse_duration("99999999999999999999d"));

  struct Bad {
    std::optional<std::string> from, to, since;
    const char* object;
  };
  const Bad bad[] = {
      {std::string("2026-11-01"), std::nullopt, std::string("7d"), "--since 7d"},
      {std::nullopt, std::string("2026-11-01"), std::nullopt, "--to 2026-11-01"},
      {std::string("Nov 1"), std::nullopt, std::nullopt, "--from Nov 1"},
      {std::nullopt, std::nullopt, std::string("30x"), "--since 30x"},
      {std::string("2026-11-08"), std::string("2026-11-01"), std::nullopt, "2026-11-08T00:00:00Z .. 2026-11-01T00:00:00Z"},
  };
  for (const auto& b : bad) {
    auto e = resolve_range(b.from, b.to, b.since, now);
    INFO(b.object);
    REQUIRE_FALSE(e);
    CHECK(e.error().kind == ErrorKind::Usage);
    CHECK(e.error().object == b.object);
  }
}

namespace {
json activity_row(const char* department) {
  return json{{"period", "2026-11-26"}, {"period_start", "2026-11-26T00:00:00Z"}, {"department_id", "3"},
              {"department", department}, {"user_id", nullptr}, {"active_users", 12},
              {"logins", 30}, {"posts", 2}, {"comments", 5}, {"reactions", 9}, {"views", 140}};
}
ReportScope activity_scope(GroupBy group_by) {
  ReportScope s;
  s.kind = ReportKind::Activity;
  s.range = {*parse_instant("2026-11-01"), *parse_instant("2026-12-01")};
  s.group_by = group_by;
  s.generated_at = "2026-12-01T08:00:00Z";
  return s;
}
}  // namespace

TEST_CASE("CSV export: RFC 4180, injection neutralised, integers bare, BOM on request") {
  std::ostringstream out;
  auto scope = activity_scope(GroupBy::Department);
  auto w = make_csv_writer(out, /*excel_bom=*/true);
  w->begin(scope, report_columns(ReportKind::Activity, GroupBy::Department));
  w->row(activity_row("=HYPERLINK(\"http://evil\",\"x\")"));
  w->row(activity_row("Company/Sales, \"North\""));
  w->end();
  CHECK(out.str() ==
        "\xEF\xBB\xBF"
        "period,period_start (UTC),department_id,department,active_users,logins,posts,comments,reactions,views\r\n"
        "2026-11-26,2026-11-26T00:00:00Z,3,\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\",12,30,2,5,9,140\r\n"
        "2026-11-26,2026-11-26T00:00:00Z,3,\"Company/Sales, \"\"North\"\"\",12,30,2,5,9,140\r\n");
}

TEST_CASE("JSON export is one document with the scope and UTC, NDJSON one row per line") {
  std::ostringstream json_out, nd_out;
  auto scope = activity_scope(GroupBy::None);
  auto j = make_json_writer(json_out);
  j->begin(scope, report_columns(ReportKind::Activity, GroupBy::None));
  j->row(activity_row("IT"));
  j->row(activity_row("HR"));
  j->end();
  auto doc = json::parse(json_out.str());
  CHECK(doc["time_zone"] == "UTC");
  CHECK(doc["from"] == "2026-11-01T00:00:00Z");
  CHECK(doc["to"] == "2026-12-01T00:00:00Z");
  CHECK(doc["granularity"] == "day");
  CHECK(doc["rows"].size() == 2);
  CHECK(doc["rows"][1]["department"] == "HR");

  std::ostringstream empty_out;
  auto e = make_json_writer(empty_out);
  e->begin(scope, {});
  e->end();
  CHECK(json::parse(empty_out.str())["rows"].empty());

  auto n = make_ndjson_writer(nd_out);
  n->begin(scope, {});
  n->row(activity_row("IT"));
  n->row(activity_row("HR"));
  n->end();
  std::istringstream lines(nd_out.str());
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) {
    CHECK(json::parse(line)["period_start"] == "2026-11-26T00:00:00Z");
    ++count;
  }
  CHECK(count == 2);
}

TEST_CASE("Prometheus samples escape label values and carry the period") {
  CHECK(prometheus_label_value("a\"b\\c\nd") == "a\\\"b\\\\c\\nd");
  auto samples = prometheus_row_samples(activity_scope(GroupBy::Department), activity_row("Company/\"R&D\""));
  REQUIRE(samples.size() == prometheus_families(ReportKind::Activity).size());
  CHECK(samples[0] ==
        "daoffice_activity_active_users{granularity=\"day\",period=\"2026-11-26\",department_id=\"3\","
        "department=\"Company/\\\"R&D\\\"\"} 12\n");
  CHECK(samples[5].ends_with("} 140\n"));
}

TEST_CASE("awards report: columns, CSV with a hostile badge name, JSON scope, Prometheus per badge") {
  CHECK(parse_report("awards") == ReportKind::Awards);
  CHECK(std::string(to_string(ReportKind::Awards)) == "awards");
  const auto columns = report_columns(ReportKind::Awards, GroupBy::Department);  // group_by does not apply
  std::vector<std::string> keys;
  for (const auto& c : columns) keys.push_back(c.key);
  CHECK(keys == std::vector<std::string>{"period", "period_start", "badge_id", "badge_name", "awarded"});
  ReportScope scope;
  scope.kind = ReportKind::Awards;
  scope.range = {days_from_civil(2026, 11, 1) * 86400, days_from_civil(2026, 12, 1) * 86400};
  scope.granularity = Granularity::Week;
  scope.generated_at = "2026-12-01T08:00:00Z";
  const json hostile = {{"period", "2026-W45"}, {"period_start", "2026-11-02T00:00:00Z"}, {"badge_id", "4"},
                        {"badge_name", "=HYPERLINK(\"x\") \"<b>\" שלום"}, {"awarded", 3}};
  const json deleted = {{"period", "2026-W45"}, {"period_start", "2026-11-02T00:00:00Z"}, {"badge_id", "9"},
                        {"badge_name", nullptr}, {"awarded", 1}};
  std::ostringstream csv;
  auto w = make_csv_writer(csv, false);
  w->begin(scope, columns);
  w->row(hostile);
  w->row(deleted);
  w->end();
  CHECK(csv.str() ==
        "period,period_start (UTC),badge_id,badge_name,awarded\r\n"
        "2026-W45,2026-11-02T00:00:00Z,4,\"'=HYPERLINK(\"\"x\"\") \"\"<b>\"\" שלום\",3\r\n"
        "2026-W45,2026-11-02T00:00:00Z,9,,1\r\n");
  std::ostringstream doc;
  auto j = make_json_writer(doc);
  j->begin(scope, columns);
  j->row(hostile);
  j->end();
  auto parsed = json::parse(doc.str());
  CHECK(parsed["report"] == "awards");
  CHECK(parsed["granularity"] == "week");
  CHECK_FALSE(parsed.contains("group_by"));
  CHECK(parsed["rows"][0]["badge_name"] == hostile["badge_name"]);
  REQUIRE(prometheus_families(ReportKind::Awards).size() == 1);
  auto samples = prometheus_row_samples(scope, hostile);
  REQUIRE(samples.size() == 1);
  CHECK(samples[0] ==
        "daoffice_badges_awarded{granularity=\"week\",period=\"2026-W45\",badge_id=\"4\","
        "badge_name=\"=HYPERLINK(\\\"x\\\") \\\"<b>\\\" שלום\"} 3\n");
  CHECK(prometheus_row_samples(scope, deleted)[0].ends_with("badge_id=\"9\",badge_name=\"\"} 1\n"));
}
