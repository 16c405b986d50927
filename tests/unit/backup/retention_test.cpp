// Retention with restic's semantics, as tables: each case lists snapshots
// (RFC 3339), a policy, and the snapshots kept with the rules that keep them.
#include <catch2/catch.hpp>

#include <map>

#include "core/backup/retention.hpp"

using namespace daoctl::backup;
using namespace std::chrono;

namespace {

SysSeconds at(const char* text) {
  auto t = parse_rfc3339(text);
  REQUIRE(t);
  return *t;
}

std::vector<Snapshot> snaps(std::initializer_list<std::pair<const char*, const char*>> list) {
  std::vector<Snapshot> out;
  for (auto& [id, time] : list) out.push_back({id, at(time)});
  return out;
}

// "id:reason+reason" for every kept snapshot, newest first.
std::vector<std::string> kept(const std::vector<Snapshot>& s, const RetentionPolicy& p,
                              UtcOffsetAt offset = fixed_utc_offset(seconds{0})) {
  auto decisions = plan_retention(s, p, offset);
  REQUIRE(decisions);
  std::vector<std::string> out;
  for (const auto& d : *decisions) {
    if (!d.keep) continue;
    std::string line = d.snapshot.id + ":";
    for (std::size_t i = 0; i < d.reasons.size(); ++i) line += (i ? "+" : "") + d.reasons[i];
    out.push_back(line);
  }
  return out;
}

RetentionPolicy within(const char* text) {
  RetentionPolicy p;
  auto w = parse_keep_within(text);
  REQUIRE(w);
  p.keep_within = *w;
  return p;
}

}  // namespace

TEST_CASE("keep-last keeps the N newest whatever the input order") {
  auto s = snaps({{"1", "2026-01-01T10:00:00Z"}, {"3", "2026-01-03T10:00:00Z"}, {"2", "2026-01-02T10:00:00Z"},
                  {"4", "2026-01-04T10:00:00Z"}});
  RetentionPolicy p;
  p.keep_last = 2;
  CHECK(kept(s, p) == std::vector<std::string>{"4:last snapshot", "3:last snapshot"});
}

TEST_CASE("keep-daily keeps the newest of each day and days without backups do not count") {
  auto s = snaps({{"1", "2026-01-01T08:00:00Z"}, {"2", "2026-01-01T20:00:00Z"}, {"3", "2026-01-03T09:00:00Z"},
                  {"4", "2026-01-07T09:00:00Z"}, {"5", "2026-01-07T10:00:00Z"}});
  RetentionPolicy p;
  p.keep_daily = 3;
  CHECK(kept(s, p) ==
        std::vector<std::string>{"5:daily snapshot", "3:daily snapshot", "2:daily snapshot"});
}

TEST_CASE("a snapshot kept by several rules reports every rule") {
  auto s = snaps({{"1", "2026-01-30T08:00:00Z"}, {"2", "2026-02-02T08:00:00Z"}, {"3", "2026-02-03T08:00:00Z"}});
  RetentionPolicy p;
  p.keep_last = 1;
  p.keep_daily = 2;
  p.keep_monthly = 2;
  CHECK(kept(s, p) == std::vector<std::string>{"3:last snapshot+daily snapshot+monthly snapshot",
                                               "2:daily snapshot", "1:monthly snapshot"});
}

TEST_CASE("weekly buckets are ISO weeks, which cross the new year") {
  // 2024-12-29 is a Sunday of 2024-W52; 2024-12-31 and 2025-01-02 are both in 2025-W01.
  auto s = snaps({{"1", "2024-12-29T12:00:00Z"}, {"2", "2024-12-31T12:00:00Z"}, {"3", "2025-01-02T12:00:00Z"}});
  RetentionPolicy p;
  p.keep_weekly = 2;
  CHECK(kept(s, p) == std::vector<std::string>{"3:weekly snapshot", "1:weekly snapshot"});
}

TEST_CASE("iso_week follows ISO 8601 at year boundaries") {
  struct Row {
    year_month_day day;
    IsoWeek week;
  };
  std::vector<Row> rows = {
      {2021y / January / 3, {2020, 53}},    // Sunday after a 53-week year
      {2021y / January / 4, {2021, 1}},     // its Monday
      {2024y / December / 30, {2025, 1}},   // Monday in next year's week 1
      {2026y / December / 31, {2026, 53}},  // 2026 starts on a Thursday: 53 weeks
      {2027y / January / 1, {2026, 53}},
      {2023y / January / 1, {2022, 52}},
  };
  for (const auto& r : rows) {
    INFO(static_cast<int>(r.day.year()) << "-" << static_cast<unsigned>(r.day.month()) << "-"
                                        << static_cast<unsigned>(r.day.day()));
    CHECK(iso_week(r.day) == r.week);
  }
}

TEST_CASE("days are local days: the UTC offset moves a backup into another day") {
  auto s = snaps({{"A", "2026-03-01T20:00:00Z"}, {"B", "2026-03-01T23:30:00Z"}, {"C", "2026-03-02T00:30:00Z"}});
  RetentionPolicy p;
  p.keep_daily = 2;
  CHECK(kept(s, p) == std::vector<std::string>{"C:daily snapshot", "B:daily snapshot"});
  // In UTC+3, B and C are both on 2 March local time and A is on 1 March.
  CHECK(kept(s, p, fixed_utc_offset(hours{3})) == std::vector<std::string>{"C:daily snapshot", "A:daily snapshot"});
  // An offset that changes between the snapshots (a DST end at 23:45Z): each
  // snapshot is placed with the offset in effect at its own instant, so B
  // (UTC+1, 00:30 on 2 March) shares C's day; with C's offset (UTC+0) for
  // all, B would have stayed on 1 March and been kept instead of A.
  UtcOffsetAt dst = [&](SysSeconds t) { return t >= at("2026-03-01T23:45:00Z") ? hours{0} : hours{1}; };
  CHECK(kept(s, p, dst) == std::vector<std::string>{"C:daily snapshot", "A:daily snapshot"});
}

TEST_CASE("keep-within counts back from the newest snapshot, not from now, and is exclusive") {
  auto s = snaps({{"1", "2026-01-08T12:00:00Z"}, {"2", "2026-01-08T12:00:01Z"}, {"3", "2026-01-10T12:00:00Z"}});
  CHECK(kept(s, within("2d")) == std::vector<std::string>{"3:within 2d", "2:within 2d"});
  CHECK(kept(s, within("48h")) == std::vector<std::string>{"3:within 48h", "2:within 48h"});
  CHECK(kept(s, within("1d23h")) == std::vector<std::string>{"3:within 1d23h"});
}

TEST_CASE("keep-within months are calendar months that normalise like Go's AddDate") {
  // 31 March minus one month is "31 February", i.e. 3 March (2026 is not a leap year).
  auto s = snaps({{"1", "2026-03-03T00:00:00Z"}, {"2", "2026-03-03T00:00:01Z"}, {"3", "2026-03-31T00:00:00Z"}});
  CHECK(kept(s, within("1m")) == std::vector<std::string>{"3:within 1m", "2:within 1m"});
  auto y = snaps({{"1", "2025-06-01T00:00:00Z"}, {"2", "2025-06-02T00:00:00Z"}, {"3", "2026-06-01T00:00:00Z"}});
  CHECK(kept(y, within("1y")) == std::vector<std::string>{"3:within 1y", "2:within 1y"});
}

TEST_CASE("monthly buckets skip months without backups and -1 keeps every period") {
  auto s = snaps({{"1", "2026-01-15T00:00:00Z"}, {"2", "2026-03-10T00:00:00Z"}, {"3", "2026-03-20T00:00:00Z"},
                  {"4", "2026-04-01T00:00:00Z"}});
  RetentionPolicy p;
  p.keep_monthly = 2;
  CHECK(kept(s, p) == std::vector<std::string>{"4:monthly snapshot", "3:monthly snapshot"});
  p.keep_monthly = -1;
  CHECK(kept(s, p) ==
        std::vector<std::string>{"4:monthly snapshot", "3:monthly snapshot", "1:monthly snapshot"});
}

TEST_CASE("the same second orders by id, numbers as numbers") {
  auto s = snaps({{"9", "2026-01-01T00:00:00Z"}, {"10", "2026-01-01T00:00:00Z"}});
  RetentionPolicy p;
  p.keep_last = 1;
  CHECK(kept(s, p) == std::vector<std::string>{"10:last snapshot"});
}

TEST_CASE("an empty policy or a count below -1 is refused instead of deleting everything") {
  auto s = snaps({{"1", "2026-01-01T00:00:00Z"}});
  auto empty = plan_retention(s, RetentionPolicy{}, fixed_utc_offset(seconds{0}));
  REQUIRE_FALSE(empty);
  CHECK(empty.error().kind == daoctl::ErrorKind::Usage);
  RetentionPolicy p;
  p.keep_daily = -2;
  CHECK_FALSE(plan_retention(s, p, fixed_utc_offset(seconds{0})));
  // No snapshots at all is fine: nothing to decide.
  p.keep_daily = 1;
  auto none = plan_retention({}, p, fixed_utc_offset(seconds{0}));
  REQUIRE(none);
  CHECK(none->empty());
}

TEST_CASE("keep-within durations parse like restic's and name what is wrong") {
  struct Row {
    const char* text;
    bool ok;
    int y, m, d, h;
  };
  std::vector<Row> rows = {{"7d", true, 0, 0, 7, 0},    {"1y6m", true, 1, 6, 0, 0}, {"2y3m4d5h", true, 2, 3, 4, 5},
                           {"36h", true, 0, 0, 0, 36},  {"2w", false, 0, 0, 0, 0},  {"", false, 0, 0, 0, 0},
                           {"d", false, 0, 0, 0, 0},    {"7", false, 0, 0, 0, 0}};
  for (const auto& r : rows) {
    INFO(r.text);
    auto w = parse_keep_within(r.text);
    REQUIRE(bool(w) == r.ok);
    if (!w) {
      CHECK(w.error().kind == daoctl::ErrorKind::Usage);
      CHECK(w.error().object.find(r.text) != std::string::npos);
      continue;
    }
    CHECK(w->years == r.y);
    CHECK(w->months == r.m);
    CHECK(w->days == r.d);
    CHECK(w->hours == r.h);
  }
}

TEST_CASE("RFC 3339 timestamps parse with Z, offsets and fractions") {
  CHECK(format_rfc3339(at("2026-11-26T23:37:24Z")) == "2026-11-26T23:37:24Z");
  CHECK(format_rfc3339(at("2026-11-27T02:37:24+03:00")) == "2026-11-26T23:37:24Z");
  CHECK(format_rfc3339(at("2026-11-26T23:37:24.123Z")) == "2026-11-26T23:37:24Z");
  CHECK_FALSE(parse_rfc3339("2026-02-30T00:00:00Z"));
  CHECK_FALSE(parse_rfc3339("2026-11-26 23:37:24"));
}
