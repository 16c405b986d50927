// daoctl backup: server-side backups, local copies, verification, restore
// and retention (restic semantics, core/backup/retention.hpp).
// One verb per file; register_* declares flags only, run_* does the work and
// throws CommandError (exit codes: 5 checksum mismatch or unconfirmed
// restore, 6 another run holds the lock, 7 unknown backup, 1 a job that did
// not finish within --wait-timeout).
#pragma once

#include "commands/common/cli_fwd.hpp"
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "commands/common/context.hpp"
#include "connectors/local/backup_archive.hpp"
#include "connectors/local/resumable_download.hpp"
#include "connectors/platform/backup_api.hpp"
#include "core/backup/manifest.hpp"
#include "core/backup/retention.hpp"

namespace daoctl::commands {

// How long `--wait`, `restore` and `run` wait for a server-side job (6 h).
inline constexpr int kDefaultWaitTimeoutSeconds = 6 * 3600;

template <class Options>
using BackupRunner = std::function<int(const Options&, CommandContext&)>;

struct BackupCreateOptions {
  std::vector<std::string> include = {"db", "files"};
  std::string note;
  bool wait = false;
  int wait_timeout_seconds = kDefaultWaitTimeoutSeconds;
  bool dry_run = false;  // say what would be backed up, start nothing
};
int run_backup_create(const BackupCreateOptions& opts, CommandContext& ctx);

struct BackupListOptions {
  std::string kind;
  std::string state;
};
int run_backup_list(const BackupListOptions& opts, CommandContext& ctx);

struct BackupShowOptions {
  std::string id;
};
int run_backup_show(const BackupShowOptions& opts, CommandContext& ctx);

struct BackupDownloadOptions {
  std::string id;
  std::string output;  // -O PATH
  std::string dir;     // --dir DIR (default name inside)
};
int run_backup_download(const BackupDownloadOptions& opts, CommandContext& ctx);

struct BackupVerifyOptions {
  std::string target;  // a local archive or a backup id
  bool read_data = false;
};
int run_backup_verify(const BackupVerifyOptions& opts, CommandContext& ctx);

struct BackupRestoreOptions {
  std::string target;  // a backup id or a local archive
  std::string confirm;
  int wait_timeout_seconds = kDefaultWaitTimeoutSeconds;
  bool dry_run = false;  // every check (archive verified, backup ready), no confirmation, no restore
};
int run_backup_restore(const BackupRestoreOptions& opts, CommandContext& ctx);

struct RetentionFlags {
  int keep_last = 0;
  int keep_hourly = 0;
  int keep_daily = 0;
  int keep_weekly = 0;
  int keep_monthly = 0;
  int keep_yearly = 0;
  std::string keep_within;
  // Usage error for a bad --keep-within.
  backup::RetentionPolicy policy() const;
  bool any() const;
};

struct BackupPruneOptions {
  RetentionFlags keep;
  std::string dir;  // prune a local directory instead of the server
  bool dry_run = false;
};
int run_backup_prune(const BackupPruneOptions& opts, CommandContext& ctx);

struct BackupRunOptions {
  std::string dir;
  RetentionFlags keep;
  bool prune_server = false;
  std::string note = "daoctl backup run";
  int wait_timeout_seconds = kDefaultWaitTimeoutSeconds;
};
int run_backup_run(const BackupRunOptions& opts, CommandContext& ctx);

void register_backup(CLI::App& root, CommandContext& ctx);

// ---- shared by the verbs (commands/backup/common.cpp): the glue between the
// command context (progress on a terminal, status lines, the run report) and
// the connectors: platform::BackupApi for every remote call, local/ for the
// resumable download, the archive check and the lock.

// The backup API over the context's client.
platform::BackupApi backup_api(CommandContext& ctx);
// Table columns of a Backup object.
const std::vector<output::Column>& backup_columns();
// GET the backup; NotFound for an unknown id.
platform::BackupInfo fetch_backup(CommandContext& ctx, const std::string& id);

// Polls the job until it succeeds or fails, at most `wait_timeout`: a
// progress bar on a TTY, state changes otherwise. Returns the finished job;
// throws Remote when it failed or did not finish in time (naming the job, the
// backup and the last state; the hint names --wait-timeout).
platform::JobInfo wait_for_job(CommandContext& ctx, const platform::JobInfo& job, const std::string& what,
                               std::chrono::seconds wait_timeout);
// The id of the backup a succeeded backup job made (Remote if it names none).
std::string created_backup_id(const platform::JobInfo& job);

// Streams a ready backup into `path` (via path.part, resumed when present),
// verifying its sha256 before the rename; counts bytes in the run report.
// A mismatch deletes the temporary file and throws Safety.
local::DownloadResult download_backup(CommandContext& ctx, const platform::BackupInfo& backup, const std::string& path);

// The archive check, throwing Safety naming the first damaged member.
local::ArchiveReport check_archive(const std::string& path, bool read_data,
                                   std::optional<std::string> expected_sha256 = std::nullopt);
void throw_if_damaged(const local::ArchiveReport& report);

// One backup job per directory or server (exit 6 when held); a lock left by
// a dead process is reported as taken over.
std::shared_ptr<local::BackupLock> lock_backups(CommandContext& ctx, const std::string& lock_file,
                                                const std::string& what);
std::string server_lock_file(CommandContext& ctx);

// Retention applied to the server's ready backups or to a directory of
// downloaded ones (files named by local::local_backup_name; other files are
// left alone). dry_run decides without deleting. Local time zone for periods.
struct PruneOutcome {
  std::vector<backup::RetentionDecision> decisions;
  int removed = 0;
};
// What `backup run` prints on stdout without -o json: its summary in
// sentences (empty when the run failed: the error says why).
std::string backup_run_text(const nlohmann::json& summary);

// `ask`: confirm (commands/common/confirm.hpp) before removing anything;
// `backup run --prune-server` does not ask: the flag in the job is the consent.
PruneOutcome prune_server(CommandContext& ctx, const backup::RetentionPolicy& policy, bool dry_run,
                          bool ask = false);
PruneOutcome prune_local_dir(CommandContext& ctx, const std::string& dir, const backup::RetentionPolicy& policy,
                             bool dry_run);
backup::UtcOffsetAt local_utc_offset();

}  // namespace daoctl::commands
