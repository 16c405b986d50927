// The simulator's statistics: what it records and how it pages it out.
//
// Activity is kept pre-aggregated per (UTC day, user) in stats_activity_daily,
// with the day's week and month beside it and one index per (period, group)
// order, so every page of GET /api/v1/stats/activity is one keyset range scan
// whatever the table size (1M rows page out as fast as the first page).
//
// Recording:
//  - logins: a SQLite trigger on the store's credentials table counts every
//    session created (POST /api/v1/users/{id}/sessions), so no route code has
//    to remember to call us;
//  - the admin audit log: triggers on users, departments, groups and
//    credentials write user.create / user.block / department.delete ... rows;
//  - posts, comments, reactions, views, events and RSVPs: the content routes
//    call record_activity_locked / record_event_locked /
//    record_invitation_locked (below) inside their own transaction.
//
// Every *_locked function requires the caller to hold store.mutex() and works
// on store.db(); the schema is created on first use (ensure_stats_schema).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/stats/period.hpp"
#include "sim/api_error.hpp"
#include "sim/store.hpp"

namespace daoctl::sim {

class SqliteDb;

enum class ActivityKind { Login, Post, Comment, Reaction, View };

// Creates the stats tables, indexes and triggers if missing. Idempotent and
// cheap after the first call on a connection (one lookup in sqlite_master).
void ensure_stats_schema(SqliteDb& db);

// Counts `count` actions of `kind` by `user_id` on the UTC day of
// `unix_time`, under the user's current department. Unknown users are
// counted too (department none): a deleted author's past activity stays.
void record_activity_locked(SqliteDb& db, std::int64_t user_id, ActivityKind kind,
                            std::int64_t unix_time, std::int64_t count = 1);
// The same, taking store.mutex() itself.
void record_activity(Store& store, std::int64_t user_id, ActivityKind kind, std::int64_t unix_time,
                     std::int64_t count = 1);

// Events and invitations as /stats/events reports them. record_event_locked
// inserts or renames/reschedules; starts_at is RFC 3339 (any offset,
// normalised to UTC) and a value that does not parse is ignored (false).
// rsvp is going|maybe|declined|pending; other values are ignored (false).
bool record_event_locked(SqliteDb& db, std::int64_t event_id, std::string_view title,
                         std::string_view starts_at);
bool record_invitation_locked(SqliteDb& db, std::int64_t event_id, std::int64_t user_id,
                              std::string_view rsvp);
void forget_event_locked(SqliteDb& db, std::int64_t event_id);

// Awards as /stats/awards reports them: one row per award (its id in
// content_awards), kept beside the badge and the award's instant with its
// day, week and month, so a page is one keyset range scan and never walks the
// awards user by user. awarded_at is RFC 3339 (any offset, normalised); a
// value that does not parse is not counted (false). Recording an award id
// again replaces it.
bool record_award_locked(SqliteDb& db, std::int64_t award_id, std::int64_t badge_id, std::string_view awarded_at);
// Counts the awards of content_awards not yet in the statistics (a data
// directory written before /stats/awards existed); a no-op without that table.
void backfill_award_stats_locked(SqliteDb& db);

struct AuditRecord {
  std::string at;  // RFC 3339 UTC
  std::string actor = "admin";
  std::string action;
  std::string object_type;
  std::optional<std::string> object_id;
  std::string details_json = "{}";
  std::optional<std::string> ip;
};
// Appends one entry (for actions the triggers cannot see, e.g. settings).
void record_audit_locked(SqliteDb& db, const AuditRecord& record);

// One daily activity row as the seed generator writes it.
struct DailyActivity {
  std::int64_t day = 0;
  std::int64_t user_id = 0;
  std::int64_t department_id = 0;  // 0: no department
  std::int64_t logins = 0, posts = 0, comments = 0, reactions = 0, views = 0;
};

// ------------------------------------------------------------------ queries

struct ActivityQuery {
  std::int64_t from_day = 0;  // inclusive
  std::int64_t to_day = 0;    // exclusive
  stats::Granularity granularity = stats::Granularity::Day;
  stats::GroupBy group_by = stats::GroupBy::None;
  std::int64_t limit = 100;
  // Keyset position: rows after (period start day, group key).
  std::optional<std::pair<std::int64_t, std::int64_t>> after;
};

// One page of rows as the API's JSON items, plus the next keyset position
// (nullopt on the last page).
struct StatsPage {
  std::vector<std::string> items_json;
  std::optional<std::string> next_cursor;
};

// The opaque cursors: base64url of "period:key" / "at|id".
std::string encode_activity_cursor(std::int64_t period, std::int64_t key);
std::optional<std::pair<std::int64_t, std::int64_t>> decode_activity_cursor(std::string_view cursor);

StatsPage activity_page_locked(SqliteDb& db, const ActivityQuery& query);

struct EventStatsQuery {
  std::string from;  // RFC 3339 UTC, inclusive
  std::string to;    // exclusive
  std::int64_t limit = 100;
  std::optional<std::pair<std::string, std::int64_t>> after;  // (starts_at, event id)
};
StatsPage event_stats_page_locked(SqliteDb& db, const EventStatsQuery& query);

// Awards per (period, badge): counts of the awards whose instant falls in
// [from, to); rows by (period start day, badge id).
struct AwardStatsQuery {
  std::int64_t from = 0;  // unix seconds, inclusive
  std::int64_t to = 0;    // exclusive
  stats::Granularity granularity = stats::Granularity::Day;
  std::int64_t limit = 100;
  std::optional<std::pair<std::int64_t, std::int64_t>> after;  // (period start day, badge id)
};
StatsPage award_stats_page_locked(SqliteDb& db, const AwardStatsQuery& query);
// "period:badge" cursors of the awards pages (not interchangeable with the
// activity ones: each names its endpoint).
std::string encode_award_cursor(std::int64_t period, std::int64_t badge_id);
std::optional<std::pair<std::int64_t, std::int64_t>> decode_award_cursor(std::string_view cursor);

struct AuditQuery {
  std::string since;  // RFC 3339 UTC; empty: from the beginning
  std::optional<std::string> action;
  std::int64_t limit = 100;
  std::optional<std::pair<std::string, std::int64_t>> after;  // (at, id)
};
StatsPage audit_page_locked(SqliteDb& db, const AuditQuery& query);

// "at|id" cursors of the events and audit pages.
std::string encode_text_cursor(const std::string& text, std::int64_t id);
std::optional<std::pair<std::string, std::int64_t>> decode_text_cursor(std::string_view cursor);

}  // namespace daoctl::sim
