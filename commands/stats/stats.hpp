// daoctl stats export: activity, event RSVPs, badges awarded and the audit log, streamed page
// by page from the platform into CSV, JSON, NDJSON, XLSX or Prometheus text.
#pragma once

#include "commands/common/cli_fwd.hpp"
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "commands/common/context.hpp"
#include "core/stats/report.hpp"

namespace daoctl::commands {

struct StatsExportOptions {
  std::vector<std::string> reports;  // activity | events | audit | awards; several only for xlsx and prometheus
  std::optional<std::string> from;
  std::optional<std::string> to;
  std::optional<std::string> since;  // 30d, 12h, 2w
  std::string granularity = "day";
  std::string group_by = "none";
  std::string format;       // csv|json|ndjson|xlsx|prometheus; empty: from -O's extension, else csv
  std::string output_path;  // -O; empty: stdout
  bool excel = false;       // CSV: UTF-8 BOM for Excel
  std::string action;       // audit: only this action
  int page_size = 1000;
  std::string sign_key;       // --sign KEY: FILE.minisig (commands/stats/export_sign.hpp)
  std::string timestamp_url;  // with --sign: FILE.minisig.tsr
};

// The format to use: --format, else the extension of -O (.csv .json .ndjson
// .jsonl .xlsx .prom), else csv. Errors: Usage for an unknown name.
Result<std::string> stats_export_format(const StatsExportOptions& opts);

int run_stats_export(const StatsExportOptions& opts, CommandContext& ctx);
void register_stats_export(CLI::App& parent, CommandContext& ctx,
                           std::function<int(const StatsExportOptions&, CommandContext&)> run = run_stats_export);

// daoctl stats report: one self-contained HTML page (commands/stats/report.cpp).
struct StatsReportOptions {
  std::optional<std::string> from;
  std::optional<std::string> to;
  std::optional<std::string> since;
  std::string granularity = "week";  // week | month
  std::string group_by = "none";     // none | department
  std::string output_path;           // -O; empty: stdout
  int page_size = 1000;
};
int run_stats_report(const StatsReportOptions& opts, CommandContext& ctx);
void register_stats_report(CLI::App& parent, CommandContext& ctx,
                           std::function<int(const StatsReportOptions&, CommandContext&)> run = run_stats_report);

void register_stats(CLI::App& root, CommandContext& ctx);

}  // namespace daoctl::commands
