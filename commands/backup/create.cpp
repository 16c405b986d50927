#include <fmt/format.h>

#include "commands/backup/backup.hpp"
#include "commands/common/job_report.hpp"

namespace daoctl::commands {

int run_backup_create(const BackupCreateOptions& opts, CommandContext& ctx) {
  json body = {{"include", opts.include}};
  if (!opts.note.empty()) body["note"] = opts.note;
  auto job = value_or_throw(ctx.client().send_json("POST", "/api/v1/backups", "new backup", body));
  if (!opts.wait) {
    ctx.info(fmt::format("backup job {} is {}; follow it with: daoctl api GET /api/v1/jobs/{}", job.value("id", ""),
                         job.value("state", ""), job.value("id", "")));
    ctx.print_item(job, {{"ID", "/id", {}}, {"KIND", "/kind", {}}, {"STATE", "/state", {}}, {"PROGRESS", "/progress", {}}});
    return exit_code::ok;
  }
  auto done = wait_for_job(ctx, job, "backup");
  auto id = done["result"].value("backup_id", "");
  auto backup_json = fetch_backup(ctx, id);
  if (ctx.job_report) {
    ctx.job_report->extra["backup_id"] = id;
    if (backup_json.contains("size") && backup_json["size"].is_number_integer())
      ctx.job_report->count("bytes", backup_json["size"].get<std::int64_t>());
  }
  ctx.print_item(backup_json, backup_columns());
  return exit_code::ok;
}

}  // namespace daoctl::commands
