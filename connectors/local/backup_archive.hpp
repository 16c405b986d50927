// Backups on the local disk: checking a downloaded archive against its
// manifest, the names `backup download --dir` gives archives (and reads back
// for `prune --dir`), and the lock that keeps one backup job per directory or
// server. The download itself is connectors/local/resumable_download.hpp.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "connectors/local/files.hpp"
#include "core/backup/manifest.hpp"
#include "core/backup/retention.hpp"
#include "core/error.hpp"

namespace daoctl::local {

// The file name `download --dir` gives a backup: sortable and parseable by
// `prune --dir`: daoctl-backup-<id>-<YYYYMMDDTHHMMSSZ>.tar.zst (".age" appended when encrypted).
std::string local_backup_name(const std::string& id, const std::string& created_at);
struct LocalBackupName {
  std::string id;
  backup::SysSeconds time;
};
std::optional<LocalBackupName> parse_local_backup_name(const std::string& file_name);

// The downloaded backups of a directory (files named by local_backup_name;
// other files are not listed). Errors: Io.
struct LocalBackupFile {
  std::string name;  // the file name: a snapshot's identity for retention
  std::string path;
  backup::SysSeconds time;
};
Result<std::vector<LocalBackupFile>> list_local_backups(const std::string& dir);
// Removes a downloaded archive (NAME or NAME.age) with NAME.sha256 and its
// signed manifest, signature and timestamp token. Errors: Io.
Status remove_local_backup(const std::string& path);

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
// Reads the archive once: its sha256, and every member against the manifest
// (sizes; with read_data also each member's sha256). Errors: NotFound, Io
// (the file cannot be opened); a damaged archive is a report with problems.
Result<ArchiveReport> check_archive(const std::string& path, bool read_data,
                                    std::optional<std::string> expected_sha256 = std::nullopt);
// The same over a descriptor read to its end (the output of `age -d`);
// `path` names the archive in the report and finds NAME.sha256.
Result<ArchiveReport> check_archive_fd(int fd, const std::string& path, bool read_data,
                                       std::optional<std::string> expected_sha256 = std::nullopt);
nlohmann::json archive_report_json(const ArchiveReport& report);
// A Safety error naming the first damaged member, when the report has problems.
Status require_intact(const ArchiveReport& report);

// An exclusive lock for a backup directory or server (flock(2), exit 6 when
// held). The file keeps the holder's pid while held and is emptied when the
// lock is released in order, so a pid found there belongs to a run that died:
// `taken_over_from` names it.
class BackupLock {
 public:
  static Result<std::shared_ptr<BackupLock>> acquire(const std::string& lock_file, const std::string& what);
  ~BackupLock();
  BackupLock(const BackupLock&) = delete;
  BackupLock& operator=(const BackupLock&) = delete;
  std::optional<long> taken_over_from() const { return taken_over_from_; }

 private:
  BackupLock(JobLock lock, std::string file) : lock_(std::move(lock)), file_(std::move(file)) {}
  JobLock lock_;
  std::string file_;
  std::optional<long> taken_over_from_;
};

// The lock file for backups of the server at `url` (in the state directory,
// created when missing). Errors: Io.
Result<std::string> backup_server_lock_file(const std::string& url);
// The lock file of a backup directory.
std::string backup_dir_lock_file(const std::string& dir);

}  // namespace daoctl::local
