// daoctl-sim statistics: the seeded activity pages out with the generator's
// own totals in every granularity and grouping, keyset pages stay as fast at
// the end as at the start, logins and admin actions are recorded by the
// store's triggers, and the seed is deterministic.
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>

#include "sim/activity_seed.hpp"
#include "sim/content_wire.hpp"
#include "sim/seed.hpp"
#include "sim/sqlite_db.hpp"
#include "sim/stats_store.hpp"
#include "sim/store_badges.hpp"
#include "sim/store.hpp"

using namespace daoctl;
using namespace daoctl::sim;
using nlohmann::json;

namespace {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    path = std::filesystem::temp_directory_path() / ("sim_stats_" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

struct Sums {
  std::int64_t rows = 0, active = 0, logins = 0, posts = 0, comments = 0, reactions = 0, views = 0;
};

// Every page of one activity query, summed.
Sums page_all(Store& store, ActivityQuery q, std::int64_t* pages = nullptr) {
  Sums s;
  for (;;) {
    StatsPage page;
    {
      std::lock_guard lock(store.mutex());
      page = activity_page_locked(store.db(), q);
    }
    if (pages) ++*pages;
    for (const auto& text : page.items_json) {
      auto row = json::parse(text);
      ++s.rows;
      s.active += row["active_users"].get<std::int64_t>();
      s.logins += row["logins"].get<std::int64_t>();
      s.posts += row["posts"].get<std::int64_t>();
      s.comments += row["comments"].get<std::int64_t>();
      s.reactions += row["reactions"].get<std::int64_t>();
      s.views += row["views"].get<std::int64_t>();
    }
    if (!page.next_cursor) return s;
    q.after = decode_activity_cursor(*page.next_cursor);
    REQUIRE(q.after);
  }
}

}  // namespace

TEST_CASE("seeded activity pages out with the generator's totals in every shape") {
  TempDir dir;
  Store store(dir.path);
  SeedOptions seed;
  seed.users = 120;
  seed.departments = 10;
  auto data = generate_seed(seed);
  REQUIRE(store.bulk_load(data));
  ActivitySeedOptions options;
  options.days = 45;
  // The generator's arithmetic with no store involved.
  auto expected = generate_activity(data, options, {});
  auto written = seed_activity(store, data, options);
  CHECK(written.logins == expected.logins);
  REQUIRE(expected.rows > 1000);

  for (auto g : {stats::Granularity::Day, stats::Granularity::Week, stats::Granularity::Month}) {
    for (auto b : {stats::GroupBy::None, stats::GroupBy::Department, stats::GroupBy::User}) {
      ActivityQuery q;
      q.from_day = options.first_day;
      q.to_day = options.first_day + options.days;
      q.granularity = g;
      q.group_by = b;
      q.limit = 37;  // odd page size: pages end in the middle of periods
      auto s = page_all(store, q);
      INFO(stats::to_string(g) << " by " << stats::to_string(b));
      CHECK(s.logins == expected.logins);
      CHECK(s.posts == expected.posts);
      CHECK(s.comments == expected.comments);
      CHECK(s.reactions == expected.reactions);
      CHECK(s.views == expected.views);
      if (g == stats::Granularity::Day) CHECK(s.active == expected.rows);  // sum of DAU = user-days
      if (g == stats::Granularity::Day && b == stats::GroupBy::User) CHECK(s.rows == expected.rows);
    }
  }

  // A range that cuts a week in half counts only the days inside it.
  ActivityQuery first_day;
  first_day.from_day = options.first_day;
  first_day.to_day = options.first_day + 1;
  first_day.granularity = stats::Granularity::Week;
  auto one = page_all(store, first_day);
  CHECK(one.rows == 1);
  first_day.granularity = stats::Granularity::Day;
  CHECK(page_all(store, first_day).logins == one.logins);
}

TEST_CASE("weekdays are busier than weekends and departments differ") {
  SeedOptions seed;
  seed.users = 400;
  seed.departments = 13;  // Company + the twelve divisions
  auto data = generate_seed(seed);
  ActivitySeedOptions options;
  options.days = 28;
  options.first_day = stats::days_from_civil(2025, 2, 3);  // a Monday after the holidays
  std::int64_t weekday_rows = 0, weekend_rows = 0;
  std::map<std::int64_t, std::pair<std::int64_t, std::int64_t>> by_department;  // rows, views
  ActivitySink sink;
  sink.activity = [&](const DailyActivity& row) {
    (stats::weekday(row.day) >= 5 ? weekend_rows : weekday_rows) += 1;
    by_department[row.department_id].first += 1;
    by_department[row.department_id].second += row.views;
  };
  auto totals = generate_activity(data, options, sink);
  // 20 weekdays and 8 weekend days: per day, weekdays are several times busier.
  CHECK(weekday_rows * 8 > 4 * weekend_rows * 20);
  CHECK(weekend_rows > 0);
  // IT (department 2) views more per active day than Logistics (department 11).
  auto per_day = [&](std::int64_t id) {
    return static_cast<double>(by_department[id].second) / static_cast<double>(by_department[id].first);
  };
  CHECK(per_day(2) > 2 * per_day(11));
  // Deterministic: the same inputs give the same totals.
  auto again = generate_activity(data, options, {});
  CHECK(again.logins == totals.logins);
  CHECK(again.views == totals.views);
  CHECK(again.invitations == totals.invitations);
}

TEST_CASE("logins and admin actions are recorded by the store's triggers") {
  TempDir dir;
  Store store(dir.path);
  {
    std::lock_guard lock(store.mutex());
    ensure_stats_schema(store.db());
  }
  auto dept = store.create_department("=HYPERLINK(\"x\")", std::nullopt, std::nullopt, std::nullopt);
  REQUIRE(dept);
  UserRecord user;
  user.user_name = "jdoe";
  user.display_name = "J Doe";
  user.department_id = dept->id;
  user.body = R"({"userName":"jdoe"})";
  auto created = store.create_user(user);
  REQUIRE(created);
  REQUIRE(store.create_credential(CredentialKind::Session, created->id, "web"));
  REQUIRE(store.create_credential(CredentialKind::Session, created->id, "mobile"));
  REQUIRE(store.create_credential(CredentialKind::Token, created->id, "ci"));  // a token is no login
  record_activity(store, created->id, ActivityKind::Post, std::time(nullptr));

  auto today = stats::day_of(std::time(nullptr));
  ActivityQuery q;
  q.from_day = today;
  q.to_day = today + 1;
  q.group_by = stats::GroupBy::Department;
  StatsPage page;
  {
    std::lock_guard lock(store.mutex());
    page = activity_page_locked(store.db(), q);
  }
  REQUIRE(page.items_json.size() == 1);
  auto row = json::parse(page.items_json[0]);
  CHECK(row["logins"] == 2);
  CHECK(row["posts"] == 1);
  CHECK(row["active_users"] == 1);
  CHECK(row["department"] == "=HYPERLINK(\"x\")");
  CHECK(row["department_id"] == std::to_string(dept->id));

  user.active = false;
  REQUIRE(store.replace_user(created->id, user, Precondition{}));
  REQUIRE(store.revoke_credentials(CredentialKind::Session, created->id));
  AuditQuery a;
  a.limit = 100;
  {
    std::lock_guard lock(store.mutex());
    page = audit_page_locked(store.db(), a);
  }
  std::vector<std::string> actions;
  for (const auto& text : page.items_json) actions.push_back(json::parse(text)["action"]);
  CHECK(actions == std::vector<std::string>{"department.create", "user.create", "user.block", "session.revoke",
                                            "session.revoke"});
}

TEST_CASE("keyset paging: the last page of 300k rows is as fast as the first") {
  TempDir dir;
  Store store(dir.path);
  SeedOptions seed;
  seed.users = 3000;
  auto data = generate_seed(seed);
  REQUIRE(store.bulk_load(data));
  ActivitySeedOptions options;
  options.days = 140;
  auto totals = seed_activity(store, data, options);
  REQUIRE(totals.rows > 200'000);
  ActivityQuery q;
  q.from_day = options.first_day;
  q.to_day = options.first_day + options.days;
  q.group_by = stats::GroupBy::User;
  q.limit = 1000;
  // Best of three: one sample on a loaded 2-core machine (the suite runs
  // -j2) can include a preemption of 10 ms or more, longer than the page.
  auto timed_page = [&](const ActivityQuery& query) {
    std::chrono::steady_clock::duration best = std::chrono::hours(1);
    decltype(activity_page_locked(store.db(), query)) page;
    for (int i = 0; i < 3; ++i) {
      auto start = std::chrono::steady_clock::now();
      std::lock_guard lock(store.mutex());
      page = activity_page_locked(store.db(), query);
      best = std::min(best, std::chrono::steady_clock::now() - start);
    }
    return std::pair{best, page};
  };
  auto [first_time, first] = timed_page(q);
  // Jump to the last day's cursor: a scan that ignored the keyset would be slow here.
  q.after = std::pair{q.to_day - 1, std::int64_t{0}};
  auto [last_time, last] = timed_page(q);
  CHECK_FALSE(last.items_json.empty());
  CHECK(last_time < first_time * 5 + std::chrono::milliseconds(5));
  for (auto g : {stats::Granularity::Week, stats::Granularity::Month}) {
    q.granularity = g;
    q.after = std::pair{stats::period_start(g, q.to_day - 1), std::int64_t{0}};
    auto [t, page] = timed_page(q);
    INFO(stats::to_string(g));
    CHECK(t < std::chrono::milliseconds(200));
  }
}

// ------------------------------------------------------------------ awards

namespace {

// Every page of one awards query: rows as parsed JSON, and the page count.
std::vector<json> award_rows(Store& store, AwardStatsQuery q, std::int64_t* pages = nullptr) {
  std::vector<json> rows;
  for (;;) {
    StatsPage page;
    {
      std::lock_guard lock(store.mutex());
      page = award_stats_page_locked(store.db(), q);
    }
    if (pages) ++*pages;
    for (const auto& text : page.items_json) rows.push_back(json::parse(text));
    if (!page.next_cursor) return rows;
    // An awards cursor is not an activity cursor, and the reverse.
    CHECK_FALSE(decode_activity_cursor(*page.next_cursor));
    q.after = decode_award_cursor(*page.next_cursor);
    REQUIRE(q.after);
  }
}

std::int64_t at(const char* rfc3339) { return *stats::parse_instant(rfc3339); }

std::int64_t awarded_sum(const std::vector<json>& rows) {
  std::int64_t sum = 0;
  for (const auto& r : rows) sum += r["awarded"].get<std::int64_t>();
  return sum;
}

}  // namespace

TEST_CASE("awards: from is inclusive, to exclusive, to the second") {
  TempDir dir;
  Store store(dir.path);
  std::lock_guard lock(store.mutex());
  auto& db = store.db();
  ensure_stats_schema(db);
  REQUIRE(record_award_locked(db, 1, 7, "2026-11-01T00:00:00Z"));       // exactly at from: counted
  REQUIRE(record_award_locked(db, 2, 7, "2026-11-30T23:59:59Z"));       // the last second: counted
  REQUIRE(record_award_locked(db, 3, 7, "2026-12-01T00:00:00Z"));       // exactly at to: not counted
  REQUIRE(record_award_locked(db, 4, 7, "2026-10-31T23:59:59Z"));       // a second before from
  REQUIRE(record_award_locked(db, 5, 8, "2026-11-01T02:00:00+03:00"));  // 2026-10-31T23:00Z: before
  CHECK_FALSE(record_award_locked(db, 6, 8, "yesterday"));             // not counted rather than refused
  AwardStatsQuery q;
  q.from = at("2026-11-01T00:00:00Z");
  q.to = at("2026-12-01T00:00:00Z");
  q.granularity = stats::Granularity::Month;
  auto page = award_stats_page_locked(db, q);
  REQUIRE(page.items_json.size() == 1);
  auto row = json::parse(page.items_json[0]);
  CHECK(row["period"] == "2026-11");
  CHECK(row["period_start"] == "2026-11-01T00:00:00Z");
  CHECK(row["badge_id"] == "7");
  CHECK(row["badge_name"].is_null());  // no catalogue at all: no name, still counted
  CHECK(row["awarded"] == 2);
  CHECK_FALSE(page.next_cursor);

  // A range inside a week: the week's row counts only the instants in range.
  q.from = at("2026-11-30T23:59:59Z");
  q.to = at("2026-12-01T00:00:01Z");
  q.granularity = stats::Granularity::Week;
  page = award_stats_page_locked(db, q);
  // Both seconds are in the ISO week of Monday 30 November: one row of two,
  // although the week began before `from`.
  REQUIRE(page.items_json.size() == 1);
  CHECK(json::parse(page.items_json[0])["period"] == "2026-W49");
  CHECK(json::parse(page.items_json[0])["period_start"] == "2026-11-30T00:00:00Z");
  CHECK(json::parse(page.items_json[0])["awarded"] == 2);
}

TEST_CASE("awards: names from the catalogue now, a deleted badge keeps its count without a name") {
  TempDir dir;
  Store store(dir.path);
  std::lock_guard lock(store.mutex());
  auto& db = store.db();
  BadgeTable badges(store);
  badges.create();
  std::vector<std::int64_t> ids;
  for (std::string name : {"<script>alert(1)</script>", "שלום \"quoted\" & 'single'", "Doomed"}) {
    Badge b;
    b.name = name;
    b.created_at = b.updated_at = "2026-01-01T00:00:00Z";
    badges.insert(b);
    ids.push_back(b.id);
  }
  for (int i = 0; i < 3; ++i)
    for (int k = 0; k <= i; ++k)
      REQUIRE(record_award_locked(db, 10 * i + k + 1, ids[static_cast<std::size_t>(i)], "2026-03-04T10:00:00Z"));
  badges.remove(ids[2]);
  AwardStatsQuery q;
  q.from = at("2026-03-01T00:00:00Z");
  q.to = at("2026-04-01T00:00:00Z");
  auto page = award_stats_page_locked(db, q);
  REQUIRE(page.items_json.size() == 3);
  auto a = json::parse(page.items_json[0]), b = json::parse(page.items_json[1]), c = json::parse(page.items_json[2]);
  CHECK(a["badge_name"] == "<script>alert(1)</script>");
  CHECK(a["awarded"] == 1);
  CHECK(b["badge_name"] == "שלום \"quoted\" & 'single'");
  CHECK(b["awarded"] == 2);
  CHECK(c["badge_id"] == std::to_string(ids[2]));
  CHECK(c["badge_name"].is_null());
  CHECK(c["awarded"] == 3);
  CHECK(a["period"] == "2026-03-04");
}

TEST_CASE("awards: keyset pages at every size give the same rows, the boundary rows once") {
  TempDir dir;
  Store store(dir.path);
  {
    std::lock_guard lock(store.mutex());
    auto& db = store.db();
    ensure_stats_schema(db);
    // 5 badges on 10 days, badge b awarded b times a day: 150 awards, 50 rows.
    std::int64_t id = 0;
    for (int day = 1; day <= 10; ++day)
      for (int badge = 1; badge <= 5; ++badge)
        for (int n = 0; n < badge; ++n)
          REQUIRE(record_award_locked(db, ++id, badge, fmt::format("2026-02-{:02}T12:{:02}:00Z", day, n)));
  }
  AwardStatsQuery q;
  q.from = at("2026-02-01");
  q.to = at("2026-02-11");
  q.limit = 1000;
  const auto all = award_rows(store, q);
  REQUIRE(all.size() == 50);
  CHECK(awarded_sum(all) == 150);
  for (std::int64_t limit : {1, 4, 5, 7, 49, 50, 51}) {
    q.limit = limit;
    std::int64_t pages = 0;
    auto rows = award_rows(store, q, &pages);
    INFO("limit " << limit);
    CHECK(rows == all);
    CHECK(pages == (50 + limit - 1) / limit);  // a full last page says so: no empty page after it
  }
  // Weekly and monthly sums are the same awards.
  for (auto g : {stats::Granularity::Week, stats::Granularity::Month}) {
    q.granularity = g;
    q.limit = 2;
    CHECK(awarded_sum(award_rows(store, q)) == 150);
  }
  CHECK_FALSE(decode_award_cursor(encode_activity_cursor(1, 2)));
  CHECK(decode_award_cursor(encode_award_cursor(-3, 2)) == std::pair<std::int64_t, std::int64_t>{-3, 2});
}

TEST_CASE("seeded awards: deterministic, listed per user and counted by /stats/awards alike") {
  TempDir dir;
  Store store(dir.path);
  SeedOptions seed;
  seed.users = 200;
  seed.departments = 8;
  auto data = generate_seed(seed);
  REQUIRE(store.bulk_load(data));
  ActivitySeedOptions options;
  options.days = 60;
  auto expected = generate_activity(data, options, {});
  CHECK(expected.awards > 10);
  CHECK(expected.badges == 6);
  auto written = seed_activity(store, data, options);
  CHECK(written.awards == expected.awards);
  // The other streams did not move: a generator without awards gives the same sums.
  ActivitySink no_awards;
  std::int64_t rows = 0;
  no_awards.activity = [&](const DailyActivity&) { ++rows; };
  auto again = generate_activity(data, options, no_awards);
  CHECK(rows == expected.rows);
  CHECK(again.events == expected.events);
  CHECK(again.invitations == expected.invitations);
  std::int64_t listed = 0;
  {
    std::lock_guard lock(store.mutex());
    auto st = store.db().prepare("SELECT COUNT(*) FROM content_awards");
    REQUIRE(st.step());
    listed = st.column_int64(0);
  }
  CHECK(listed == expected.awards);
  AwardStatsQuery q;
  q.from = options.first_day * 86400;
  q.to = (options.first_day + options.days) * 86400;
  q.granularity = stats::Granularity::Week;
  q.limit = 3;
  auto found = award_rows(store, q);
  CHECK(awarded_sum(found) == expected.awards);
  for (const auto& r : found) CHECK(r["badge_name"].is_string());
}

TEST_CASE("awards of a data directory from before /stats/awards are counted once, at start") {
  TempDir dir;
  Store store(dir.path);
  content::create_content_tables(store);
  std::lock_guard lock(store.mutex());
  auto& db = store.db();
  // Rows as the award route wrote them before it recorded statistics; one
  // with an awarded_at that does not parse (not counted rather than refused).
  for (const char* doc : {R"({"badge_id":"4","user_id":"1","awarded_at":"2026-05-04T10:00:00Z"})",
                          R"({"badge_id":"4","user_id":"2","awarded_at":"2026-05-05T10:00:00+02:00"})",
                          R"({"badge_id":"5","user_id":"2","awarded_at":"2026-06-01T00:00:00Z"})",
                          R"({"badge_id":"5","user_id":"3","awarded_at":null})"})
    db.prepare("INSERT INTO content_awards(user_id, doc) VALUES (1, ?1)").bind(1, doc).run();
  AwardStatsQuery q;
  q.from = at("2026-05-01");
  q.to = at("2026-07-01");
  q.granularity = stats::Granularity::Month;
  CHECK(award_stats_page_locked(db, q).items_json.empty());
  backfill_award_stats_locked(db);
  backfill_award_stats_locked(db);  // a second start counts nothing twice
  auto page = award_stats_page_locked(db, q);
  REQUIRE(page.items_json.size() == 2);
  CHECK(json::parse(page.items_json[0])["badge_id"] == "4");
  CHECK(json::parse(page.items_json[0])["awarded"] == 2);
  CHECK(json::parse(page.items_json[1])["period"] == "2026-06");
  CHECK(json::parse(page.items_json[1])["awarded"] == 1);
}
