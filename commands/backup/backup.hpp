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
#include "connectors/local/backup_signature.hpp"
#include "connectors/crypto/timestamp.hpp"
#include "connectors/local/resumable_download.hpp"
#include "connectors/platform/backup_api.hpp"
#include "core/backup/manifest.hpp"
#include "core/backup/retention.hpp"

namespace daoctl::commands {

using crypto_TimestampInfo = crypto::TimestampInfo;

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
  std::vector<std::string> trusted_keys;  // --trusted-key FILE (else the context's backup_trusted_keys)
  std::string encrypt_to;                 // --encrypt-to age1...|FILE: write NAME.age
  std::string timestamp_url;              // --timestamp-url: RFC 3161 token over the signed manifest
  std::string timestamp_ca;               // --timestamp-ca: check the TSA's signature
};
int run_backup_download(const BackupDownloadOptions& opts, CommandContext& ctx);

struct BackupVerifyOptions {
  std::string target;  // a local archive or a backup id
  bool read_data = false;
  std::vector<std::string> trusted_keys;
  std::string identity;  // --identity FILE for a .age archive
  std::string timestamp_ca;  // --timestamp-ca: the token beside the archive must be signed under it
};
int run_backup_verify(const BackupVerifyOptions& opts, CommandContext& ctx);

struct BackupRestoreOptions {
  std::string target;  // a backup id or a local archive
  std::string confirm;
  std::vector<std::string> trusted_keys;  // a local archive's origin is checked before upload
  std::string identity;                   // --identity FILE for a .age archive
  std::string timestamp_ca;               // --timestamp-ca: its token must be valid under this CA
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
  std::vector<std::string> trusted_keys;
  std::string encrypt_to;
  std::string timestamp_url;
  std::string timestamp_ca;
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
// With `age_recipients` (crypto::age_recipient_args) the bytes go through
// `age -e` into `path` (which ends in .age): connectors/crypto/age.hpp.
local::DownloadResult download_backup(CommandContext& ctx, const platform::BackupInfo& backup, const std::string& path,
                                      const std::vector<std::string>& age_recipients = {});

// The keys backups must be signed by: --trusted-key files, else the
// context's backup_trusted_keys (Config error for an unreadable or malformed
// file). Empty: nothing pinned.
std::vector<backup::MinisignPublicKey> trusted_backup_keys(CommandContext& ctx, const std::vector<std::string>& flags);
// The --trusted-key flag of download, verify, restore and run.
void add_trusted_key_flag(CLI::App& cmd, std::vector<std::string>& files);

// download_backup with the origin check: the signed manifest and its
// signature are fetched and, with keys pinned, checked (and their archive
// sha256 compared with the server's) before a byte of the archive is
// downloaded; they are written beside the archive after it. Without keys the
// origin is "unchecked" (a note says so). Safety errors (exit 5) name what
// failed: no signature on the server, another key, a changed manifest.
struct SignedDownload {
  local::DownloadResult download;
  local::OriginCheck origin;
};
SignedDownload download_signed_backup(CommandContext& ctx, const platform::BackupInfo& backup, const std::string& path,
                                      const std::vector<backup::MinisignPublicKey>& keys,
                                      const std::vector<std::string>& age_recipients = {});
// RFC 3161 (connectors/crypto/timestamp.hpp): a token over the signed
// manifest beside `archive_path`, kept as NAME.manifest.json.tsr. Safety
// when there is no signed manifest to timestamp.
crypto_TimestampInfo timestamp_backup(CommandContext& ctx, const std::string& archive_path, const std::string& url,
                                      const std::string& ca_file);
// The token beside an archive, checked against its signed manifest (nullopt
// when there is none and no CA is given; with a CA a missing token is Safety).
std::optional<crypto_TimestampInfo> check_backup_timestamp(CommandContext& ctx, const std::string& archive_path,
                                                           const std::string& ca_file);
void add_timestamp_flags(CLI::App& cmd, std::string* url, std::string& ca_file);
// --encrypt-to and --identity of download, run, verify and restore.
void add_encrypt_to_flag(CLI::App& cmd, std::string& value);
void add_identity_flag(CLI::App& cmd, std::string& file);
// The age arguments of --encrypt-to (empty when not given; Usage error when bad).
std::vector<std::string> age_recipients(const std::string& encrypt_to);
// The archive check of a plain or a .age archive (decrypted through age with
// `identity`; Usage error without one). A failed decryption is Safety.
local::ArchiveReport check_any_archive(const std::string& path, bool read_data,
                                       std::optional<std::string> expected_sha256, const std::string& identity);
// A .age archive decrypted into an anonymous temporary file for a restore
// (path: /proc/self/fd/N, closed with the object). Nullopt for a plain one.
struct PlainArchive {
  int fd = -1;
  std::string path;
  PlainArchive(int f, std::string p) : fd(f), path(std::move(p)) {}
  PlainArchive(const PlainArchive&) = delete;
  PlainArchive& operator=(const PlainArchive&) = delete;
  ~PlainArchive();
};
std::unique_ptr<PlainArchive> decrypted_archive(const std::string& path, const std::string& identity);
// The origin of a local archive (check_origin) and its match with the
// archive's report; throws Safety. `report` gets the signed sha256 as its
// expected one. Without keys: "unchecked" and a note.
local::OriginCheck check_local_origin(CommandContext& ctx, const std::string& path,
                                      const std::vector<backup::MinisignPublicKey>& keys);
void require_origin_matches(const local::OriginCheck& origin, const local::ArchiveReport& report);
// The note printed when no key is pinned.
void note_origin_unchecked(CommandContext& ctx, const std::string& object);

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
