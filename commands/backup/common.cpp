// Glue shared by the backup verbs: the connectors do the work
// (connectors/platform/backup_api, connectors/local/resumable_download and
// backup_archive); this adds what belongs to a command - the progress line on
// a terminal, status lines, the run report and the flags named in hints.
#include <fmt/format.h>

#include "commands/backup/backup.hpp"
#include "commands/common/job_report.hpp"
#include "commands/common/progress.hpp"

namespace daoctl::commands {

platform::BackupApi backup_api(CommandContext& ctx) { return platform::BackupApi(ctx.client()); }

platform::BackupInfo fetch_backup(CommandContext& ctx, const std::string& id) {
  return value_or_throw(backup_api(ctx).get(id));
}

platform::JobInfo wait_for_job(CommandContext& ctx, const platform::JobInfo& job, const std::string& what,
                               std::chrono::seconds wait_timeout) {
  bool bar = progress_enabled(ctx);
  std::string last_state;
  platform::JobWait wait;
  wait.timeout = wait_timeout;
  wait.name_creating_backup = what == "backup";
  wait.on_poll = [&](const platform::JobInfo& current) {
    if (bar) {
      int filled = static_cast<int>(std::clamp(current.progress, 0.0, 1.0) * 30);
      ctx.io().err() << fmt::format("\r{} [{}{}] {:3.0f}% {}", what, std::string(static_cast<std::size_t>(filled), '#'),
                                    std::string(static_cast<std::size_t>(30 - filled), '.'), current.progress * 100,
                                    current.state)
                     << std::flush;
    } else if (current.state != last_state) {
      ctx.info(fmt::format("{}: job {} {}", what, current.id, current.state));
    }
    last_state = current.state;
  };
  auto done = backup_api(ctx).wait(job, what, wait);
  if (bar) ctx.io().err() << "\n";
  if (!done && done.error().hint.starts_with("the job goes on"))
    done.error().hint += ", or wait longer with --wait-timeout SECONDS";
  return value_or_throw(std::move(done));
}

std::string created_backup_id(const platform::JobInfo& job) {
  return value_or_throw(platform::required_string_field(job.result, "backup_id", "the result of job " + job.id));
}

local::DownloadResult download_backup(CommandContext& ctx, const platform::BackupInfo& b, const std::string& path) {
  if (b.state != "ready" || !b.sha256 || !b.size)
    throw CommandError(ErrorKind::Conflict, "the backup is not ready for download", "backup " + b.id,
                       "its state is " + (b.state.empty() ? std::string("unknown") : b.state),
                       "wait for the backup job, or pick a backup in state ready");
  auto api = backup_api(ctx);
  auto stall = std::chrono::duration_cast<std::chrono::milliseconds>(ctx.attempt_timeout());
  std::unique_ptr<output::Progress> progress;
  local::DownloadObserver observer;
  observer.info = [&](const std::string& line) { ctx.info(line); };
  observer.warn = [&](const std::string& line) { ctx.warn(line); };
  observer.attempt_started = [&](std::uint64_t, std::uint64_t size) {
    progress = make_progress(ctx, "downloading backup " + b.id, static_cast<std::int64_t>(size),
                             output::ProgressUnit::Bytes);
  };
  observer.progress = [&](std::uint64_t written) {
    if (progress) progress->update(static_cast<std::int64_t>(written));
  };
  observer.attempt_ended = [&] {
    if (progress) progress->finish();
  };
  auto fetch = [&](std::uint64_t offset, const local::ByteSink& sink) {
    return api.download(b.id, *b.sha256, offset, stall, sink);
  };
  auto result = value_or_throw(
      local::download_resumable({path, *b.sha256, *b.size, "backup " + b.id}, fetch, observer));
  if (ctx.job_report) {
    ctx.job_report->count("bytes", static_cast<std::int64_t>(result.size));
    ctx.job_report->count("resumed_from_bytes", static_cast<std::int64_t>(result.resumed_from));
  }
  return result;
}

local::ArchiveReport check_archive(const std::string& path, bool read_data, std::optional<std::string> expected_sha256) {
  return value_or_throw(local::check_archive(path, read_data, std::move(expected_sha256)));
}

void throw_if_damaged(const local::ArchiveReport& report) { value_or_throw(local::require_intact(report)); }

std::shared_ptr<local::BackupLock> lock_backups(CommandContext& ctx, const std::string& lock_file,
                                                const std::string& what) {
  auto lock = value_or_throw(local::BackupLock::acquire(lock_file, what));
  if (auto pid = lock->taken_over_from())
    ctx.info(fmt::format("took over the lock {} left by process {}, which is no longer running", lock_file, *pid));
  return lock;
}

std::string server_lock_file(CommandContext& ctx) {
  return value_or_throw(local::backup_server_lock_file(ctx.client_settings().url));
}

}  // namespace daoctl::commands
