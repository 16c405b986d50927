// daoctl stats report: one self-contained HTML page of activity, engagement
// by department, events, communities and badges awarded. It reads the same pages as
// `stats export` (stream_cursor_pages_dom) and keeps aggregates only
// (core/report/stats_report.hpp); the page is rendered by core/report.
#include <fmt/format.h>

#include <chrono>
#include <CLI/CLI.hpp>

#include "commands/common/command_doc.hpp"
#include "commands/common/job_report.hpp"
#include "connectors/platform/page_stream.hpp"
#include "connectors/platform/stats_api.hpp"
#include "commands/stats/sinks.hpp"
#include "commands/stats/stats.hpp"
#include "core/report/stats_report.hpp"

namespace daoctl::commands {

namespace {

// Reads members of one row of a page; a member of the wrong kind is a
// Remote error naming the page and the field as a JSON pointer.
class RowReader {
 public:
  RowReader(simdjson::dom::element row, const std::string& page, std::size_t index)
      : page_(page), pointer_("/items/" + std::to_string(index)) {
    if (row.get_object().get(row_) != simdjson::SUCCESS) wrong("", "an object");
  }
  std::int64_t integer(const char* key) const {
    simdjson::dom::element value;
    if (row_[key].get(value) != simdjson::SUCCESS) wrong(key, "an integer (missing)");
    std::int64_t n = 0;
    if (value.get_int64().get(n) != simdjson::SUCCESS || n < 0) wrong(key, "a non-negative integer");
    return n;
  }
  std::optional<std::string> text(const char* key, bool nullable) const {
    simdjson::dom::element value;
    if (row_[key].get(value) != simdjson::SUCCESS || value.is_null()) {
      if (nullable) return std::nullopt;
      wrong(key, "a string");
    }
    std::string_view s;
    if (value.get_string().get(s) != simdjson::SUCCESS) wrong(key, nullable ? "a string or null" : "a string");
    return std::string(s);
  }

 private:
  [[noreturn]] void wrong(std::string_view key, std::string_view expected) const {
    throw CommandError(ErrorKind::Remote, fmt::format("unexpected answer: field {}/{} is not {}", pointer_, key, expected),
                       page_);
  }
  simdjson::dom::object row_;
  const std::string& page_;
  std::string pointer_;
};

report::ActivityCounts counts_of(const RowReader& row) {
  return {row.integer("active_users"), row.integer("logins"),    row.integer("posts"),
          row.integer("comments"),     row.integer("reactions"), row.integer("views")};
}

// Streams every row of `path`, one RowReader at a time.
void each_row(platform::PlatformClient& client, const std::string& path, int page_size,
              const std::function<void(const RowReader&)>& on_row) {
  long long page = 0;
  value_or_throw(platform::stream_cursor_pages_dom(client, path, page_size, [&](simdjson::dom::array items) {
    const std::string object = "page " + std::to_string(++page) + " of " + path;
    std::size_t index = 0;
    for (auto element : items) on_row(RowReader(element, object, index++));
  }));
}

std::string activity_path(const stats::TimeRange& range, stats::Granularity granularity, stats::GroupBy group_by) {
  stats::ReportScope scope;
  scope.kind = stats::ReportKind::Activity;
  scope.range = range;
  scope.granularity = granularity;
  scope.group_by = group_by;
  return platform::stats_report_path(scope, {});
}

}  // namespace

int run_stats_report(const StatsReportOptions& opts, CommandContext& ctx) {
  auto granularity = stats::parse_granularity(opts.granularity);
  if (!granularity || *granularity == stats::Granularity::Day)
    throw CommandError(ErrorKind::Usage, "invalid --granularity", opts.granularity, "expected week or month");
  auto group_by = stats::parse_group_by(opts.group_by);
  if (!group_by || *group_by == stats::GroupBy::User)
    throw CommandError(ErrorKind::Usage, "invalid --group-by", opts.group_by, "expected none or department");
  if (opts.output_path.empty() && ctx.io().stdout_is_tty())
    throw CommandError(ErrorKind::Usage, "refusing to write an HTML page to a terminal", "stdout", "",
                       "add -O report.html or redirect stdout to a file");

  const auto now = std::chrono::duration_cast<std::chrono::seconds>(ctx.now().time_since_epoch()).count();
  const auto range = value_or_throw(stats::resolve_range(opts.from, opts.to, opts.since, now));
  const stats::TimeRange previous{range.from - (range.to - range.from), range.from};

  std::unique_ptr<AtomicOutputFile> file;
  if (!opts.output_path.empty()) file = value_or_throw(AtomicOutputFile::create(opts.output_path));

  auto& client = ctx.client();
  report::StatsAggregates data;
  std::int64_t rows = 0;
  using stats::Granularity;
  using stats::GroupBy;
  for (bool before : {false, true}) {
    const auto& r = before ? previous : range;
    each_row(client, activity_path(r, Granularity::Day, GroupBy::None), opts.page_size, [&](const RowReader& row) {
      data.add_day(counts_of(row), before);
      ++rows;
    });
    for (auto g : {Granularity::Week, Granularity::Month}) {
      each_row(client, activity_path(r, g, GroupBy::None), opts.page_size, [&](const RowReader& row) {
        const auto counts = counts_of(row);
        if (g == Granularity::Week) data.add_week(counts.active_users, before);
        else data.add_month(counts.active_users, before);
        if (!before && g == *granularity) data.add_period(*row.text("period", false), counts);
        ++rows;
      });
    }
  }
  if (*group_by == GroupBy::Department) {
    each_row(client, activity_path(range, *granularity, GroupBy::Department), opts.page_size,
             [&](const RowReader& row) {
               data.add_department_cell(row.text("department_id", true), row.text("department", true),
                                        *row.text("period", false), row.integer("active_users"));
               ++rows;
             });
    each_row(client, platform::kDepartmentListPath, 1000, [&](const RowReader& row) {
      data.add_department(*row.text("id", false), *row.text("path", false), row.integer("member_count"));
    });
    data.set_departments_read(true);
  }
  stats::ReportScope events;
  events.kind = stats::ReportKind::Events;
  events.range = range;
  each_row(client, platform::stats_report_path(events, {}), opts.page_size, [&](const RowReader& row) {
    data.add_event({*row.text("event_id", false), *row.text("title", false), *row.text("starts_at", false),
                    row.integer("invited"), row.integer("going"), row.integer("maybe"), row.integer("declined"),
                    row.integer("pending")});
    ++rows;
  });
  each_row(client, platform::kCommunityListPath, 1000, [&](const RowReader& row) {
    data.add_community({*row.text("id", false), *row.text("name", false), row.integer("member_count")});
  });
  data.set_communities_read(true);
  // Badges awarded: the same rows as `stats export awards` of each period.
  for (bool before : {false, true}) {
    stats::ReportScope awards;
    awards.kind = stats::ReportKind::Awards;
    awards.range = before ? previous : range;
    awards.granularity = *granularity;
    each_row(client, platform::stats_report_path(awards, {}), opts.page_size, [&](const RowReader& row) {
      data.add_awards(*row.text("badge_id", false), row.text("badge_name", true), row.integer("awarded"), before);
      ++rows;
    });
  }
  data.set_awards_read(true);

  report::StatsReportMeta meta;
  meta.range = range;
  meta.previous_range = previous;
  meta.granularity = *granularity;
  meta.by_department = *group_by == GroupBy::Department;
  meta.generated_at = stats::format_rfc3339(now);
  meta.platform_url = ctx.client_settings().url;
  const auto page = report::render_stats_report(data, meta);

  if (ctx.job_report) ctx.job_report->count("rows", rows);
  if (file) {
    file->stream() << page;
    if (!file->stream())
      throw CommandError(ErrorKind::Io, "cannot write the output file", opts.output_path, "write failed");
    value_or_throw(file->commit());
    ctx.info(fmt::format("wrote the report of {} .. {} (UTC, {} rows read, {} bytes) to {}",
                         stats::format_rfc3339(range.from), stats::format_rfc3339(range.to), rows, page.size(),
                         opts.output_path));
  } else {
    ctx.io().out() << page;
    ctx.io().out().flush();
  }
  return exit_code::ok;
}

void register_stats_report(CLI::App& parent, CommandContext& ctx,
                           std::function<int(const StatsReportOptions&, CommandContext&)> run) {
  auto opts = std::make_shared<StatsReportOptions>();
  auto& cmd = add_command(parent, {"report", "Write one self-contained HTML report: activity, departments, events, badges",
                                   "daoctl stats report --since 90d --group-by department -O report.html"});
  cmd.add_option("--from", opts->from, "Start (inclusive): a date 2026-11-01 or an RFC 3339 time");
  cmd.add_option("--to", opts->to, "End (exclusive): a date or an RFC 3339 time; default now");
  cmd.add_option("--since", opts->since, "Start relative to now: 90d, 12w (default 30d)");
  cmd.add_option("--granularity", opts->granularity, "Charts per week or month (default week)")
      ->check(CLI::IsMember({"week", "month"}));
  cmd.add_option("--group-by", opts->group_by, "none, or department for the department charts")
      ->check(CLI::IsMember({"none", "department"}));
  cmd.add_option("-O,--output-file", opts->output_path, "Write the page to FILE atomically instead of stdout");
  cmd.add_option("--page-size", opts->page_size, "Rows per request (1..1000)")->check(CLI::Range(1, 1000));
  auto files = std::make_shared<JobReportFiles>();
  add_job_report_flags(cmd, *files);
  cmd.callback([opts, files, run, &ctx] {
    JobReport report("stats report", "stats_report");
    ctx.exit_status = run_reported(ctx, *files, report, [&](JobReport&) { return run(*opts, ctx); });
  });
}

}  // namespace daoctl::commands
