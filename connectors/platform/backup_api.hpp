// BackupApi: every call daoctl makes to the platform's backup endpoints
// (/api/v1/backups, /api/v1/jobs, /api/v1/restore), and the server's answers
// read into typed values. A field of the wrong type in an answer is a Remote
// error that names the object and the field ("field size of backup 12 is a
// string, expected an integer >= 0"), never a JSON exception that ends as an
// internal error. The commands in commands/backup/ only wire flags to it;
// the file side of a download lives in connectors/local (resumable_download,
// backup_archive).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "connectors/platform/client.hpp"
#include "connectors/platform/planned_request.hpp"

namespace daoctl::platform {

// A Backup object (schemas/openapi.yaml). `raw` is the answer as sent, for
// printing; the typed fields are checked.
struct BackupInfo {
  std::string id;
  std::string state;  // creating, ready, failed
  std::string created_at;
  std::string kind;
  std::optional<std::uint64_t> size;   // null until ready
  std::optional<std::string> sha256;   // null until ready
  json raw;
};

// A Job object (202 answers and GET /api/v1/jobs/{id}).
struct JobInfo {
  std::string id;
  std::string state;  // queued, running, succeeded, failed
  double progress = 0;
  std::string error_detail;  // of a failed job: error.detail, else error.title
  json result;               // null until succeeded
  json raw;
};

// How a job is waited for: the first poll after `first_interval`, each next
// interval doubled, up to a tenth of the time waited so far clamped to
// [1 s, 10 s] (so a short job is seen finishing within a second and a
// six-hour one costs one poll every 10 s); never past `timeout`, with a last
// poll at the deadline.
struct JobWait {
  std::chrono::milliseconds timeout{std::chrono::hours(6)};
  std::chrono::milliseconds first_interval{100};
  // Called after every poll (the first call gets the job as given).
  std::function<void(const JobInfo&)> on_poll;
  // A backup job: when the bound passes, name the backup the server lists as
  // creating (one backup or restore runs at a time, so that one is ours).
  bool name_creating_backup = false;
  // Injectable for tests; defaults: this thread sleeps, steady_clock.
  std::function<void(std::chrono::milliseconds)> sleep;
  std::function<std::chrono::steady_clock::time_point()> now;
};

// The interval before the next poll (see JobWait).
std::chrono::milliseconds next_poll_interval(std::chrono::milliseconds previous, std::chrono::milliseconds waited);

// Checked readers of an answer's fields, for this connector's answers:
// missing or null gives nullopt (or `fallback`); any other type is a Remote
// error naming `object` and `field`.
Result<std::optional<std::string>> optional_string_field(const json& obj, const std::string& field,
                                                         const std::string& object);
Result<std::string> required_string_field(const json& obj, const std::string& field, const std::string& object);
Result<std::optional<std::uint64_t>> optional_size_field(const json& obj, const std::string& field,
                                                         const std::string& object);

// Parsers of the two objects (exposed for tests).
Result<BackupInfo> parse_backup(const json& answer, const std::string& object);
Result<JobInfo> parse_job(const json& answer, const std::string& object);

class BackupApi {
 public:
  explicit BackupApi(PlatformClient& client) : client_(client) {}

  // The requests of create, restore and restore_upload, for a dry run's
  // description of what it would send.
  static PlannedRequest create_request(const std::vector<std::string>& include, const std::string& note);
  static PlannedRequest restore_request(const std::string& id);  // body: the id as confirmation
  static PlannedRequest restore_upload_request();                // body: multipart, not described

  // GET /api/v1/backups/{id}. NotFound for an unknown id.
  Result<BackupInfo> get(const std::string& id);
  // GET /api/v1/backups (all pages), newest first; kind/state filter when not empty.
  Result<std::vector<BackupInfo>> list(const std::string& kind = "", const std::string& state = "");
  // POST /api/v1/backups: starts a backup job.
  Result<JobInfo> create(const std::vector<std::string>& include, const std::string& note);
  // DELETE /api/v1/backups/{id}; a backup already gone is not an error.
  Status remove(const std::string& id);
  // POST /api/v1/backups/{id}/restore with the id as confirmation.
  Result<JobInfo> restore(const std::string& id);
  // POST /api/v1/restore: uploads a local archive (multipart, the archive's
  // sha256 as confirmation). One attempt of up to an hour; `stall` without a
  // byte ends it.
  Result<JobInfo> restore_upload(const std::string& archive_path, const std::string& sha256,
                                 std::chrono::milliseconds stall);
  // GET /api/v1/jobs/{id}.
  Result<JobInfo> job(const std::string& id);

  // Polls `job` until it succeeds (returned) or fails (a Remote error "<what>
  // failed" with the job's reason). When `wait.timeout` passes first: a
  // Remote error naming the job, the backup being created if the server
  // lists exactly one, and the job's last state and progress.
  Result<JobInfo> wait(const JobInfo& job, const std::string& what, const JobWait& wait);

  // GET /api/v1/backups/{id}/download from byte `offset` (0: all) into `sink`,
  // with Range and If-Range (the archive's sha256 as weak ETag) when resuming.
  // Up to 12 hours, ended by `stall` without a byte. Returns the HTTP status:
  // 206 when the range was honoured, 200 when the whole archive came.
  Result<long> download(const std::string& id, const std::string& sha256, std::uint64_t offset,
                        std::chrono::milliseconds stall, const std::function<bool(const char*, std::size_t)>& sink);

  // GET /api/v1/backups/{id}/manifest and .../manifest.minisig: the signed
  // manifest's exact bytes and its minisign signature (core/backup/signature.hpp).
  // NotFound when the server has none (a backup made before it signed, or a
  // server that does not sign); the callers say so.
  Result<std::string> signed_manifest(const std::string& id);
  Result<std::string> manifest_signature(const std::string& id);
  // GET /api/v1/backup-signing-key: the server's public key (minisign .pub
  // text). Only for showing; a key is trusted when it is pinned, never because
  // the server sent it.
  Result<std::string> signing_key();

  // The platform's user count (SCIM totalResults): nullopt when the answer
  // has none; errors of the call are returned (a dry run checks reachability).
  Result<std::optional<std::int64_t>> count_users();
  // The same for the restore prompt, where any failure is just "unknown".
  std::optional<std::int64_t> user_count();

 private:
  PlatformClient& client_;
};

}  // namespace daoctl::platform
