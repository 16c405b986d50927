// `backup run`: the cron job. create -> wait -> download -> verify -> prune,
// one lock for the directory, a JSON summary on stdout (and --summary FILE),
// Prometheus textfile metrics (--metrics FILE). A failure still writes the
// summary and the metrics (daoctl_backup_last_run_success 0, the previous
// last-success time kept) before the error decides the exit code.
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "commands/backup/backup.hpp"
#include "connectors/local/files.hpp"

namespace daoctl::commands {

namespace fs = std::filesystem;

namespace {

// The previous last-success timestamp from an existing metrics file.
std::optional<double> previous_success(const std::string& metrics_file) {
  std::ifstream in(metrics_file);
  std::string line;
  constexpr std::string_view name = "daoctl_backup_last_success_timestamp_seconds ";
  while (std::getline(in, line))
    if (line.starts_with(name)) {
      try {
        return std::stod(line.substr(name.size()));
      } catch (const std::exception&) {
        return std::nullopt;
      }
    }
  return std::nullopt;
}

std::string metrics_text(bool success, std::optional<double> last_success, const json& summary) {
  std::string out;
  auto gauge = [&](const char* name, const char* help, const std::string& value) {
    out += fmt::format("# HELP {} {}\n# TYPE {} gauge\n{} {}\n", name, help, name, name, value);
  };
  gauge("daoctl_backup_last_run_success", "1 if the last backup run succeeded, else 0.", success ? "1" : "0");
  if (last_success)
    gauge("daoctl_backup_last_success_timestamp_seconds", "Unix time of the last successful backup run.",
          fmt::format("{:.0f}", *last_success));
  gauge("daoctl_backup_last_duration_seconds", "Duration of the last backup run.",
        fmt::format("{:.3f}", summary.value("duration_seconds", 0.0)));
  if (success) {
    gauge("daoctl_backup_last_size_bytes", "Size of the last downloaded backup archive.",
          std::to_string(summary.value("size", std::uint64_t{0})));
    gauge("daoctl_backup_kept", "Local backups kept by retention after the last run.",
          std::to_string(summary.value("kept", 0)));
    gauge("daoctl_backup_removed", "Local backups removed by retention in the last run.",
          std::to_string(summary.value("removed", 0)));
  }
  return out;
}

}  // namespace

int run_backup_run(const BackupRunOptions& opts, CommandContext& ctx) {
  auto policy = opts.keep.policy();  // a bad --keep-within fails before anything starts
  if (opts.prune_server && policy.empty())
    throw CommandError(ErrorKind::Usage, "--prune-server needs a retention rule", "backup run",
                       "without --keep-* every server backup would be removed");
  value_or_throw(local::make_dirs(opts.dir));
  auto lock = lock_backups(ctx, (fs::path(opts.dir) / ".daoctl-backup.lock").string(), "a backup job on " + opts.dir);
  auto started = std::chrono::steady_clock::now();
  auto wall_started = ctx.now();
  json summary = {{"dir", opts.dir}, {"started_at", backup::format_rfc3339(std::chrono::floor<std::chrono::seconds>(wall_started))}};
  std::optional<CommandError> failure;
  try {
    auto job = value_or_throw(ctx.client().send_json("POST", "/api/v1/backups", "new backup",
                                                     json{{"include", {"db", "files"}}, {"note", opts.note}}));
    auto done = wait_for_job(ctx, job, "backup");
    auto id = done["result"].value("backup_id", "");
    summary["backup_id"] = id;
    auto backup_json = fetch_backup(ctx, id);
    auto path = (fs::path(opts.dir) / local_backup_name(id, backup_json.value("created_at", ""))).string();
    auto download = download_backup(ctx, backup_json, path);
    summary["path"] = download.path;
    summary["size"] = download.size;
    summary["sha256"] = download.sha256;
    summary["download_seconds"] = download.seconds;
    auto report = check_archive(download.path, true, download.sha256);
    summary["verified_members"] = report.manifest ? report.manifest->members.size() : 0;
    throw_if_damaged(report);
    if (!policy.empty()) {
      auto local = prune_local_dir(ctx, opts.dir, policy, false);
      summary["kept"] = std::count_if(local.decisions.begin(), local.decisions.end(), [](auto& d) { return d.keep; });
      summary["removed"] = local.removed;
      if (opts.prune_server) summary["server_removed"] = prune_server(ctx, policy, false).removed;
    }
  } catch (const CommandError& e) {
    failure = e;
  }
  double duration = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  summary["duration_seconds"] = duration;
  summary["success"] = !failure;
  if (failure) summary["error"] = failure->error().describe();
  std::optional<double> last_success;
  if (!failure) {
    last_success = std::chrono::duration<double>(ctx.now().time_since_epoch()).count();
  } else if (!opts.metrics_file.empty()) {
    last_success = previous_success(opts.metrics_file);
  }
  if (!opts.summary_file.empty()) value_or_throw(local::write_file_atomic(opts.summary_file, summary.dump(2) + "\n"));
  if (!opts.metrics_file.empty())
    value_or_throw(local::write_file_atomic(opts.metrics_file, metrics_text(!failure, last_success, summary)));
  ctx.io().out() << summary.dump() << "\n";
  if (failure) throw *failure;
  return exit_code::ok;
}

}  // namespace daoctl::commands
