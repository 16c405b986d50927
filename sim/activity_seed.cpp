#include "sim/activity_seed.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string_view>

#include "core/stats/period.hpp"
#include "sim/content_wire.hpp"
#include "sim/sqlite_db.hpp"
#include "sim/store_badges.hpp"

namespace daoctl::sim {

namespace {

std::uint64_t mix(std::uint64_t z) {
  z += 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// A splitmix64 stream keyed by (seed, a, b): the same key gives the same
// numbers whatever was generated before, so one user's day never depends on
// another's.
class KeyedRandom {
 public:
  KeyedRandom(std::uint64_t seed, std::uint64_t a, std::uint64_t b)
      : state_(mix(seed ^ mix(a * 0x100000001B3ull ^ mix(b + 0x51ED27ull)))) {}
  std::uint64_t next() { return mix(state_++); }
  // Uniform in [0, 1) with 53 bits.
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  std::int64_t below(std::int64_t n) { return static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(n)); }

 private:
  std::uint64_t state_;
};

// How a division uses the network on a weekday.
struct DepartmentProfile {
  std::string_view top_name;
  double participation;  // share of staff active on a weekday
  double logins;         // extra logins per active day
  double posts;          // posts per active day
  double comments;
  double reactions;
  double views;
};

constexpr DepartmentProfile kProfiles[] = {
    {"IT", 0.86, 0.4, 0.05, 0.9, 1.6, 14},          {"Sales", 0.78, 1.2, 0.04, 0.3, 1.2, 9},
    {"Marketing", 0.82, 0.6, 0.22, 0.6, 2.6, 18},   {"Finance", 0.70, 0.3, 0.02, 0.2, 0.6, 7},
    {"HR", 0.84, 0.5, 0.15, 0.5, 2.0, 16},          {"Legal", 0.52, 0.2, 0.01, 0.1, 0.3, 5},
    {"Operations", 0.60, 0.3, 0.03, 0.2, 0.8, 6},   {"Customer Support", 0.72, 0.9, 0.03, 0.4, 1.0, 8},
    {"R&D", 0.80, 0.4, 0.08, 1.1, 1.4, 12},         {"Logistics", 0.42, 0.2, 0.01, 0.1, 0.4, 4},
    {"Procurement", 0.55, 0.3, 0.02, 0.2, 0.5, 5},  {"Security", 0.63, 0.6, 0.02, 0.3, 0.6, 7},
};
constexpr DepartmentProfile kCompanyProfile{"Company", 0.75, 0.5, 0.10, 0.5, 1.5, 12};

const DepartmentProfile& profile_named(std::string_view top_name) {
  for (const auto& p : kProfiles)
    if (p.top_name == top_name) return p;
  return kCompanyProfile;
}

constexpr const char* kEventKinds[] = {"Town hall", "Team offsite", "Tech talk", "Onboarding day",
                                       "Quarterly review", "Workshop", "Charity run", "Hackathon",
                                       "Training", "Friday meetup"};

// Small counts with the given mean: the integer part plus one with the
// fractional part's probability, spread by the user's factor.
std::int64_t draw_count(KeyedRandom& rng, double mean) {
  double spread = mean * (0.4 + 1.2 * rng.unit());
  auto whole = static_cast<std::int64_t>(spread);
  return whole + (rng.unit() < spread - static_cast<double>(whole) ? 1 : 0);
}

std::string at_time(std::int64_t day, std::int64_t seconds_of_day) {
  return stats::format_rfc3339(day * 86400 + seconds_of_day);
}

}  // namespace

const std::vector<std::string>& seeded_badge_names() {
  static const std::vector<std::string> names = {"Helping hand", "Innovator of the month", "Mentor",
                                                 "Customer hero", "Team spirit", "Safety first"};
  return names;
}

ActivityTotals generate_activity(const SeedData& data, const ActivitySeedOptions& options, const ActivitySink& sink) {
  ActivityTotals totals;
  totals.badges = static_cast<std::int64_t>(seeded_badge_names().size());
  const auto user_total = static_cast<std::int64_t>(data.users.size());

  // The profile of each department is that of its top-level division.
  std::map<std::int64_t, const DepartmentProfile*> profile_of;
  std::map<std::int64_t, const SeedDepartment*> by_id;
  for (const auto& d : data.departments) by_id[d.id] = &d;
  for (const auto& d : data.departments) {
    const SeedDepartment* at = &d;
    for (int depth = 0; at->parent_id && depth < 64; ++depth) {
      auto parent = by_id.find(*at->parent_id);
      if (parent == by_id.end() || !parent->second->parent_id) break;  // stop below the root
      at = parent->second;
    }
    profile_of[d.id] = at->parent_id ? &profile_named(at->name) : &kCompanyProfile;
  }

  // Per user: department, engagement factor, and the day a blocked user was blocked.
  struct UserTraits {
    std::int64_t department_id = 0;
    const DepartmentProfile* profile = &kCompanyProfile;
    double engagement = 1.0;
    std::int64_t last_day = 0;  // exclusive
  };
  const auto end_day = options.first_day + options.days;
  std::vector<UserTraits> users(static_cast<std::size_t>(user_total));
  for (std::int64_t i = 0; i < user_total; ++i) {
    const auto& record = data.users[static_cast<std::size_t>(i)];
    KeyedRandom rng(options.seed, static_cast<std::uint64_t>(i + 1), 0xA11CEull);
    auto& t = users[static_cast<std::size_t>(i)];
    t.department_id = record.department_id.value_or(0);
    if (auto p = profile_of.find(t.department_id); p != profile_of.end()) t.profile = p->second;
    t.engagement = 0.45 + 1.1 * rng.unit();
    t.last_day = end_day;
    if (!record.active && options.days > 0) t.last_day = options.first_day + rng.below(options.days);
  }

  // The audit log: provisioning of every seeded object, then the blocks.
  if (sink.audit) {
    auto audit = [&](AuditRecord r) {
      ++totals.audit_entries;
      sink.audit(r);
    };
    for (const auto& d : data.departments)
      audit({data.timestamp, "admin", "department.create", "department", std::to_string(d.id),
             nlohmann::json{{"name", d.name}}.dump(), std::nullopt});
    for (std::int64_t i = 0; i < user_total; ++i)
      audit({data.timestamp, "admin", "user.create", "user", std::to_string(i + 1),
             nlohmann::json{{"userName", data.users[static_cast<std::size_t>(i)].user_name}}.dump(), std::nullopt});
    for (const auto& g : data.groups)
      audit({data.timestamp, "admin", "group.create", "group", std::to_string(g.id),
             nlohmann::json{{"displayName", g.display_name}}.dump(), std::nullopt});
  }

  std::int64_t next_event = 1'000'000'001;
  std::vector<std::int64_t> department_members;
  for (std::int64_t day = options.first_day; day < end_day; ++day) {
    const int weekday = stats::weekday(day);
    const bool weekend = weekday >= 5;
    const auto civil = stats::civil_from_days(day);
    const bool holiday = civil.month == 1 && civil.day <= 8;
    const double day_factor = holiday ? 0.15 : weekend ? 0.12 : 1.0;
    for (std::int64_t i = 0; i < user_total; ++i) {
      const auto& t = users[static_cast<std::size_t>(i)];
      if (day >= t.last_day) continue;
      KeyedRandom rng(options.seed, static_cast<std::uint64_t>(i + 1), static_cast<std::uint64_t>(day));
      double chance = t.profile->participation * day_factor * (0.6 + 0.4 * t.engagement);
      if (rng.unit() >= chance) continue;
      DailyActivity row;
      row.day = day;
      row.user_id = i + 1;
      row.department_id = t.department_id;
      row.logins = 1 + draw_count(rng, t.profile->logins * t.engagement);
      row.posts = draw_count(rng, t.profile->posts * t.engagement);
      row.comments = draw_count(rng, t.profile->comments * t.engagement);
      row.reactions = draw_count(rng, t.profile->reactions * t.engagement);
      row.views = 1 + draw_count(rng, t.profile->views * t.engagement);
      ++totals.rows;
      totals.logins += row.logins;
      totals.posts += row.posts;
      totals.comments += row.comments;
      totals.reactions += row.reactions;
      totals.views += row.views;
      if (sink.activity) sink.activity(row);
    }
    for (std::int64_t i = 0; i < user_total; ++i)
      if (users[static_cast<std::size_t>(i)].last_day == day && sink.audit) {
        ++totals.audit_entries;
        sink.audit({at_time(day, 10 * 3600), "admin", "user.block", "user", std::to_string(i + 1),
                    nlohmann::json{{"userName", data.users[static_cast<std::size_t>(i)].user_name}}.dump(),
                    std::nullopt});
      }
    if (civil.day <= 7 && weekday == 0 && sink.audit) {
      ++totals.audit_entries;
      sink.audit({at_time(day, 9 * 3600 + 30 * 60), "admin", "settings.password_policy.update", "settings",
                  std::nullopt, R"({"reason":"monthly review"})", std::nullopt});
    }

    // Awards: on about two weekdays in five, one to three users still active
    // that day get a badge, in the working hours (a stream of its own: the
    // other numbers do not move).
    KeyedRandom award_rng(options.seed, 0xBAD6Eull, static_cast<std::uint64_t>(day));
    if (!weekend && !holiday && user_total > 0 && award_rng.unit() < 0.4) {
      const auto count = 1 + award_rng.below(3);
      std::vector<std::int64_t> seconds;
      for (std::int64_t k = 0; k < count; ++k) seconds.push_back(9 * 3600 + award_rng.below(8 * 3600));
      std::sort(seconds.begin(), seconds.end());
      for (auto second : seconds) {
        const auto user = award_rng.below(user_total);
        const auto badge = static_cast<std::size_t>(
            award_rng.below(static_cast<std::int64_t>(seeded_badge_names().size())));
        if (users[static_cast<std::size_t>(user)].last_day <= day) continue;
        ++totals.awards;
        if (sink.award) sink.award({badge, user + 1, at_time(day, second)});
      }
    }

    // Events: on about half of the weekdays, inviting one department (or
    // everyone in a small company), up to 80 people.
    KeyedRandom day_rng(options.seed, 0xE7E27ull, static_cast<std::uint64_t>(day));
    if (weekend || holiday || day_rng.unit() >= 0.5 || user_total == 0 || data.departments.empty()) continue;
    const auto& department = data.departments[static_cast<std::size_t>(day_rng.below(
        static_cast<std::int64_t>(data.departments.size())))];
    department_members.clear();
    for (std::int64_t i = 0; i < user_total && department_members.size() < 80; ++i)
      if (users[static_cast<std::size_t>(i)].department_id == department.id) department_members.push_back(i + 1);
    if (department_members.size() < 3)
      for (std::int64_t i = 0; i < user_total && department_members.size() < 20; ++i)
        department_members.push_back(1 + day_rng.below(user_total));
    SeededEvent event{next_event++,
                      fmt::format("{}: {}", kEventKinds[day_rng.below(std::size(kEventKinds))], department.name),
                      at_time(day, (10 + day_rng.below(8)) * 3600)};
    ++totals.events;
    if (sink.event) sink.event(event);
    std::sort(department_members.begin(), department_members.end());
    department_members.erase(std::unique(department_members.begin(), department_members.end()),
                             department_members.end());
    for (auto user_id : department_members) {
      double r = day_rng.unit();
      const char* rsvp = r < 0.5 ? "going" : r < 0.65 ? "maybe" : r < 0.75 ? "declined" : "pending";
      ++totals.invitations;
      if (rsvp[0] == 'g') ++totals.going;
      else if (rsvp[0] == 'm') ++totals.maybe;
      else if (rsvp[0] == 'd') ++totals.declined;
      else ++totals.pending;
      if (sink.invitation) sink.invitation(event.id, user_id, rsvp);
    }
  }
  return totals;
}

ActivityTotals seed_activity(Store& store, const SeedData& data, const ActivitySeedOptions& options) {
  content::create_content_tables(store);  // content_awards (takes the lock itself)
  std::lock_guard lock(store.mutex());
  auto& db = store.db();
  ensure_stats_schema(db);
  BadgeTable badges(store);
  badges.create();
  Transaction tx(db);
  std::vector<std::int64_t> badge_ids;
  for (std::size_t i = 0; i < seeded_badge_names().size(); ++i) {
    Badge b;
    b.name = seeded_badge_names()[i];
    b.description = "Seeded by daoctl-sim";
    b.external_id = fmt::format("seed-badge-{}", i + 1);
    b.created_at = b.updated_at = data.timestamp;
    badges.insert(b);
    badge_ids.push_back(b.id);
  }
  auto award = db.prepare("INSERT INTO content_awards(user_id, external_id, doc) VALUES (?1, NULL, ?2)");
  auto activity = db.prepare(
      "INSERT INTO stats_activity_daily(day, user_id, department_id, week, month, logins, posts, comments, "
      "reactions, views) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
      "ON CONFLICT(day, user_id) DO UPDATE SET logins = logins + excluded.logins, posts = posts + excluded.posts, "
      "comments = comments + excluded.comments, reactions = reactions + excluded.reactions, "
      "views = views + excluded.views");
  ActivitySink sink;
  sink.activity = [&](const DailyActivity& row) {
    activity.bind(1, row.day)
        .bind(2, row.user_id)
        .bind(3, row.department_id)
        .bind(4, stats::week_start(row.day))
        .bind(5, stats::month_start(row.day))
        .bind(6, row.logins)
        .bind(7, row.posts)
        .bind(8, row.comments)
        .bind(9, row.reactions)
        .bind(10, row.views)
        .run();
  };
  sink.event = [&](const SeededEvent& e) { record_event_locked(db, e.id, e.title, e.starts_at); };
  sink.invitation = [&](std::int64_t event_id, std::int64_t user_id, const char* rsvp) {
    record_invitation_locked(db, event_id, user_id, rsvp);
  };
  sink.audit = [&](const AuditRecord& r) { record_audit_locked(db, r); };
  sink.award = [&](const SeededAward& a) {
    const auto badge_id = badge_ids[a.badge];
    nlohmann::json doc = {{"badge_id", std::to_string(badge_id)}, {"user_id", std::to_string(a.user_id)},
                          {"awarded_by", nullptr},                {"reason", "Seeded by daoctl-sim"},
                          {"awarded_at", a.awarded_at},            {"external_id", nullptr}};
    award.bind(1, a.user_id).bind(2, doc.dump()).run();
    record_award_locked(db, db.last_insert_id(), badge_id, a.awarded_at);
  };
  auto totals = generate_activity(data, options, sink);
  tx.commit();
  return totals;
}

int run_activity_seed(Store& store, const SeedData& data, std::int64_t days, std::uint64_t seed,
                      std::int64_t first_day) {
  auto started = std::chrono::steady_clock::now();
  ActivitySeedOptions options;
  options.days = days;
  options.seed = seed;
  options.first_day = first_day;
  auto t = seed_activity(store, data, options);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  fmt::print(stderr,
             "daoctl-sim: seeded activity: days={} first_day={} rows={} logins={} posts={} comments={} "
             "reactions={} views={} events={} invitations={} going={} maybe={} declined={} pending={} "
             "audit_entries={} badges={} awards={} ms={}\n",
             days, stats::period_label(stats::Granularity::Day, options.first_day), t.rows, t.logins, t.posts,
             t.comments, t.reactions, t.views, t.events, t.invitations, t.going, t.maybe, t.declined, t.pending,
             t.audit_entries, t.badges, t.awards, ms.count());
  return 0;
}

}  // namespace daoctl::sim
