// daoctl backup: server-side backups, local copies, verification, restore
// and retention (restic semantics, core/backup/retention.hpp).
// One verb per file; register_* declares flags only, run_* does the work and
// throws CommandError (exit codes: 5 checksum mismatch or unconfirmed
// restore, 6 another run holds the lock, 7 unknown backup).
#pragma once

#include "commands/common/cli_fwd.hpp"
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "commands/common/context.hpp"
#include "core/backup/manifest.hpp"
#include "core/backup/retention.hpp"

namespace daoctl::commands {

template <class Options>
using BackupRunner = std::function<int(const Options&, CommandContext&)>;

struct BackupCreateOptions {
  std::vector<std::string> include = {"db", "files"};
  std::string note;
  bool wait = false;
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
};
int run_backup_run(const BackupRunOptions& opts, CommandContext& ctx);

void register_backup(CLI::App& root, CommandContext& ctx);

// ---- shared by the verbs (commands/backup/common.cpp)

// The file name `download --dir` gives a backup: sortable and parseable by
// `prune --dir`: daoctl-backup-<id>-<YYYYMMDDTHHMMSSZ>.tar.zst.
std::string local_backup_name(const std::string& id, const std::string& created_at);
struct LocalBackupName {
  std::string id;
  backup::SysSeconds time;
};
std::optional<LocalBackupName> parse_local_backup_name(const std::string& file_name);

// Table columns of a Backup object.
const std::vector<output::Column>& backup_columns();
// GET /api/v1/backups/{id}. NotFound for an unknown id.
json fetch_backup(CommandContext& ctx, const std::string& id);
// Every backup (all pages), newest first.
std::vector<json> list_backups(CommandContext& ctx, const std::string& query = "");
// Polls the job until it succeeds or fails; a progress bar on a TTY, state
// changes otherwise. Returns the finished job; throws Remote when it failed.
json wait_for_job(CommandContext& ctx, const json& job, const std::string& what);

// Streams backup `id` into `path` (via path.part, resumed when present),
// verifying its sha256 before the rename. Returns the sha256. A mismatch
// deletes the temporary file and throws Safety.
struct DownloadResult {
  std::string path;
  std::string sha256;
  std::uint64_t size = 0;
  std::uint64_t resumed_from = 0;
  double seconds = 0;
};
DownloadResult download_backup(CommandContext& ctx, const json& backup, const std::string& path);

// A local archive checked against its manifest (and its recorded sha256).
struct ArchiveReport {
  std::string path;
  std::string sha256;
  std::optional<std::string> expected_sha256;  // from NAME.sha256 or the server
  std::optional<backup::Manifest> manifest;
  std::vector<backup::MemberProblem> problems;  // archive-level problems use path "(archive)"
  std::uint64_t size = 0;
  bool read_data = false;
  bool ok() const { return problems.empty(); }
};
ArchiveReport check_archive(const std::string& path, bool read_data,
                            std::optional<std::string> expected_sha256 = std::nullopt);
json archive_report_json(const ArchiveReport& report);
// Throws Safety naming the first damaged member when the report has problems.
void throw_if_damaged(const ArchiveReport& report);

// An exclusive lock for a repository (the server URL) or a directory. Exit 6
// when held; a lock file left by a dead process is reported as taken over.
class BackupLock;
std::shared_ptr<BackupLock> lock_backups(CommandContext& ctx, const std::string& lock_file,
                                         const std::string& what);
std::string server_lock_file(CommandContext& ctx);

// Retention applied to the server's ready backups or to a directory of
// downloaded ones (files named by local_backup_name; other files are left
// alone). dry_run decides without deleting. Local time zone for periods.
struct PruneOutcome {
  std::vector<backup::RetentionDecision> decisions;
  int removed = 0;
};
PruneOutcome prune_server(CommandContext& ctx, const backup::RetentionPolicy& policy, bool dry_run);
PruneOutcome prune_local_dir(CommandContext& ctx, const std::string& dir, const backup::RetentionPolicy& policy,
                             bool dry_run);
backup::UtcOffsetAt local_utc_offset();

}  // namespace daoctl::commands
