#include "core/report/stats_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "core/report/html.hpp"

namespace daoctl::report {

ActivityCounts& ActivityCounts::operator+=(const ActivityCounts& other) {
  active_users += other.active_users;
  logins += other.logins;
  posts += other.posts;
  comments += other.comments;
  reactions += other.reactions;
  views += other.views;
  return *this;
}

std::int64_t periods_in(stats::Granularity granularity, std::int64_t from_day, std::int64_t to_day) {
  if (to_day <= from_day) return 0;
  if (granularity == stats::Granularity::Day) return to_day - from_day;
  std::int64_t count = 0;
  for (auto start = stats::period_start(granularity, from_day); start < to_day;) {
    ++count;
    if (granularity == stats::Granularity::Week) {
      start += 7;
    } else {
      auto civil = stats::civil_from_days(start);
      start = civil.month == 12 ? stats::days_from_civil(civil.year + 1, 1, 1)
                                : stats::days_from_civil(civil.year, civil.month + 1, 1);
    }
  }
  return count;
}

RangeDays activity_days(const stats::TimeRange& range) {
  return {stats::day_of(range.from), stats::day_of(range.to + 86399)};
}

void StatsAggregates::add_day(const ActivityCounts& counts, bool previous) {
  (previous ? previous_ : current_).sums += counts;
}
void StatsAggregates::add_week(std::int64_t active_users, bool previous) {
  (previous ? previous_ : current_).weekly_active += active_users;
}
void StatsAggregates::add_month(std::int64_t active_users, bool previous) {
  (previous ? previous_ : current_).monthly_active += active_users;
}
void StatsAggregates::add_period(const std::string& period, const ActivityCounts& counts) {
  if (!series_.empty() && series_.back().first == period) series_.back().second += counts;
  else series_.emplace_back(period, counts);
}

void StatsAggregates::add_department_cell(const std::optional<std::string>& department_id,
                                          const std::optional<std::string>& path, const std::string& period,
                                          std::int64_t active_users) {
  auto& d = departments_[department_id.value_or("")];
  d.id = department_id;
  if (path && !d.path) d.path = path;
  d.active_by_period[period] += active_users;
  d.has_activity = true;
}

void StatsAggregates::add_department(const std::string& id, const std::string& path, std::int64_t members) {
  auto& d = departments_[id];
  d.id = id;
  d.path = path;
  d.members = members;
}

namespace {
bool event_before(const EventRow& a, const EventRow& b) {
  if (a.invited != b.invited) return a.invited > b.invited;
  if (a.starts_at != b.starts_at) return a.starts_at < b.starts_at;
  return a.event_id < b.event_id;
}
bool community_before(const CommunityRow& a, const CommunityRow& b) {
  if (a.members != b.members) return a.members > b.members;
  if (a.name != b.name) return a.name < b.name;
  return a.id < b.id;
}
template <class T, class Less>
void trim(std::vector<T>& items, std::size_t keep, Less less) {
  if (items.size() <= keep) return;
  std::partial_sort(items.begin(), items.begin() + static_cast<std::ptrdiff_t>(keep), items.end(), less);
  items.resize(keep);
}
}  // namespace

void StatsAggregates::add_event(EventRow event) {
  ++event_count_;
  event_totals_.invited += event.invited;
  event_totals_.going += event.going;
  event_totals_.maybe += event.maybe;
  event_totals_.declined += event.declined;
  event_totals_.pending += event.pending;
  events_.push_back(std::move(event));
  if (events_.size() >= 4 * kTopEvents) trim(events_, kTopEvents, event_before);
}

std::vector<EventRow> StatsAggregates::top_events() const {
  auto out = events_;
  trim(out, kTopEvents, event_before);
  std::sort(out.begin(), out.end(), event_before);
  return out;
}

void StatsAggregates::add_community(CommunityRow community) {
  ++community_count_;
  communities_.push_back(std::move(community));
  if (communities_.size() >= 4 * kTopCommunities) trim(communities_, kTopCommunities, community_before);
}

void StatsAggregates::add_awards(const std::string& badge_id, const std::optional<std::string>& name,
                                 std::int64_t awarded, bool previous) {
  (previous ? previous_ : current_).awards += awarded;
  if (previous) return;
  auto& b = awards_[badge_id];
  b.badge_id = badge_id;
  if (name) b.name = name;
  b.awarded += awarded;
}

std::vector<BadgeAwards> StatsAggregates::awards_by_badge() const {
  std::vector<BadgeAwards> out;
  for (const auto& [id, b] : awards_) out.push_back(b);
  std::sort(out.begin(), out.end(), [](const BadgeAwards& a, const BadgeAwards& b) {
    if (a.awarded != b.awarded) return a.awarded > b.awarded;
    if (a.name != b.name) return a.name.has_value() && (!b.name || *a.name < *b.name);
    return a.badge_id.size() != b.badge_id.size() ? a.badge_id.size() < b.badge_id.size() : a.badge_id < b.badge_id;
  });
  return out;
}

std::vector<CommunityRow> StatsAggregates::top_communities() const {
  auto out = communities_;
  trim(out, kTopCommunities, community_before);
  std::sort(out.begin(), out.end(), community_before);
  return out;
}

namespace {

using stats::Granularity;

double ratio(std::int64_t sum, std::int64_t count) {
  return count > 0 ? static_cast<double>(sum) / static_cast<double>(count) : 0.0;
}

// The same rounding the page shows, so a change is computed from what is read.
double round1(double value) { return std::round(value * 10) / 10; }

Figure figure(std::string label, double current, double previous, int decimals) {
  Figure f;
  f.label = std::move(label);
  f.value = decimals ? format_decimal(current, decimals) : format_int(std::llround(current));
  f.previous = decimals ? format_decimal(previous, decimals) : format_int(std::llround(previous));
  f.change = format_change(current, previous);
  f.direction = current > previous ? 1 : current < previous ? -1 : 0;
  return f;
}

std::string department_label(const StatsAggregates::Department& d) {
  if (!d.id) return "(no department)";
  if (d.path) return *d.path;
  return "(deleted department " + *d.id + ")";
}

std::string percent(double share) { return format_decimal(share * 100, 1) + " %"; }

void meta_block(std::string& out, const StatsReportMeta& meta) {
  append_meta(out, {{"Period (UTC)", stats::format_rfc3339(meta.range.from) + " \xE2\x80\x93 " +
                                         stats::format_rfc3339(meta.range.to)},
                    {"Compared with", stats::format_rfc3339(meta.previous_range.from) + " \xE2\x80\x93 " +
                                          stats::format_rfc3339(meta.previous_range.to)},
                    {"Granularity", std::string(stats::to_string(meta.granularity))},
                    {"Generated (UTC)", meta.generated_at},
                    {"Platform", meta.platform_url}});
}

void headline_section(std::string& out, const StatsAggregates& data, const StatsReportMeta& meta) {
  const auto now = activity_days(meta.range);
  const auto before = activity_days(meta.previous_range);
  struct Line {
    const char* label;
    double current, previous;
    int decimals;
  };
  const auto& c = data.current();
  const auto& p = data.previous();
  const std::vector<Line> lines = {
      {"Daily active users (average)", round1(ratio(c.sums.active_users, periods_in(Granularity::Day, now.from_day, now.to_day))),
       round1(ratio(p.sums.active_users, periods_in(Granularity::Day, before.from_day, before.to_day))), 1},
      {"Weekly active users (average)", round1(ratio(c.weekly_active, periods_in(Granularity::Week, now.from_day, now.to_day))),
       round1(ratio(p.weekly_active, periods_in(Granularity::Week, before.from_day, before.to_day))), 1},
      {"Monthly active users (average)", round1(ratio(c.monthly_active, periods_in(Granularity::Month, now.from_day, now.to_day))),
       round1(ratio(p.monthly_active, periods_in(Granularity::Month, before.from_day, before.to_day))), 1},
      {"Posts", double(c.sums.posts), double(p.sums.posts), 0},
      {"Comments", double(c.sums.comments), double(p.sums.comments), 0},
      {"Reactions", double(c.sums.reactions), double(p.sums.reactions), 0},
      {"Views", double(c.sums.views), double(p.sums.views), 0},
      {"Logins", double(c.sums.logins), double(p.sums.logins), 0},
  };
  auto all = lines;
  if (data.awards_read()) all.push_back({"Badges awarded", double(c.awards), double(p.awards), 0});
  std::vector<Figure> figures;
  Table table;
  table.id = "headline";
  table.caption = fmt::format(
      "Averages are per UTC day, ISO week and calendar month touched by the period ({} days, {} weeks, {} months; "
      "before: {}, {}, {}); the other figures are sums.",
      periods_in(Granularity::Day, now.from_day, now.to_day), periods_in(Granularity::Week, now.from_day, now.to_day),
      periods_in(Granularity::Month, now.from_day, now.to_day), periods_in(Granularity::Day, before.from_day, before.to_day),
      periods_in(Granularity::Week, before.from_day, before.to_day),
      periods_in(Granularity::Month, before.from_day, before.to_day));
  table.headers = {"figure", "this period", "previous period", "change"};
  table.numeric = {false, true, true, true};
  for (const auto& line : all) {
    auto f = figure(line.label, line.current, line.previous, line.decimals);
    table.rows.push_back({f.label, f.value, f.previous, f.change});
    figures.push_back(std::move(f));
  }
  out += "<section id=\"headline-figures\"><h2>Headline figures</h2>\n";
  append_figures(out, figures);
  append_table(out, table);
  out += "</section>\n";
}

void activity_section(std::string& out, const StatsAggregates& data, const StatsReportMeta& meta) {
  const auto& series = data.series();
  out += "<section id=\"activity\"><h2>Activity over time</h2>\n";
  if (series.empty()) {
    out += "<p class=\"note\">No activity in this period.</p>\n</section>\n";
    return;
  }
  LineChart users;
  users.title = fmt::format("Active users per {}", stats::to_string(meta.granularity));
  LineChart content;
  content.title = fmt::format("Posts, comments and reactions per {}", stats::to_string(meta.granularity));
  Series active{"active users", {}}, posts{"posts", {}}, comments{"comments", {}}, reactions{"reactions", {}};
  Table table;
  table.id = "activity-table";
  table.caption = "Activity per period (the numbers of both charts)";
  table.headers = {"period", "active users", "logins", "posts", "comments", "reactions", "views"};
  table.numeric = {false, true, true, true, true, true, true};
  for (const auto& [period, c] : series) {
    users.labels.push_back(period);
    content.labels.push_back(period);
    active.values.push_back(c.active_users);
    posts.values.push_back(c.posts);
    comments.values.push_back(c.comments);
    reactions.values.push_back(c.reactions);
    table.rows.push_back({period, format_int(c.active_users), format_int(c.logins), format_int(c.posts),
                          format_int(c.comments), format_int(c.reactions), format_int(c.views)});
  }
  users.series.push_back(std::move(active));
  content.series = {std::move(posts), std::move(comments), std::move(reactions)};
  out += "<h3>Active users</h3>\n";
  append_line_chart(out, users);
  out += "<h3>Posts, comments and reactions</h3>\n";
  append_line_chart(out, content);
  append_table(out, table);
  out += "</section>\n";
}

void department_section(std::string& out, const StatsAggregates& data, const StatsReportMeta& meta) {
  out += "<section id=\"departments\"><h2>Engagement by department</h2>\n";
  if (!meta.by_department) {
    out += "<p class=\"note\">Not asked for: add <code>--group-by department</code>.</p>\n</section>\n";
    return;
  }
  // Columns: every period of the overall series and of any department.
  std::set<std::string> period_set;
  for (const auto& [period, c] : data.series()) period_set.insert(period);
  std::vector<const StatsAggregates::Department*> rows;
  for (const auto& [key, d] : data.departments()) {
    if (!d.has_activity) continue;
    rows.push_back(&d);
    for (const auto& [period, n] : d.active_by_period) period_set.insert(period);
  }
  const std::vector<std::string> periods(period_set.begin(), period_set.end());
  std::sort(rows.begin(), rows.end(), [](auto* a, auto* b) {
    auto la = department_label(*a), lb = department_label(*b);
    return la != lb ? la < lb : a->id.value_or("") < b->id.value_or("");
  });
  const auto count = static_cast<std::int64_t>(periods.size());
  out += fmt::format(
      "<p class=\"note\">Share of active employees: the department's active users averaged over the {} periods of "
      "the report, divided by its members now ({} departments with activity; departments without activity are "
      "left out).</p>\n",
      count, rows.size());

  struct Share {
    const StatsAggregates::Department* d;
    double average;
    std::optional<double> share;
  };
  std::vector<Share> shares;
  std::int64_t max_active = 0;
  for (auto* d : rows) {
    std::int64_t sum = 0;
    for (const auto& [period, n] : d->active_by_period) {
      sum += n;
      max_active = std::max(max_active, n);
    }
    Share s{d, ratio(sum, count), std::nullopt};
    if (d->members && *d->members > 0) s.share = s.average / static_cast<double>(*d->members);
    shares.push_back(s);
  }
  std::stable_sort(shares.begin(), shares.end(), [](const Share& a, const Share& b) {
    return a.share.value_or(-1) > b.share.value_or(-1);
  });
  BarChart bars;
  bars.title = "Share of active employees by department";
  Table share_table;
  share_table.id = "department-share";
  share_table.caption = "Engagement by department (the bar chart's numbers)";
  share_table.headers = {"department", "members", "average active users", "share active"};
  share_table.numeric = {false, true, true, true};
  double max_share = 0;
  for (const auto& s : shares) max_share = std::max(max_share, s.share.value_or(0));
  bars.max = std::max(1.0, max_share);
  for (const auto& s : shares) {
    const auto label = department_label(*s.d);
    const auto share_text = s.share ? percent(*s.share) : std::string("\xE2\x80\x93");
    bars.bars.push_back({label, s.share, share_text});
    share_table.rows.push_back({label, s.d->members ? format_int(*s.d->members) : std::string("\xE2\x80\x93"),
                                format_decimal(s.average, 1), share_text});
  }
  out += "<h3>Share of active employees</h3>\n";
  append_bar_chart(out, bars);
  append_table(out, share_table);

  HeatMap map;
  map.title = fmt::format("Active users by department and {}", stats::to_string(meta.granularity));
  map.column_labels = periods;
  Table cells;
  cells.id = "department-heat-map";
  cells.caption = "Active users by department and period (the heat map's numbers; shade: share of members)";
  cells.headers = {"department"};
  cells.numeric = {false};
  for (const auto& p : periods) {
    cells.headers.push_back(p);
    cells.numeric.push_back(true);
  }
  for (auto* d : rows) {
    map.row_labels.push_back(department_label(*d));
    std::vector<std::optional<HeatCell>> line(periods.size());
    std::vector<std::string> row{department_label(*d)};
    for (std::size_t i = 0; i < periods.size(); ++i) {
      auto it = d->active_by_period.find(periods[i]);
      if (it == d->active_by_period.end()) {
        row.emplace_back();
        continue;
      }
      const double level = d->members && *d->members > 0
                               ? static_cast<double>(it->second) / static_cast<double>(*d->members)
                               : ratio(it->second, std::max<std::int64_t>(1, max_active));
      line[i] = HeatCell{it->second, level};
      row.push_back(format_int(it->second));
    }
    map.cells.push_back(std::move(line));
    cells.rows.push_back(std::move(row));
  }
  out += "<h3>Department \xC3\x97 period</h3>\n";
  append_heat_map(out, map);
  append_table(out, cells);
  out += "</section>\n";
}

void events_section(std::string& out, const StatsAggregates& data) {
  out += "<section id=\"events\"><h2>Events</h2>\n";
  const auto& t = data.event_totals();
  out += fmt::format("<p class=\"note\">{} events starting in this period.</p>\n", format_int(data.event_count()));
  BarChart funnel;
  funnel.title = "Invitations and answers";
  auto text = [&t](std::int64_t n) {
    return t.invited > 0 ? format_int(n) + " (" + percent(ratio(n, t.invited)) + ")" : format_int(n);
  };
  for (auto [label, value] : {std::pair<const char*, std::int64_t>{"invited", t.invited}, {"going", t.going},
                              {"maybe", t.maybe}, {"declined", t.declined}, {"pending", t.pending}})
    funnel.bars.push_back({label, static_cast<double>(value), text(value)});
  append_bar_chart(out, funnel);
  Table table;
  table.id = "events-funnel";
  table.caption = "Invitations and answers (the chart's numbers)";
  table.headers = {"stage", "people", "share of invited"};
  table.numeric = {false, true, true};
  for (const auto& bar : funnel.bars) {
    const auto n = static_cast<std::int64_t>(*bar.value);
    table.rows.push_back({bar.label, format_int(n), t.invited > 0 ? percent(ratio(n, t.invited)) : "\xE2\x80\x93"});
  }
  append_table(out, table);
  const auto top = data.top_events();
  if (!top.empty()) {
    Table events;
    events.id = "top-events";
    events.caption = fmt::format("The {} events with the most invitations", top.size());
    events.headers = {"event", "starts (UTC)", "invited", "going", "maybe", "declined", "pending"};
    events.numeric = {false, false, true, true, true, true, true};
    for (const auto& e : top)
      events.rows.push_back({e.title, e.starts_at, format_int(e.invited), format_int(e.going), format_int(e.maybe),
                             format_int(e.declined), format_int(e.pending)});
    append_table(out, events);
  }
  out += "</section>\n";
}

void communities_section(std::string& out, const StatsAggregates& data) {
  if (!data.communities_read()) return;
  out += "<section id=\"communities\"><h2>Top communities</h2>\n";
  const auto top = data.top_communities();
  out += fmt::format("<p class=\"note\">By members now; {} communities in all.</p>\n", format_int(data.community_count()));
  if (top.empty()) {
    out += "</section>\n";
    return;
  }
  BarChart bars;
  bars.title = "Communities by members";
  Table table;
  table.id = "top-communities";
  table.caption = "Top communities (the chart's numbers)";
  table.headers = {"community", "members"};
  table.numeric = {false, true};
  for (const auto& c : top) {
    bars.bars.push_back({c.name, static_cast<double>(c.members), format_int(c.members)});
    table.rows.push_back({c.name, format_int(c.members)});
  }
  append_bar_chart(out, bars);
  append_table(out, table);
  out += "</section>\n";
}

std::string badge_label(const BadgeAwards& b) {
  return b.name ? *b.name : "(deleted badge " + b.badge_id + ")";
}

void awards_section(std::string& out, const StatsAggregates& data) {
  if (!data.awards_read()) return;
  out += "<section id=\"badges\"><h2>Badges awarded</h2>\n";
  const auto badges = data.awards_by_badge();
  if (badges.empty()) {
    out += "<p class=\"note\">No badges awarded in this period.</p>\n</section>\n";
    return;
  }
  out += fmt::format("<p class=\"note\">{} badges awarded in this period, {} different badges.</p>\n",
                     format_int(data.current().awards), format_int(static_cast<std::int64_t>(badges.size())));
  BarChart bars;
  bars.title = "Badges awarded by badge";
  Table table;
  table.id = "badges-awarded";
  table.caption = "Badges awarded by badge (the chart's numbers)";
  table.headers = {"badge", "awarded"};
  table.numeric = {false, true};
  for (const auto& b : badges) {
    bars.bars.push_back({badge_label(b), static_cast<double>(b.awarded), format_int(b.awarded)});
    table.rows.push_back({badge_label(b), format_int(b.awarded)});
  }
  append_bar_chart(out, bars);
  append_table(out, table);
  out += "</section>\n";
}

}  // namespace

std::string render_stats_report(const StatsAggregates& data, const StatsReportMeta& meta) {
  std::string out;
  out.reserve(64 * 1024);
  begin_page(out, meta.title);
  meta_block(out, meta);
  headline_section(out, data, meta);
  activity_section(out, data, meta);
  department_section(out, data, meta);
  events_section(out, data);
  communities_section(out, data);
  awards_section(out, data);
  out += "<footer>Generated by daoctl at ";
  append_escaped(out, meta.generated_at);
  out += " (UTC) from ";
  append_escaped(out, meta.platform_url);
  out += ". All times are UTC. The page makes no network request and needs no script.</footer>\n";
  end_page(out);
  return out;
}

}  // namespace daoctl::report
