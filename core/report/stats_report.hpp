// The page of `daoctl stats report`: the aggregates kept while the same
// pages `stats export` reads stream in, and their rendering as one
// self-contained HTML file (core/report/html.hpp). Pure.
//
// Only aggregates are kept, never rows: sums per period, one cell per
// (department, period), the event totals and the top events by invitations,
// the top communities by members, the awards per badge. Memory is bounded by departments x periods
// (200 x 52 is 10,400 cells), not by the number of rows read.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/stats/period.hpp"

namespace daoctl::report {

struct ActivityCounts {
  std::int64_t active_users = 0;
  std::int64_t logins = 0;
  std::int64_t posts = 0;
  std::int64_t comments = 0;
  std::int64_t reactions = 0;
  std::int64_t views = 0;
  ActivityCounts& operator+=(const ActivityCounts& other);
};

struct EventRow {
  std::string event_id;
  std::string title;
  std::string starts_at;
  std::int64_t invited = 0, going = 0, maybe = 0, declined = 0, pending = 0;
};

struct BadgeAwards {
  std::string badge_id;
  std::optional<std::string> name;  // nullopt: a badge deleted since
  std::int64_t awarded = 0;
};

struct CommunityRow {
  std::string id;
  std::string name;
  std::int64_t members = 0;
};

// How many days, ISO weeks and months [from_day, to_day) touches (day numbers).
std::int64_t periods_in(stats::Granularity granularity, std::int64_t from_day, std::int64_t to_day);

class StatsAggregates {
 public:
  static constexpr std::size_t kTopEvents = 15;
  static constexpr std::size_t kTopCommunities = 10;

  // Rows of granularity=day/week/month, group_by=none, of this period
  // (previous = false) or of the one before it (true).
  void add_day(const ActivityCounts& counts, bool previous);
  void add_week(std::int64_t active_users, bool previous);
  void add_month(std::int64_t active_users, bool previous);
  // Rows at the report's granularity, group_by=none (the activity chart).
  void add_period(const std::string& period, const ActivityCounts& counts);
  // Rows at the report's granularity, group_by=department. A row with no
  // department id is "no department"; a null path is a deleted department.
  void add_department_cell(const std::optional<std::string>& department_id, const std::optional<std::string>& path,
                           const std::string& period, std::int64_t active_users);
  // The platform's department list: path and member count (the share's base).
  void add_department(const std::string& id, const std::string& path, std::int64_t members);
  void add_event(EventRow event);
  void add_community(CommunityRow community);
  // A row of /stats/awards (any granularity): this period's rows add to the
  // badge's count and the headline, the previous period's to the headline.
  void add_awards(const std::string& badge_id, const std::optional<std::string>& name, std::int64_t awarded,
                  bool previous);

  struct Department {
    std::optional<std::string> id;    // nullopt: users without a department
    std::optional<std::string> path;  // nullopt: not in the department list (deleted)
    std::optional<std::int64_t> members;
    std::map<std::string, std::int64_t> active_by_period;
    bool has_activity = false;
  };
  struct Totals {
    ActivityCounts sums;         // of the day rows (active_users: user-days)
    std::int64_t weekly_active = 0;   // sum of WAU rows
    std::int64_t monthly_active = 0;  // sum of MAU rows
    std::int64_t awards = 0;          // badges awarded
  };

  const Totals& current() const { return current_; }
  const Totals& previous() const { return previous_; }
  const std::vector<std::pair<std::string, ActivityCounts>>& series() const { return series_; }
  // Keyed by id ("" for no department).
  const std::map<std::string, Department>& departments() const { return departments_; }
  bool departments_read() const { return departments_read_; }
  void set_departments_read(bool read) { departments_read_ = read; }
  const EventRow& event_totals() const { return event_totals_; }
  std::int64_t event_count() const { return event_count_; }
  // The top events by invitations (then start, then id), at most kTopEvents.
  std::vector<EventRow> top_events() const;
  // The top communities by members (then name), at most kTopCommunities.
  std::vector<CommunityRow> top_communities() const;
  std::int64_t community_count() const { return community_count_; }
  // Badges awarded in the period, most first (then name, then id).
  std::vector<BadgeAwards> awards_by_badge() const;
  bool awards_read() const { return awards_read_; }
  void set_awards_read(bool read) { awards_read_ = read; }
  bool communities_read() const { return communities_read_; }
  void set_communities_read(bool read) { communities_read_ = read; }

 private:
  Totals current_, previous_;
  std::vector<std::pair<std::string, ActivityCounts>> series_;
  std::map<std::string, Department> departments_;
  bool departments_read_ = false;
  EventRow event_totals_;
  std::int64_t event_count_ = 0;
  std::vector<EventRow> events_;  // trimmed to kTopEvents now and then
  std::vector<CommunityRow> communities_;
  std::int64_t community_count_ = 0;
  bool communities_read_ = false;
  std::map<std::string, BadgeAwards> awards_;  // by badge id: badges are few
  bool awards_read_ = false;
};

struct StatsReportMeta {
  std::string title = "Activity report";
  stats::TimeRange range;           // the period asked for
  stats::TimeRange previous_range;  // the same length just before it
  stats::Granularity granularity = stats::Granularity::Week;
  bool by_department = false;
  std::string generated_at;  // RFC 3339 UTC
  std::string platform_url;
};

// Day-based counts of a range as the platform counts them: from rounds down
// to its UTC day, to rounds up (the activity endpoint widens to whole days).
struct RangeDays {
  std::int64_t from_day = 0;
  std::int64_t to_day = 0;
};
RangeDays activity_days(const stats::TimeRange& range);

// The whole page.
std::string render_stats_report(const StatsAggregates& data, const StatsReportMeta& meta);

}  // namespace daoctl::report
