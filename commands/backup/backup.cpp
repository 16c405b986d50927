#include <CLI/CLI.hpp>
#include "commands/common/command_doc.hpp"
#include "commands/backup/backup.hpp"
#include "commands/common/job_report.hpp"

namespace daoctl::commands {

namespace {

CLI::Option* add_wait_timeout_flag(CLI::App& cmd, int& seconds, const char* what) {
  return cmd.add_option("--wait-timeout", seconds,
                        std::string("Give up waiting for the server's ") + what +
                            " job after SECONDS (default 21600, 6 h; the job goes on; exit 1)")
      ->type_name("SECONDS")
      ->check(CLI::PositiveNumber);
}

void add_retention_flags(CLI::App& cmd, RetentionFlags& keep) {
  cmd.add_option("--keep-last", keep.keep_last, "Keep the N newest backups (-1: all)");
  cmd.add_option("--keep-hourly", keep.keep_hourly, "Keep the newest backup of each of the last N hours that have one");
  cmd.add_option("--keep-daily", keep.keep_daily, "Keep the newest backup of each of the last N days that have one");
  cmd.add_option("--keep-weekly", keep.keep_weekly, "The same for ISO weeks");
  cmd.add_option("--keep-monthly", keep.keep_monthly, "The same for months");
  cmd.add_option("--keep-yearly", keep.keep_yearly, "The same for years");
  cmd.add_option("--keep-within", keep.keep_within,
                 "Keep every backup newer than the newest one minus DURATION (e.g. 7d, 1y6m, 36h)");
}

}  // namespace

void register_backup(CLI::App& root, CommandContext& ctx) {
  auto& group = add_command(root, {"backup", "Server backups: create, download, verify, restore, prune",
                                   "daoctl backup run --dir /var/backups/daoffice --keep-daily 7 --keep-weekly 4"});
  group.require_subcommand(1);

  {
    auto opts = std::make_shared<BackupCreateOptions>();
    auto& cmd = add_command(group, {"create", "Start a server-side backup", "daoctl backup create --wait"});
    cmd.add_option("--include", opts->include, "What to back up: db, files (default both)")
        ->check(CLI::IsMember({"db", "files"}));
    cmd.add_option("--note", opts->note, "A note stored with the backup");
    auto* wait = cmd.add_flag("--wait", opts->wait, "Wait for the backup job (a progress bar on a terminal)");
    // Without --wait nothing waits: a bound given anyway is a usage error, not ignored.
    add_wait_timeout_flag(cmd, opts->wait_timeout_seconds, "backup")->needs(wait);
    cmd.add_flag("--dry-run", opts->dry_run, "Only say what would be backed up; start no job");
    auto files = std::make_shared<JobReportFiles>();
    add_job_report_flags(cmd, *files);
    cmd.callback([opts, files, &ctx] {
      JobReport report("backup create", "backup_create");
      ctx.exit_status =
          run_reported(ctx, *files, report, [&](JobReport&) { return run_backup_create(*opts, ctx); });
    });
  }
  {
    auto opts = std::make_shared<BackupListOptions>();
    auto& cmd = add_command(group, {"list", "List server backups, newest first", "daoctl backup list --state ready"});
    cmd.add_option("--kind", opts->kind, "scheduled or manual")->check(CLI::IsMember({"scheduled", "manual"}));
    cmd.add_option("--state", opts->state, "creating, ready or failed")
        ->check(CLI::IsMember({"creating", "ready", "failed"}));
    cmd.callback([opts, &ctx] { ctx.exit_status = run_backup_list(*opts, ctx); });
  }
  {
    auto opts = std::make_shared<BackupShowOptions>();
    auto& cmd = add_command(group, {"show", "Show one server backup", "daoctl backup show 12"});
    cmd.add_option("id", opts->id, "Backup id")->required();
    cmd.callback([opts, &ctx] { ctx.exit_status = run_backup_show(*opts, ctx); });
  }
  {
    auto opts = std::make_shared<BackupDownloadOptions>();
    auto& cmd = add_command(group, {"download", "Download a backup (resumable, sha256-verified)",
                                    "daoctl backup download 12 --dir /var/backups/daoffice"});
    cmd.add_option("id", opts->id, "Backup id")->required();
    cmd.add_option("-O,--output-file", opts->output, "Write to this file");
    cmd.add_option("--dir", opts->dir, "Write into this directory under the default name");
    add_trusted_key_flag(cmd, opts->trusted_keys);
    add_encrypt_to_flag(cmd, opts->encrypt_to);
    add_timestamp_flags(cmd, &opts->timestamp_url, opts->timestamp_ca);
    auto files = std::make_shared<JobReportFiles>();
    add_job_report_flags(cmd, *files);
    cmd.callback([opts, files, &ctx] {
      JobReport report("backup download", "backup_download");
      report.labels["backup"] = opts->id;
      ctx.exit_status =
          run_reported(ctx, *files, report, [&](JobReport&) { return run_backup_download(*opts, ctx); });
    });
  }
  {
    auto opts = std::make_shared<BackupVerifyOptions>();
    auto& cmd = add_command(group, {"verify", "Check an archive (file or backup id) against its manifest",
                                    "daoctl backup verify daoctl-backup-12-20261126T233724Z.tar.zst --read-data"});
    cmd.add_option("target", opts->target, "A downloaded archive, or a backup id (downloaded to a temp dir)")
        ->required();
    cmd.add_flag("--read-data,--deep", opts->read_data,
                 "Decompress and hash every member (a backup id is always read in full)");
    add_trusted_key_flag(cmd, opts->trusted_keys);
    add_identity_flag(cmd, opts->identity);
    add_timestamp_flags(cmd, nullptr, opts->timestamp_ca);
    cmd.callback([opts, &ctx] { ctx.exit_status = run_backup_verify(*opts, ctx); });
  }
  {
    auto opts = std::make_shared<BackupRestoreOptions>();
    auto& cmd = add_command(group, {"restore", "Replace all platform data with a backup (destructive)",
                                    "daoctl backup restore 12 --confirm 12"});
    cmd.add_option("target", opts->target, "A backup id, or a downloaded archive to upload")->required();
    cmd.add_option("--confirm", opts->confirm, "The backup id, repeated: confirms without a terminal");
    add_trusted_key_flag(cmd, opts->trusted_keys);
    add_identity_flag(cmd, opts->identity);
    add_timestamp_flags(cmd, nullptr, opts->timestamp_ca);
    add_wait_timeout_flag(cmd, opts->wait_timeout_seconds, "restore");
    cmd.add_flag("--dry-run", opts->dry_run,
                 "Check the backup (an archive is verified) and say what would be replaced; restore nothing");
    cmd.callback([opts, &ctx] { ctx.exit_status = run_backup_restore(*opts, ctx); });
  }
  {
    auto opts = std::make_shared<BackupPruneOptions>();
    auto& cmd = add_command(group, {"prune", "Remove backups by retention rules (restic semantics)",
                                    "daoctl backup prune --keep-daily 7 --keep-weekly 4 --dry-run"});
    add_retention_flags(cmd, opts->keep);
    cmd.add_option("--dir", opts->dir, "Prune downloaded backups in this directory instead of the server");
    cmd.add_flag("--dry-run", opts->dry_run, "Only show what is kept (and by which rule) and what would go");
    auto files = std::make_shared<JobReportFiles>();
    add_job_report_flags(cmd, *files);
    cmd.callback([opts, files, &ctx] {
      JobReport report("backup prune", "backup_prune");
      report.labels["target"] = opts->dir.empty() ? "server" : "dir";
      ctx.exit_status =
          run_reported(ctx, *files, report, [&](JobReport&) { return run_backup_prune(*opts, ctx); });
    });
  }
  {
    auto opts = std::make_shared<BackupRunOptions>();
    auto& cmd = add_command(group, {"run", "Cron job: create, wait, download, verify, prune",
                                    "daoctl backup run --dir /var/backups/daoffice --keep-daily 7 --metrics-file "
                                    "/var/lib/node_exporter/daoctl_backup.prom"});
    cmd.add_option("--dir", opts->dir, "Directory of downloaded backups")->required();
    add_retention_flags(cmd, opts->keep);
    cmd.add_flag("--prune-server", opts->prune_server, "Apply the retention rules to server backups too");
    cmd.add_option("--note", opts->note, "Note stored with the backup");
    add_trusted_key_flag(cmd, opts->trusted_keys);
    add_encrypt_to_flag(cmd, opts->encrypt_to);
    add_timestamp_flags(cmd, &opts->timestamp_url, opts->timestamp_ca);
    add_wait_timeout_flag(cmd, opts->wait_timeout_seconds, "backup");
    auto files = std::make_shared<JobReportFiles>();
    add_job_report_flags(cmd, *files, /*legacy_aliases=*/true);
    cmd.callback([opts, files, &ctx] {
      JobReport report("backup run", "backup");
      // The summary also goes to stdout: with -o json as the run summary
      // (one line), else as sentences for the person reading cron mail.
      report.on_summary = [&ctx](const json& summary) {
        if (ctx.format() == output::Format::Json) ctx.io().out() << summary.dump() << "\n";
        else ctx.io().out() << backup_run_text(summary);
      };
      ctx.exit_status = run_reported(ctx, *files, report, [&](JobReport&) { return run_backup_run(*opts, ctx); });
    });
  }
}

}  // namespace daoctl::commands
