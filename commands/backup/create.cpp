#include <fmt/format.h>
#include <fmt/ranges.h>

#include "commands/backup/backup.hpp"
#include "commands/common/dry_run.hpp"
#include "commands/common/job_report.hpp"
#include "connectors/hr/http_json_source.hpp"

namespace daoctl::commands {

int run_backup_create(const BackupCreateOptions& opts, CommandContext& ctx) {
  if (opts.dry_run) {
    // Reaching the platform is checked (a wrong URL or token fails as the
    // real run would); nothing is started.
    const auto users = value_or_throw(backup_api(ctx).count_users());
    return report_dry_run(
        ctx,
        fmt::format("start a backup of {} on {}{}{}", fmt::join(opts.include, " and "),
                    hr::redact_url(ctx.client_settings().url),
                    users ? fmt::format(" ({} users)", *users) : std::string(),
                    opts.note.empty() ? "" : fmt::format(" with the note \"{}\"", opts.note)),
        {{"request", platform::BackupApi::create_request(opts.include, opts.note).describe()}});
  }
  auto job = value_or_throw(backup_api(ctx).create(opts.include, opts.note));
  if (!opts.wait) {
    ctx.info(fmt::format("backup job {} is {}; follow it with: daoctl api GET /api/v1/jobs/{}", job.id, job.state,
                         job.id));
    ctx.print_item(job.raw, {{"ID", "/id", {}}, {"KIND", "/kind", {}}, {"STATE", "/state", {}}, {"PROGRESS", "/progress", {}}});
    return exit_code::ok;
  }
  auto done = wait_for_job(ctx, job, "backup", std::chrono::seconds(opts.wait_timeout_seconds));
  auto id = created_backup_id(done);
  auto backup_json = fetch_backup(ctx, id);
  if (ctx.job_report) {
    ctx.job_report->extra["backup_id"] = id;
    if (backup_json.size) ctx.job_report->count("bytes", static_cast<std::int64_t>(*backup_json.size));
  }
  ctx.print_item(backup_json.raw, backup_columns());
  return exit_code::ok;
}

}  // namespace daoctl::commands
