#include <fmt/format.h>

#include <ctime>
#include <filesystem>

#include "commands/backup/backup.hpp"
#include "connectors/hr/http_json_source.hpp"
#include "commands/common/confirm.hpp"
#include "commands/common/job_report.hpp"

namespace daoctl::commands {

namespace fs = std::filesystem;

backup::RetentionPolicy RetentionFlags::policy() const {
  backup::RetentionPolicy p;
  p.keep_last = keep_last;
  p.keep_hourly = keep_hourly;
  p.keep_daily = keep_daily;
  p.keep_weekly = keep_weekly;
  p.keep_monthly = keep_monthly;
  p.keep_yearly = keep_yearly;
  if (!keep_within.empty()) p.keep_within = value_or_throw(backup::parse_keep_within(keep_within));
  return p;
}

bool RetentionFlags::any() const { return !policy().empty(); }

backup::UtcOffsetAt local_utc_offset() {
  return [](backup::SysSeconds t) {
    std::time_t tt = static_cast<std::time_t>(t.time_since_epoch().count());
    std::tm tm{};
    ::localtime_r(&tt, &tm);
    return std::chrono::seconds(tm.tm_gmtoff);
  };
}

PruneOutcome prune_server(CommandContext& ctx, const backup::RetentionPolicy& policy, bool dry_run, bool ask) {
  std::vector<backup::Snapshot> snapshots;
  auto api = backup_api(ctx);
  for (const auto& b : value_or_throw(api.list("", "ready"))) {
    auto t = backup::parse_rfc3339(b.created_at);
    if (!t)
      throw CommandError(ErrorKind::Remote, "the server listed a backup without a valid created_at",
                         "backup " + b.id, b.created_at);
    snapshots.push_back({b.id, *t});
  }
  PruneOutcome outcome{value_or_throw(backup::plan_retention(snapshots, policy, local_utc_offset())), 0};
  if (dry_run) return outcome;
  std::vector<std::string> doomed;
  for (const auto& d : outcome.decisions)
    if (!d.keep) doomed.push_back(d.snapshot.id);
  if (ask && !doomed.empty())
    confirm_by_typing(ctx, fmt::format("remove {} server backup(s)", doomed.size()), "server backups", "yes",
                      fmt::format("Pruning removes {} of {} backups on {} for good (ids {}); {} kept by {}. "
                                  "--dry-run shows the list with the rule that keeps each.",
                                  doomed.size(), outcome.decisions.size(),
                                  hr::redact_url(ctx.client_settings().url), fmt::join(doomed, ", "),
                                  outcome.decisions.size() - doomed.size(), policy.describe()));
  for (const auto& d : outcome.decisions) {
    if (d.keep) continue;
    value_or_throw(api.remove(d.snapshot.id));
    ++outcome.removed;
  }
  return outcome;
}

PruneOutcome prune_local_dir(CommandContext& ctx, const std::string& dir, const backup::RetentionPolicy& policy,
                             bool dry_run) {
  std::vector<backup::Snapshot> snapshots;
  std::map<std::string, std::string> files;
  for (auto& file : value_or_throw(local::list_local_backups(dir))) {
    // The file name is the snapshot's identity: two downloads of one backup id
    // under different names are two entries.
    snapshots.push_back({file.name, file.time});
    files[file.name] = std::move(file.path);
  }
  PruneOutcome outcome{value_or_throw(backup::plan_retention(snapshots, policy, local_utc_offset())), 0};
  if (dry_run) return outcome;
  for (const auto& d : outcome.decisions) {
    if (d.keep) continue;
    value_or_throw(local::remove_local_backup(files[d.snapshot.id]));
    ++outcome.removed;
  }
  (void)ctx;
  return outcome;
}

int run_backup_prune(const BackupPruneOptions& opts, CommandContext& ctx) {
  auto policy = opts.keep.policy();
  std::shared_ptr<local::BackupLock> lock;
  PruneOutcome outcome;
  if (!opts.dir.empty()) {
    if (!fs::is_directory(opts.dir))
      throw CommandError(ErrorKind::NotFound, "no such backup directory", opts.dir);
    lock = lock_backups(ctx, local::backup_dir_lock_file(opts.dir), "a backup job on " + opts.dir);
    outcome = prune_local_dir(ctx, opts.dir, policy, opts.dry_run);
  } else {
    lock = lock_backups(ctx, server_lock_file(ctx), "a backup job on " + hr::redact_url(ctx.client_settings().url));
    outcome = prune_server(ctx, policy, opts.dry_run, /*ask=*/true);
  }
  std::vector<json> rows;
  for (const auto& d : outcome.decisions)
    rows.push_back({{"id", d.snapshot.id},
                    {"created_at", backup::format_rfc3339(d.snapshot.time)},
                    {"action", d.keep ? "keep" : (opts.dry_run ? "would remove" : "removed")},
                    {"reasons", fmt::format("{}", fmt::join(d.reasons, ", "))}});
  ctx.print_list(rows, {{"ID", "/id", {}}, {"CREATED", "/created_at", {}}, {"ACTION", "/action", {}},
                        {"KEPT BY", "/reasons", {}}});
  auto kept = std::count_if(outcome.decisions.begin(), outcome.decisions.end(), [](const auto& d) { return d.keep; });
  if (ctx.job_report) {
    ctx.job_report->count("kept", kept);
    ctx.job_report->count(opts.dry_run ? "would_remove" : "removed",
                          static_cast<std::int64_t>(outcome.decisions.size()) - kept);
  }
  ctx.info(fmt::format("{}: {} kept, {} {} ({})", opts.dir.empty() ? "server backups" : opts.dir, kept,
                       static_cast<long>(outcome.decisions.size()) - kept, opts.dry_run ? "would be removed" : "removed",
                       policy.describe()));
  return exit_code::ok;
}

}  // namespace daoctl::commands
