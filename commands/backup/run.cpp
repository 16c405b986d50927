// `backup run`: the cron job. create -> wait -> download -> verify -> prune,
// one lock for the directory, the run summary (JSON) on stdout and in
// --summary-file, Prometheus textfile metrics in --metrics-file, both written
// by run_reported (commands/common/job_report.hpp) also when the run fails
// (daoctl_backup_last_run_success 0, the previous last-success time kept)
// before the error decides the exit code.
#include <fmt/format.h>

#include <chrono>
#include <filesystem>

#include "commands/backup/backup.hpp"
#include "core/output/progress.hpp"
#include "commands/common/job_report.hpp"
#include "connectors/local/files.hpp"

namespace daoctl::commands {

namespace fs = std::filesystem;

namespace {

// The metric names `backup run` wrote before the shared report, kept for
// existing dashboards and alerts.
std::string legacy_metrics(const json& summary, double duration) {
  std::string out;
  auto gauge = [&](const char* name, const char* help, const std::string& value) {
    out += fmt::format("# HELP {} {}\n# TYPE {} gauge\n{} {}\n", name, help, name, name, value);
  };
  gauge("daoctl_backup_last_duration_seconds", "Duration of the last backup run.", fmt::format("{:.3f}", duration));
  if (summary.contains("size"))
    gauge("daoctl_backup_last_size_bytes", "Size of the last downloaded backup archive.",
          std::to_string(summary.value("size", std::uint64_t{0})));
  if (summary.contains("kept")) {
    gauge("daoctl_backup_kept", "Local backups kept by retention after the last run.",
          std::to_string(summary.value("kept", 0)));
    gauge("daoctl_backup_removed", "Local backups removed by retention in the last run.",
          std::to_string(summary.value("removed", 0)));
  }
  return out;
}

}  // namespace

std::string backup_run_text(const json& summary) {
  if (summary.value("status", "") != "ok" || !summary.contains("backup_id")) return {};
  auto number = [&](const char* key) -> std::int64_t {
    const auto it = summary.find(key);
    return it != summary.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
  };
  std::string digest = summary.value("sha256", "");
  if (digest.size() > 12) digest = digest.substr(0, 12) + "\u2026";
  std::string text = fmt::format(
      "Backup {} made, downloaded to {} ({}, sha256 {}) and verified ({} members) in {:.1f} s.\n",
      summary["backup_id"].is_string() ? summary["backup_id"].get<std::string>() : summary["backup_id"].dump(),
      summary.value("path", "?"), output::format_amount(number("size"), output::ProgressUnit::Bytes), digest,
      number("verified_members"), summary.value("duration_seconds", 0.0));
  if (summary.contains("kept"))
    text += fmt::format("Local copies in {}: {} kept, {} removed by the retention rules.\n", summary.value("dir", "?"),
                        number("kept"), number("removed"));
  if (summary.contains("server_removed"))
    text += fmt::format("Server backups: {} removed by the retention rules.\n", number("server_removed"));
  return text;
}

int run_backup_run(const BackupRunOptions& opts, CommandContext& ctx) {
  auto policy = opts.keep.policy();  // a bad --keep-within fails before anything starts
  if (opts.prune_server && policy.empty())
    throw CommandError(ErrorKind::Usage, "--prune-server needs a retention rule", "backup run",
                       "without --keep-* every server backup would be removed");
  auto keys = trusted_backup_keys(ctx, opts.trusted_keys);
  auto recipients = age_recipients(opts.encrypt_to);
  value_or_throw(local::make_dirs(opts.dir));
  auto lock = lock_backups(ctx, local::backup_dir_lock_file(opts.dir), "a backup job on " + opts.dir);
  // Without a running report (a direct call), the fields still get collected.
  JobReport local_report("backup run", "backup");
  JobReport& job = ctx.job_report ? *ctx.job_report : local_report;
  auto started = std::chrono::steady_clock::now();
  json& summary = job.extra;
  summary["dir"] = opts.dir;
  summary["started_at"] = backup::format_rfc3339(std::chrono::floor<std::chrono::seconds>(ctx.now()));
  summary["success"] = false;
  auto finish_metrics = [&] {
    double duration = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    job.extra_metrics = legacy_metrics(summary, duration);
  };
  try {
    auto created = value_or_throw(backup_api(ctx).create({"db", "files"}, opts.note));
    auto done = wait_for_job(ctx, created, "backup", std::chrono::seconds(opts.wait_timeout_seconds));
    auto id = created_backup_id(done);
    summary["backup_id"] = id;
    auto backup_info = fetch_backup(ctx, id);
    auto path = (fs::path(opts.dir) / local::local_backup_name(id, backup_info.created_at)).string();
    if (!recipients.empty()) path += ".age";
    auto signed_download = download_signed_backup(ctx, backup_info, path, keys, recipients);
    const auto& download = signed_download.download;
    summary["origin"] = signed_download.origin.status;
    if (!signed_download.origin.key_id.empty()) summary["signed_by"] = signed_download.origin.key_id;
    if (!opts.timestamp_url.empty())
      summary["timestamp"] = timestamp_backup(ctx, download.path, opts.timestamp_url, opts.timestamp_ca).time;
    summary["path"] = download.path;
    summary["size"] = download.size;
    summary["sha256"] = download.sha256;
    summary["download_seconds"] = download.seconds;
    job.count("bytes", static_cast<std::int64_t>(download.size));
    // An encrypted download was verified by its sha256 (and signature) on the
    // way through age; its members are checked by `verify --identity`.
    local::ArchiveReport report;
    if (recipients.empty()) report = check_archive(download.path, true, download.sha256);
    else report.path = download.path, report.sha256 = download.sha256, report.size = download.size;
    summary["encrypted"] = !recipients.empty();
    summary["verified_members"] = report.manifest ? report.manifest->members.size() : 0;
    job.count("verified_members", summary["verified_members"].get<std::int64_t>());
    throw_if_damaged(report);
    require_origin_matches(signed_download.origin, report);
    if (!policy.empty()) {
      auto local = prune_local_dir(ctx, opts.dir, policy, false);
      summary["kept"] = std::count_if(local.decisions.begin(), local.decisions.end(), [](auto& d) { return d.keep; });
      summary["removed"] = local.removed;
      job.count("kept", summary["kept"].get<std::int64_t>());
      job.count("removed", local.removed);
      if (opts.prune_server) {
        summary["server_removed"] = prune_server(ctx, policy, false).removed;
        job.count("server_removed", summary["server_removed"].get<std::int64_t>());
      }
    }
  } catch (const CommandError& e) {
    summary["error"] = e.error().describe();
    finish_metrics();
    throw;
  }
  summary["success"] = true;
  finish_metrics();
  return exit_code::ok;
}

}  // namespace daoctl::commands
