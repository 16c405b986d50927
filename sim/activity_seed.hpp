// `daoctl-sim seed --activity-days N`: deterministic, realistic activity for
// a seeded company, written into the statistics tables (sim/stats_store.hpp).
//
// Realism, within reason: weekdays are busy and weekends quiet (about an
// eighth of the weekday participation), the Russian New Year holidays
// (1-8 January) are quiet too, departments differ (IT and R&D comment, Sales
// logs in often, Marketing posts, Logistics rarely visits), every user has an
// own engagement factor, blocked users stop at the day they were blocked,
// two or three events a week invite a department and collect RSVPs, and the
// audit log holds the provisioning of every seeded object plus the blocks
// and monthly policy reviews. A catalogue of six badges is seeded with the
// activity, and on about two weekdays in five one to three active users are
// awarded one (through content_awards, so /users/{id}/awards lists them too).
//
// Deterministic: the same SeedData, days and seed give the same rows, byte
// for byte (splitmix64 keyed by (seed, user, day), no std:: distributions).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sim/seed.hpp"
#include "sim/stats_store.hpp"

namespace daoctl::sim {

struct ActivitySeedOptions {
  std::int64_t days = 0;            // length of the window
  std::int64_t first_day = 20089;   // 2025-01-01 (day number): the seeded users' creation day
  std::uint64_t seed = 1;
};

// Sums of everything generated, printed by `daoctl-sim seed` so that tests
// can compare an export against the generator's own arithmetic.
struct ActivityTotals {
  std::int64_t rows = 0;  // (day, user) rows = sum of daily active users
  std::int64_t logins = 0, posts = 0, comments = 0, reactions = 0, views = 0;
  std::int64_t events = 0, invitations = 0, going = 0, maybe = 0, declined = 0, pending = 0;
  std::int64_t audit_entries = 0;
  std::int64_t badges = 0, awards = 0;
};

struct SeededAward {
  std::size_t badge = 0;  // index into the seeded catalogue (seeded_badge_names())
  std::int64_t user_id = 0;
  std::string awarded_at;  // RFC 3339 UTC
};

// The seeded badge catalogue, in id order.
const std::vector<std::string>& seeded_badge_names();

struct SeededEvent {
  std::int64_t id = 0;  // 1'000'000'001.. so that seeded history never collides with created events
  std::string title;
  std::string starts_at;  // RFC 3339 UTC
};

struct ActivitySink {
  std::function<void(const DailyActivity&)> activity;  // in (day, user) order
  std::function<void(const SeededEvent&)> event;
  std::function<void(std::int64_t event_id, std::int64_t user_id, const char* rsvp)> invitation;
  std::function<void(const AuditRecord&)> audit;
  std::function<void(const SeededAward&)> award;  // in time order
};

// Generates the activity for the users and departments of `data` (user ids
// 1..N as bulk_load assigns them) and hands every piece to `sink`.
ActivityTotals generate_activity(const SeedData& data, const ActivitySeedOptions& options,
                                 const ActivitySink& sink);

// Writes the generated activity into the store in one transaction.
ActivityTotals seed_activity(Store& store, const SeedData& data, const ActivitySeedOptions& options);

// The seed command's hook: seeds, prints the totals on stderr as
// "daoctl-sim: seeded activity: days=.. rows=.. logins=.. ..." and returns
// the exit code.
// first_day: the window's first day (day number); the default keeps 2025-01-01.
int run_activity_seed(Store& store, const SeedData& data, std::int64_t days, std::uint64_t seed,
                      std::int64_t first_day = ActivitySeedOptions{}.first_day);

}  // namespace daoctl::sim
