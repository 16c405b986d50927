#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <CLI/CLI.hpp>

#include "commands/stats/export_sign.hpp"
#include "commands/common/command_doc.hpp"
#include "commands/common/job_report.hpp"
#include "commands/common/progress.hpp"
#include "connectors/platform/page_stream.hpp"
#include "commands/stats/sinks.hpp"
#include "commands/stats/stats.hpp"
#include "connectors/platform/answer.hpp"
#include "connectors/platform/stats_api.hpp"

namespace daoctl::commands {

namespace {

bool ends_with(const std::string& text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Copies a finished file to the Io's stdout (XLSX without -O).
Status copy_to(std::ostream& out, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorKind::Io, "cannot read back the workbook", path);
  out << in.rdbuf();
  out.flush();
  return {};
}

// The kind a column's value has in the contract (ActivityRow, EventStats,
// AuditEntry); nullopt: any JSON (audit details). Null or absent is an
// empty cell; any other kind is a remote error naming the field.
std::optional<platform::JsonKind> column_kind(const stats::ReportColumn& column) {
  switch (column.type) {
    case stats::CellType::Text:
    case stats::CellType::Timestamp:
      return platform::JsonKind::String;
    case stats::CellType::Integer:
      return platform::JsonKind::Integer;
    case stats::CellType::Json:
      return std::nullopt;
  }
  return std::nullopt;
}

// Row `index` of a page, checked against its columns (platform::Answer).
void check_row(const json& row, const std::vector<stats::ReportColumn>& columns, const std::string& page,
               std::size_t index) {
  const platform::Answer answer(row, page, "/items/" + std::to_string(index));
  answer.check("", platform::JsonKind::Object);
  for (const auto& column : columns)
    if (auto kind = column_kind(column)) answer.check("/" + column.key, *kind);
}

// One cell of a DOM row, as stats::cell_text would give it for the same
// value: strings verbatim, missing/null empty, integers in Integer columns
// bare; anything unusual (fractions, booleans, objects) goes through
// nlohmann so the text is exactly that of the JSON path.
// A value of another kind than the column's (column_kind) gives nullopt.
std::optional<stats::CellView> dom_cell(simdjson::dom::object item, const stats::ReportColumn& column,
                                        std::string& scratch) {
  simdjson::dom::element value;
  if (item[column.key].get(value) != simdjson::SUCCESS) return stats::CellView{};
  const auto kind = column_kind(column);
  switch (value.type()) {
    case simdjson::dom::element_type::NULL_VALUE: return stats::CellView{};
    case simdjson::dom::element_type::STRING: {
      if (kind && *kind != platform::JsonKind::String) return std::nullopt;
      std::string_view text;
      if (value.get_string().get(text) != simdjson::SUCCESS) return stats::CellView{};
      return stats::CellView{text, false};
    }
    case simdjson::dom::element_type::INT64:
      if (kind && *kind != platform::JsonKind::Integer) return std::nullopt;
      scratch = std::to_string(value.get_int64().value_unsafe());
      return stats::CellView{scratch, column.type == stats::CellType::Integer};
    case simdjson::dom::element_type::UINT64:
      if (kind && *kind != platform::JsonKind::Integer) return std::nullopt;
      scratch = std::to_string(value.get_uint64().value_unsafe());
      return stats::CellView{scratch, column.type == stats::CellType::Integer};
    default:
      if (kind) return std::nullopt;
      scratch = json::parse(simdjson::to_string(value)).dump();
      return stats::CellView{scratch, false};
  }
}

}  // namespace

Result<std::string> stats_export_format(const StatsExportOptions& opts) {
  std::string format = opts.format;
  if (format.empty()) {
    const auto& o = opts.output_path;
    format = ends_with(o, ".xlsx")                             ? "xlsx"
             : ends_with(o, ".json")                           ? "json"
             : ends_with(o, ".ndjson") || ends_with(o, ".jsonl") ? "ndjson"
             : ends_with(o, ".prom")                           ? "prometheus"
                                                               : "csv";
  }
  if (format != "csv" && format != "json" && format != "ndjson" && format != "xlsx" && format != "prometheus")
    return fail(ErrorKind::Usage, "unknown export format", "-o " + format,
                "accepted formats are csv, json, ndjson, xlsx, prometheus");
  return format;
}

int run_stats_export(const StatsExportOptions& given, CommandContext& ctx) {
  // -o/--output is the format, as for every command; --format is its older name.
  StatsExportOptions opts = given;
  if (!ctx.global.output.empty()) {
    if (!opts.format.empty() && opts.format != ctx.global.output)
      throw CommandError(ErrorKind::Usage, "-o and --format name different formats",
                         "-o " + ctx.global.output + " --format " + opts.format, "", "give only -o");
    opts.format = ctx.global.output;
  }
  auto format = value_or_throw(stats_export_format(opts));
  if (opts.reports.empty())
    throw CommandError(ErrorKind::Usage, "no report named", "daoctl stats export",
                       "name one of activity, events, audit, awards");
  std::vector<stats::ReportKind> kinds;
  for (const auto& name : opts.reports) {
    auto kind = stats::parse_report(name);
    if (!kind)
      throw CommandError(ErrorKind::Usage, "unknown report", name, "reports are activity, events, audit, awards");
    if (std::find(kinds.begin(), kinds.end(), *kind) != kinds.end())
      throw CommandError(ErrorKind::Usage, "report named twice", name);
    kinds.push_back(*kind);
  }
  if (kinds.size() > 1 && format != "xlsx" && format != "prometheus")
    throw CommandError(ErrorKind::Usage, "several reports need -o xlsx or -o prometheus",
                       fmt::format("-o {}", format),
                       "a CSV, JSON or NDJSON export holds one report; run one export per report");
  auto granularity = stats::parse_granularity(opts.granularity);
  if (!granularity)
    throw CommandError(ErrorKind::Usage, "invalid --granularity", opts.granularity, "expected day, week or month");
  auto group_by = stats::parse_group_by(opts.group_by);
  if (!group_by)
    throw CommandError(ErrorKind::Usage, "invalid --group-by", opts.group_by, "expected none, department or user");
  if (!opts.sign_key.empty() && opts.output_path.empty())
    throw CommandError(ErrorKind::Usage, "--sign needs -O FILE", "stats export",
                       "the signature is a file beside the export (FILE.minisig)");
  if (!opts.sign_key.empty()) check_signing_key(opts.sign_key);
  if (format == "xlsx" && opts.output_path.empty() && ctx.io().stdout_is_tty())
    throw CommandError(ErrorKind::Usage, "refusing to write an XLSX workbook to a terminal", "stdout",
                       "", "add -O report.xlsx or redirect stdout to a file");

  auto now = std::chrono::duration_cast<std::chrono::seconds>(ctx.now().time_since_epoch()).count();
  auto range = value_or_throw(stats::resolve_range(opts.from, opts.to, opts.since, now));

  // The destination: an atomic file for -O (and a private temporary one for
  // a workbook sent to stdout, since a zip cannot be streamed), else stdout.
  std::unique_ptr<AtomicOutputFile> file;
  std::string xlsx_path;
  std::string xlsx_temp_dir;
  InterruptCleanup xlsx_interrupt_cleanup[2];  // the workbook for stdout, then its directory
  if (format == "xlsx") {
    if (!opts.output_path.empty()) {
      file = value_or_throw(AtomicOutputFile::create(opts.output_path));
      xlsx_path = file->temp_path();
    } else {
      const std::string prefix = local::temporary_directory() + "/daoctl-xlsx-";
      xlsx_temp_dir = create_registered_temporary(prefix, true, xlsx_interrupt_cleanup[1]);
      if (xlsx_temp_dir.empty())
        throw CommandError(ErrorKind::Io, "cannot create a temporary directory for the workbook", prefix + "*",
                           std::strerror(errno));
      xlsx_path = xlsx_temp_dir + "/export.xlsx";
      xlsx_interrupt_cleanup[0] = InterruptCleanup(xlsx_path);
    }
  } else if (!opts.output_path.empty()) {
    file = value_or_throw(AtomicOutputFile::create(opts.output_path));
  }
  struct TempDirRemover {
    std::string dir;
    ~TempDirRemover() {
      std::error_code ignored;
      if (!dir.empty()) std::filesystem::remove_all(dir, ignored);
    }
  } temp_dir_remover{xlsx_temp_dir};
  std::ostream& out = file ? file->stream() : ctx.io().out();

  std::unique_ptr<stats::ReportWriter> writer;
  XlsxWorkbookWriter* workbook = nullptr;
  PrometheusWriter* prometheus = nullptr;
  if (format == "csv") writer = stats::make_csv_writer(out, opts.excel);
  else if (format == "json") writer = stats::make_json_writer(out);
  else if (format == "ndjson") writer = stats::make_ndjson_writer(out);
  else if (format == "prometheus") {
    auto p = std::make_unique<PrometheusWriter>(out);
    prometheus = p.get();
    writer = std::move(p);
  } else {
    auto w = value_or_throw(XlsxWorkbookWriter::create(xlsx_path));
    workbook = w.get();
    writer = std::move(w);
  }

  auto& client = ctx.client();
  std::int64_t total_rows = 0;
  for (auto kind : kinds) {
    stats::ReportScope scope;
    scope.kind = kind;
    scope.range = range;
    scope.granularity = *granularity;
    scope.group_by = *group_by;
    scope.generated_at = stats::format_rfc3339(now);
    const auto columns = stats::report_columns(kind, *group_by);
    writer->begin(scope, columns);
    // The audit log has no end parameter: entries come oldest first, so the
    // ones at or after an explicit --to are skipped here (without --to the
    // export runs to the newest entry, including those of this very second).
    const std::optional<std::string> audit_end =
        opts.to ? std::optional(stats::format_rfc3339(range.to)) : std::nullopt;
    std::int64_t rows = 0;
    auto progress = make_progress(ctx, fmt::format("exporting {}", stats::to_string(kind)), std::nullopt);
    const auto path = platform::stats_report_path(scope, opts.action);
    if (writer->takes_cells()) {
      std::vector<stats::CellView> cells(columns.size());
      std::vector<std::string> scratch(columns.size());
      long long page = 0;
      value_or_throw(platform::stream_cursor_pages_dom(client, path, opts.page_size, [&](simdjson::dom::array items) {
        const std::string object = "page " + std::to_string(++page) + " of " + path;
        std::size_t next_index = 0;
        for (auto element : items) {
          const std::size_t index = next_index++;
          simdjson::dom::object item;
          // A row of the wrong shape: checked again through nlohmann, which
          // names the field (rare, so the fast path stays simdjson).
          auto wrong_row = [&] { check_row(json::parse(simdjson::to_string(element)), columns, object, index); };
          if (element.get_object().get(item) != simdjson::SUCCESS) wrong_row();
          if (kind == stats::ReportKind::Audit && audit_end) {
            std::string_view at;
            if (item["at"].get_string().get(at) == simdjson::SUCCESS && at >= *audit_end) continue;
          }
          for (std::size_t c = 0; c < columns.size(); ++c) {
            auto cell = dom_cell(item, columns[c], scratch[c]);
            if (!cell) wrong_row();
            cells[c] = cell.value_or(stats::CellView{});
          }
          writer->row_cells(cells);
          ++rows;
        }
        progress->update(rows);
      }));
    } else {
      long long page = 0;
      value_or_throw(platform::stream_cursor_pages(client, path, opts.page_size, [&](const json& items) {
        const std::string object = "page " + std::to_string(++page) + " of " + path;
        for (std::size_t i = 0; i < items.size(); ++i) check_row(items[i], columns, object, i);
        for (const auto& item : items) {
          if (kind == stats::ReportKind::Audit && audit_end) {
            auto at = item.find("at");
            if (at != item.end() && at->is_string() && at->get<std::string>() >= *audit_end) continue;
          }
          writer->row(item);
          ++rows;
        }
        progress->update(rows);
      }));
    }
    writer->end();
    progress->finish();
    total_rows += rows;
    if (ctx.job_report) ctx.job_report->count(fmt::format("rows_{}", stats::to_string(kind)), rows);
    ctx.info(fmt::format("{}: {} rows, {} .. {} (UTC)", stats::to_string(kind), rows,
                         stats::format_rfc3339(range.from), stats::format_rfc3339(range.to)));
  }
  if (prometheus) value_or_throw(prometheus->finish());
  if (workbook) {
    value_or_throw(workbook->close());
    if (!file) value_or_throw(copy_to(ctx.io().out(), xlsx_path));
  }
  if (file) {
    if (!out) throw CommandError(ErrorKind::Io, "cannot write the output file", opts.output_path, "write failed");
    value_or_throw(file->commit());
    ctx.info(fmt::format("wrote {} rows to {}", total_rows, opts.output_path));
    if (!opts.sign_key.empty()) sign_export(ctx, opts.output_path, opts.sign_key, opts.timestamp_url);
  } else {
    out.flush();
  }
  return exit_code::ok;
}

void register_stats_export(CLI::App& parent, CommandContext& ctx,
                           std::function<int(const StatsExportOptions&, CommandContext&)> run) {
  auto opts = std::make_shared<StatsExportOptions>();
  auto& cmd = add_command(parent, {"export", "Export activity, event RSVPs, badges awarded or the audit log (streamed)",
                                   "daoctl stats export activity --since 30d --group-by department -O activity.csv"});
  cmd.add_option("report", opts->reports, "activity, events, audit or awards (several with -o xlsx|prometheus)")
      ->required();
  cmd.add_option("--from", opts->from, "Start (inclusive): a date 2026-11-01 or an RFC 3339 time");
  cmd.add_option("--to", opts->to, "End (exclusive): a date or an RFC 3339 time; default now");
  cmd.add_option("--since", opts->since, "Start relative to now: 30d, 12h, 2w (default 30d)");
  cmd.add_option("--granularity", opts->granularity, "Activity and awards per day, week or month")
      ->check(CLI::IsMember({"day", "week", "month"}));
  cmd.add_option("--group-by", opts->group_by, "Activity overall, per department or per user")
      ->check(CLI::IsMember({"none", "department", "user"}));
  cmd.add_option("--format", opts->format, "The older name of -o: csv, json, ndjson, xlsx or prometheus (default: from -O, else csv)");
  cmd.add_option("-O,--output-file", opts->output_path, "Write to FILE atomically instead of stdout");
  cmd.add_flag("--excel", opts->excel, "CSV: start with a UTF-8 byte order mark for Excel");
  cmd.add_option("--action", opts->action, "Audit log: only this action, e.g. user.block");
  cmd.add_option("--page-size", opts->page_size, "Rows per request (1..1000)")->check(CLI::Range(1, 1000));
  auto* sign = cmd.add_option("--sign", opts->sign_key,
                              "Sign the -O file with this minisign secret key (0600, minisign -G -W): FILE.minisig")
                   ->type_name("KEY");
  cmd.add_option("--timestamp-url", opts->timestamp_url, "With --sign: an RFC 3161 token over the signature: FILE.minisig.tsr")
      ->type_name("URL")
      ->needs(sign);
  auto files = std::make_shared<JobReportFiles>();
  add_job_report_flags(cmd, *files);
  cmd.callback([opts, files, run, &ctx] {
    JobReport report("stats export", "stats_export");
    ctx.exit_status = run_reported(ctx, *files, report, [&](JobReport&) { return run(*opts, ctx); });
  });
}

void register_stats(CLI::App& root, CommandContext& ctx) {
  auto& group = add_command(root, {"stats", "Statistics: activity, engagement, events and the audit log",
                                   "daoctl stats export activity --since 7d -o xlsx -O week.xlsx"});
  group.require_subcommand(1);
  register_stats_export(group, ctx);
  register_stats_report(group, ctx);
}

}  // namespace daoctl::commands
