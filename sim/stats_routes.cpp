// /api/v1/stats/activity, /api/v1/stats/events, /api/v1/stats/awards and
// /api/v1/audit-log.
//
// Ranges: `from` inclusive, `to` exclusive, each a date or an RFC 3339 time.
// Activity is kept per UTC day, so its range is widened to whole UTC days
// (from rounds down, to rounds up); events, awards and the audit log compare
// instants.
#include <fmt/format.h>

#include <mutex>

#include "core/stats/period.hpp"
#include "sim/routes.hpp"
#include "sim/sqlite_db.hpp"
#include "sim/stats_store.hpp"

namespace daoctl::sim {

namespace {

ApiResult<std::int64_t> read_limit(const httplib::Request& req) {
  auto limit = integer_param(req, "limit", kDefaultLimit);
  if (!limit) return std::unexpected(limit.error());
  if (*limit < 1) return api_fail(400, fmt::format("limit={} must be at least 1", *limit));
  return std::min(*limit, kMaxLimit);
}

std::optional<std::string> cursor_param(const httplib::Request& req) {
  if (!req.has_param("cursor") || req.get_param_value("cursor").empty()) return std::nullopt;
  return req.get_param_value("cursor");
}

ApiError foreign_cursor(const std::string& cursor) {
  return ApiError{400,
                  fmt::format("cursor \"{}\" was not issued by this server for this query; start again "
                              "without a cursor",
                              cursor),
                  {}, {}, {}};
}

struct Range {
  std::int64_t from = 0;
  std::int64_t to = 0;
};

// from and to: both required, each a date or RFC 3339, from before to.
ApiResult<Range> read_range(const httplib::Request& req) {
  Range range;
  for (auto [name, target] : {std::pair{"from", &range.from}, std::pair{"to", &range.to}}) {
    if (!req.has_param(name))
      return api_fail(400, fmt::format("query parameter {} is required (a date such as 2026-11-01 or an "
                                       "RFC 3339 time)",
                                       name));
    auto text = req.get_param_value(name);
    auto value = stats::parse_instant(text);
    if (!value)
      return api_fail(400, fmt::format("{}=\"{}\" is neither a date (2026-11-01) nor an RFC 3339 time "
                                       "(2026-11-01T08:00:00Z)",
                                       name, text));
    *target = *value;
  }
  if (range.from >= range.to) {
    ApiError e{422, fmt::format("from={} is not before to={} (to is exclusive)", req.get_param_value("from"),
                                req.get_param_value("to")),
               {}, {}, {}};
    e.errors.push_back({"to", "must be later than from"});
    return std::unexpected(std::move(e));
  }
  return range;
}

void send_page(httplib::Response& res, const StatsPage& page) {
  std::string body;
  std::size_t size = 64;
  for (const auto& item : page.items_json) size += item.size() + 1;
  body.reserve(size);
  body += "{\"items\":[";
  for (std::size_t i = 0; i < page.items_json.size(); ++i) {
    if (i) body += ',';
    body += page.items_json[i];
  }
  body += "],\"next_cursor\":";
  body += page.next_cursor ? fmt::format("\"{}\"", *page.next_cursor) : "null";
  body += '}';
  send_body(res, 200, std::move(body), kJson);
}

}  // namespace

void add_stats_routes(RouteTable& routes, Store& store) {
  {
    std::lock_guard lock(store.mutex());
    ensure_stats_schema(store.db());
  }

  routes.get("/api/v1/stats/activity", [&store](const httplib::Request& req, httplib::Response& res) {
    auto range = read_range(req);
    if (!range) return send_error(req, res, range.error());
    auto limit = read_limit(req);
    if (!limit) return send_error(req, res, limit.error());
    ActivityQuery q;
    auto granularity = req.has_param("granularity") ? req.get_param_value("granularity") : "day";
    auto group_by = req.has_param("group_by") ? req.get_param_value("group_by") : "none";
    auto g = stats::parse_granularity(granularity);
    if (!g) return send_error(req, res, 400, fmt::format("granularity=\"{}\": expected day, week or month", granularity));
    auto b = stats::parse_group_by(group_by);
    if (!b)
      return send_error(req, res, 400,
                        fmt::format("group_by=\"{}\": expected none, department or user", group_by));
    q.granularity = *g;
    q.group_by = *b;
    q.limit = *limit;
    q.from_day = stats::day_of(range->from);
    q.to_day = stats::day_of(range->to + 86399);
    if (auto cursor = cursor_param(req)) {
      q.after = decode_activity_cursor(*cursor);
      if (!q.after) return send_error(req, res, foreign_cursor(*cursor));
    }
    StatsPage page;
    {
      std::lock_guard lock(store.mutex());
      page = activity_page_locked(store.db(), q);
    }
    send_page(res, page);
  });

  routes.get("/api/v1/stats/events", [&store](const httplib::Request& req, httplib::Response& res) {
    auto range = read_range(req);
    if (!range) return send_error(req, res, range.error());
    auto limit = read_limit(req);
    if (!limit) return send_error(req, res, limit.error());
    EventStatsQuery q;
    q.from = stats::format_rfc3339(range->from);
    q.to = stats::format_rfc3339(range->to);
    q.limit = *limit;
    if (auto cursor = cursor_param(req)) {
      q.after = decode_text_cursor(*cursor);
      if (!q.after) return send_error(req, res, foreign_cursor(*cursor));
    }
    StatsPage page;
    {
      std::lock_guard lock(store.mutex());
      page = event_stats_page_locked(store.db(), q);
    }
    send_page(res, page);
  });

  routes.get("/api/v1/stats/awards", [&store](const httplib::Request& req, httplib::Response& res) {
    auto range = read_range(req);
    if (!range) return send_error(req, res, range.error());
    auto limit = read_limit(req);
    if (!limit) return send_error(req, res, limit.error());
    auto granularity = req.has_param("granularity") ? req.get_param_value("granularity") : "day";
    auto g = stats::parse_granularity(granularity);
    if (!g) return send_error(req, res, 400, fmt::format("granularity=\"{}\": expected day, week or month", granularity));
    AwardStatsQuery q;
    q.from = range->from;
    q.to = range->to;
    q.granularity = *g;
    q.limit = *limit;
    if (auto cursor = cursor_param(req)) {
      q.after = decode_award_cursor(*cursor);
      if (!q.after) return send_error(req, res, foreign_cursor(*cursor));
    }
    StatsPage page;
    {
      std::lock_guard lock(store.mutex());
      page = award_stats_page_locked(store.db(), q);
    }
    send_page(res, page);
  });

  routes.get("/api/v1/audit-log", [&store](const httplib::Request& req, httplib::Response& res) {
    auto limit = read_limit(req);
    if (!limit) return send_error(req, res, limit.error());
    AuditQuery q;
    q.limit = *limit;
    if (req.has_param("since") && !req.get_param_value("since").empty()) {
      auto text = req.get_param_value("since");
      auto since = stats::parse_instant(text);
      if (!since)
        return send_error(req, res, 400,
                          fmt::format("since=\"{}\" is neither a date nor an RFC 3339 time", text));
      q.since = stats::format_rfc3339(*since);
    }
    if (req.has_param("action") && !req.get_param_value("action").empty()) q.action = req.get_param_value("action");
    if (auto cursor = cursor_param(req)) {
      q.after = decode_text_cursor(*cursor);
      if (!q.after) return send_error(req, res, foreign_cursor(*cursor));
    }
    StatsPage page;
    {
      std::lock_guard lock(store.mutex());
      page = audit_page_locked(store.db(), q);
    }
    send_page(res, page);
  });
}

}  // namespace daoctl::sim
