// The simulator's persistent state: one SQLite file (DATA/platform.db, WAL)
// behind one mutex. Every method is a complete unit of work (one transaction
// for writes) and is safe to call from any request thread.
//
// Users are stored as the SCIM document the client wrote (minus id, meta and
// the read-only groups) in a JSON text column, plus indexed lookup columns,
// so a page of 1000 users is one range scan and string splicing, with no
// per-user queries and no JSON re-parsing.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "sim/api_error.hpp"

namespace daoctl::sim {

class SqliteDb;
class Statement;

// A WHERE clause over one table with its parameters ("1" matches all).
struct SqlCondition {
  std::string where = "1";
  std::vector<std::variant<std::int64_t, std::string>> params;
};

// If-Match as parsed by the HTTP layer: absent (no header, or "*") matches
// every version; otherwise only the listed versions match.
struct Precondition {
  std::optional<std::vector<std::int64_t>> versions;
  bool matches(std::int64_t version) const;
};

// What the SCIM layer extracted from a validated user document.
struct UserRecord {
  std::string user_name;
  std::optional<std::string> external_id;
  std::vector<std::string> emails;
  bool active = true;
  std::optional<std::int64_t> department_id;
  std::string display_name;
  std::string body;  // the SCIM JSON object without id, meta and groups
};

struct StoredUser {
  std::int64_t id = 0;
  std::int64_t version = 0;
  std::string created_at;
  std::string updated_at;
  std::string body;
};

// A user's profile photo (PUT /api/v1/users/{id}/photo). The bytes live in
// the user_photos table of the same database, so backups carry them.
struct StoredPhoto {
  std::string content_type;  // image/jpeg | image/png
  std::string data;
  std::string sha256;  // hex; the photo's ETag
  std::string updated_at;
};

// If-Match on a photo: its ETag is the quoted sha256. Absent (or "*")
// matches anything, including no photo.
struct PhotoPrecondition {
  std::optional<std::vector<std::string>> sha256s;
  bool matches(const std::optional<std::string>& current) const;
};

struct GroupRef {
  std::int64_t id = 0;
  std::string display_name;
};

struct UserPage {
  std::int64_t total = 0;
  std::vector<StoredUser> users;
  std::map<std::int64_t, std::vector<GroupRef>> groups;  // user id -> groups, sorted by group id
};

struct GroupMember {
  std::int64_t user_id = 0;
  std::string display_name;
};

struct StoredGroup {
  std::int64_t id = 0;
  std::string display_name;
  std::optional<std::string> external_id;
  std::int64_t version = 0;
  std::string created_at;
  std::string updated_at;
  std::vector<GroupMember> members;  // sorted by user id
};

struct GroupPage {
  std::int64_t total = 0;
  std::vector<StoredGroup> groups;
};

// Changes of one group PATCH, applied atomically in this order:
// display name / external id, replace members, remove, add.
struct GroupChange {
  std::optional<std::string> display_name;
  std::optional<std::optional<std::string>> external_id;
  std::optional<std::vector<std::int64_t>> replace_members;
  bool remove_all_members = false;
  std::vector<std::int64_t> remove_members;
  std::vector<std::int64_t> add_members;
};

struct Department {
  std::int64_t id = 0;
  std::string name;
  std::optional<std::int64_t> parent_id;
  std::optional<std::string> external_id;
  std::optional<std::int64_t> head_user_id;
  std::string path;
  std::int64_t member_count = 0;
  std::int64_t version = 0;
  std::string created_at;
  std::string updated_at;
};

struct DepartmentChange {
  std::optional<std::string> name;
  std::optional<std::optional<std::int64_t>> parent_id;
  std::optional<std::optional<std::string>> external_id;
  std::optional<std::optional<std::int64_t>> head_user_id;
};

struct DepartmentQuery {
  std::optional<std::optional<std::int64_t>> parent_id;  // Some(None): roots only
  std::optional<std::string> external_id;
  std::int64_t after_id = 0;
  std::int64_t limit = 100;
};

// Sessions and API tokens share one table; `label` is the session's client
// or the token's name.
enum class CredentialKind { Session, Token };

struct Credential {
  std::int64_t id = 0;
  std::string label;
  std::string created_at;
  std::string last_seen_at;
};

struct Job {
  std::int64_t id = 0;
  std::string kind;
  std::string state;  // queued|running|succeeded|failed
  double progress = 0.0;
  std::optional<std::string> error_json;
  std::optional<std::string> result_json;
  std::string created_at;
  std::string updated_at;
};

struct StoredReply {
  std::string request_hash;
  int status = 0;
  std::string content_type;
  std::string body;
  std::string location;
  std::string etag;
};

// Deterministic bulk content written by `daoctl-sim seed`.
struct SeedDepartment {
  std::int64_t id = 0;
  std::string name;
  std::optional<std::int64_t> parent_id;
  std::string external_id;
  std::optional<std::int64_t> head_user_id;
};

struct SeedGroup {
  std::int64_t id = 0;
  std::string display_name;
  std::string external_id;
  std::vector<std::int64_t> members;
};

struct SeedData {
  std::string timestamp;  // created/updated of every seeded object
  std::vector<SeedDepartment> departments;
  std::vector<UserRecord> users;  // ids are 1..N in this order
  std::vector<SeedGroup> groups;
};

class Store {
 public:
  // Opens or creates DATA/platform.db and its schema. Throws SqliteFailure.
  explicit Store(const std::filesystem::path& data_dir);
  ~Store();
  // The folder of platform.db (backups write and restore beside it).
  std::filesystem::path data_dir();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Users. Errors: 404, 409 uniqueness, 412, 400 invalidValue (unknown department).
  ApiResult<StoredUser> create_user(const UserRecord& user);
  std::optional<StoredUser> find_user(std::int64_t id);
  ApiResult<StoredUser> replace_user(std::int64_t id, const UserRecord& user,
                                     const Precondition& pre);
  ApiStatus delete_user(std::int64_t id, const Precondition& pre);
  // startIndex is 1-based and already clamped to >= 1; count >= 0.
  UserPage list_users(const SqlCondition& condition, std::int64_t start_index, std::int64_t count);
  std::vector<GroupRef> groups_of_user(std::int64_t id);
  std::int64_t user_count();
  // Whether a user with this id exists, for code that already holds mutex()
  // (a route group's repository checking references under its lock).
  bool user_exists_locked(std::int64_t id);

  // Profile photos. Setting or deleting one also writes the read-only
  // profile attributes photo (URL) and photoSha256 into the user and moves
  // the user's version, so a sync's fingerprint sees the change. Errors: 404
  // (unknown user; delete: no photo), 412.
  ApiResult<StoredUser> set_user_photo(std::int64_t id, const StoredPhoto& photo,
                                       const PhotoPrecondition& pre);
  std::optional<StoredPhoto> find_user_photo(std::int64_t id);
  ApiStatus delete_user_photo(std::int64_t id, const PhotoPrecondition& pre);

  // Groups. Member ids must name existing users (400 invalidValue).
  ApiResult<StoredGroup> create_group(const std::string& display_name,
                                      const std::optional<std::string>& external_id,
                                      const std::vector<std::int64_t>& members);
  std::optional<StoredGroup> find_group(std::int64_t id);
  ApiResult<StoredGroup> change_group(std::int64_t id, const GroupChange& change,
                                      const Precondition& pre);
  ApiStatus delete_group(std::int64_t id, const Precondition& pre);
  GroupPage list_groups(const SqlCondition& condition, std::int64_t start_index, std::int64_t count);

  // Departments. Errors: 404, 409 (sibling name, external id, non-empty on
  // delete), 412, 422 (unknown parent/head, cycle).
  ApiResult<Department> create_department(const std::string& name,
                                          std::optional<std::int64_t> parent_id,
                                          const std::optional<std::string>& external_id,
                                          std::optional<std::int64_t> head_user_id);
  std::optional<Department> find_department(std::int64_t id);
  std::vector<Department> list_departments(const DepartmentQuery& query);
  ApiResult<Department> change_department(std::int64_t id, const DepartmentChange& change,
                                          const Precondition& pre);
  ApiStatus delete_department(std::int64_t id, const Precondition& pre);

  // Sessions and tokens of a user (404 for an unknown user; creating a
  // session for a blocked user (active false) is 403).
  ApiResult<std::vector<Credential>> list_credentials(CredentialKind kind, std::int64_t user_id,
                                                      std::int64_t after_id, std::int64_t limit);
  ApiResult<Credential> create_credential(CredentialKind kind, std::int64_t user_id,
                                          const std::string& label);
  ApiResult<std::int64_t> revoke_credentials(CredentialKind kind, std::int64_t user_id);

  // Jobs.
  Job create_job(const std::string& kind);
  std::optional<Job> update_job(std::int64_t id, const std::string& state, double progress,
                                const std::optional<std::string>& error_json,
                                const std::optional<std::string>& result_json);
  std::optional<Job> find_job(std::int64_t id);
  std::vector<Job> list_jobs(const std::optional<std::string>& kind, std::int64_t after_id,
                             std::int64_t limit);

  // Content ownership (owned_content: one row per post, community, event or
  // file with its owner's user id; sim/store_ownership.cpp). The table is
  // created when the transfer routes are installed.
  void create_owned_content_table();
  // Gives `from`'s content of each kind to `to` in one transaction; the
  // number of rows moved per kind, in the order asked.
  std::vector<std::pair<std::string, std::int64_t>> move_owned_content(
      std::int64_t from, std::int64_t to, const std::vector<std::string>& kinds);

  // Idempotency-Key memory (24 h).
  std::optional<StoredReply> find_reply(const std::string& key, const std::string& method,
                                        const std::string& path);
  void save_reply(const std::string& key, const std::string& method, const std::string& path,
                  const StoredReply& reply);

  // Writes seed data into an empty store in one transaction; 409 when the
  // store already holds users, departments or groups.
  ApiStatus bulk_load(const SeedData& data);

  // For route groups that keep their own tables (settings, content, stats,
  // backups): the connection and the lock every use of it must hold. Areas
  // create their tables with CREATE TABLE IF NOT EXISTS on first use.
  SqliteDb& db() { return *db_; }
  std::mutex& mutex() { return mutex_; }
  // Replaces the whole database with `snapshot` in one SQLite transaction
  // (online backup API into the live connection: readers see the old state
  // or the new one), then writes `carried_job` into it so a client polling
  // the restore job sees it finish. Defined in sim/backup_store_restore.cpp.
  void restore_database(const std::filesystem::path& snapshot, const Job& carried_job);

 private:
  std::optional<StoredUser> find_user_locked(std::int64_t id);
  std::optional<StoredGroup> find_group_locked(std::int64_t id);
  std::optional<Department> find_department_locked(std::int64_t id);
  ApiStatus check_user_unique(const UserRecord& user, std::int64_t self_id);
  ApiStatus check_department_exists(std::optional<std::int64_t> department_id);
  ApiStatus check_members_exist(const std::vector<std::int64_t>& members);
  void write_user_emails(std::int64_t id, const UserRecord& user);
  std::optional<std::string> photo_sha256_locked(std::int64_t id);
  // `body` with the profile extension's photo attributes set for the photo
  // with this sha256 (removed when nullopt); unchanged when it already says so.
  static std::string with_photo_attributes(std::int64_t id, const std::string& body,
                                           const std::optional<std::string>& sha256);
  std::map<std::int64_t, std::pair<std::optional<std::int64_t>, std::string>> department_tree();
  Department read_department(Statement& st,
                             const std::map<std::int64_t, std::pair<std::optional<std::int64_t>,
                                                                    std::string>>& tree);

  std::mutex mutex_;
  std::unique_ptr<SqliteDb> db_;
  std::vector<std::int64_t> user_ids_;  // sorted; startIndex -> id without OFFSET scans
};

}  // namespace daoctl::sim
