#include <fmt/format.h>

#include <filesystem>

#include "commands/backup/backup.hpp"
#include "commands/common/dry_run.hpp"
#include "connectors/hr/http_json_source.hpp"

namespace daoctl::commands {

namespace fs = std::filesystem;

namespace {

// The grammar of every destructive command (commands/common/confirm.hpp):
// --yes does not ask; on a terminal the backup id is typed back; without a
// terminal and without --yes it is refused. --confirm ID is the stricter form
// for scripts: it proceeds only if ID is the backup about to be restored.
void confirm_restore(CommandContext& ctx, const BackupRestoreOptions& opts, const std::string& id,
                     const std::string& object) {
  if (!opts.confirm.empty()) {
    if (opts.confirm != id)
      throw CommandError(ErrorKind::Safety, "not confirmed; nothing was changed", object,
                         fmt::format("--confirm {} does not match the backup id {}", opts.confirm, id));
    return;
  }
  if (ctx.global.yes) return;
  if (!ctx.io().stdin_is_tty())
    throw CommandError(ErrorKind::Safety, "refusing to restore without confirmation", object,
                       "not running on a terminal, so nobody can type the id",
                       fmt::format("pass --confirm {} (or --yes)", id));
  auto answer = ctx.io().prompt(fmt::format("To replace all data with backup {}, type {} and press Enter: ", id, id));
  if (!answer || *answer != id)
    throw CommandError(ErrorKind::Safety, "not confirmed; nothing was changed", object,
                       fmt::format("typed \"{}\", expected {}", answer.value_or(""), id));
}

std::string current_state(CommandContext& ctx) {
  auto users = backup_api(ctx).user_count();
  if (!users) return "its current state";
  return fmt::format("its current {} users, departments, groups, content and files", *users);
}

}  // namespace

int run_backup_restore(const BackupRestoreOptions& opts, CommandContext& ctx) {
  auto url = hr::redact_url(ctx.client_settings().url);  // shown, never with user:password@
  std::error_code ec;
  platform::JobInfo job;
  std::string id;
  if (fs::is_regular_file(opts.target, ec)) {
    // Verified end to end (and its signature, with a key pinned) before a byte is uploaded.
    auto origin = check_local_origin(ctx, opts.target, trusted_backup_keys(ctx, opts.trusted_keys));
    check_backup_timestamp(ctx, opts.target, opts.timestamp_ca);
    auto plain = decrypted_archive(opts.target, opts.identity);  // a .age archive: decrypted, never named on disk
    const std::string archive = plain ? plain->path : opts.target;
    auto report = check_archive(archive, true, origin.manifest ? std::optional(origin.manifest->archive_sha256)
                                                                : std::nullopt);
    report.path = opts.target;
    throw_if_damaged(report);
    require_origin_matches(origin, report);
    id = report.manifest->backup_id;
    ctx.io().err() << fmt::format(
        "Restoring {} replaces ALL data on {} ({}) with backup {} of {} ({} members, {} bytes, verified).\n",
        opts.target, url, current_state(ctx), id, report.manifest->created_at, report.manifest->members.size(),
        report.size);
    if (opts.dry_run)
      return report_dry_run(ctx, fmt::format("upload {} and replace all data on {} with backup {}", opts.target, url, id),
                            {{"backup_id", id},
                             {"archive", opts.target},
                             {"sha256", report.sha256},
                             {"request", platform::BackupApi::restore_upload_request().describe()}});
    confirm_restore(ctx, opts, id, opts.target);
    job = value_or_throw(backup_api(ctx).restore_upload(
        archive, report.sha256, std::chrono::duration_cast<std::chrono::milliseconds>(ctx.attempt_timeout())));
  } else {
    id = opts.target;
    auto backup_info = fetch_backup(ctx, id);
    if (backup_info.state != "ready")
      throw CommandError(ErrorKind::Conflict, "the backup cannot be restored", "backup " + id,
                         "its state is " + backup_info.state);
    ctx.io().err() << fmt::format("Restoring replaces ALL data on {} ({}) with backup {} of {} ({} bytes).\n", url,
                                  current_state(ctx), id, backup_info.created_at,
                                  backup_info.size ? std::to_string(*backup_info.size) : std::string("null"));
    if (opts.dry_run)
      return report_dry_run(ctx, fmt::format("replace all data on {} with backup {}", url, id),
                            {{"backup_id", id},
                             {"request", platform::BackupApi::restore_request(id).describe()}});
    confirm_restore(ctx, opts, id, "backup " + id);
    job = value_or_throw(backup_api(ctx).restore(id));
  }
  auto done = wait_for_job(ctx, job, "restore", std::chrono::seconds(opts.wait_timeout_seconds));
  ctx.info(fmt::format("restored backup {}; the platform now serves its data", id));
  ctx.print_item(done.raw, {{"JOB", "/id", {}}, {"STATE", "/state", {}}, {"BACKUP", "/result/backup_id", {}},
                        {"CREATED", "/result/backup_created_at", {}}});
  return exit_code::ok;
}

}  // namespace daoctl::commands
