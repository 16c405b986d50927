// The Store's schema, opening and preconditions. Each aggregate's methods
// live in a file of its own: store_users, store_photos, store_groups,
// store_departments, store_credentials, store_jobs, store_idempotency and
// store_seed (.cpp), with shared helpers in store_internal.hpp.
#include "sim/store.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "sim/sqlite_db.hpp"

namespace daoctl::sim {

namespace {

constexpr int kSchemaVersion = 1;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS users(
  id INTEGER PRIMARY KEY,
  user_name TEXT NOT NULL,
  user_name_lower TEXT NOT NULL UNIQUE,
  external_id TEXT UNIQUE,
  display_name TEXT NOT NULL,
  active INTEGER NOT NULL,
  department_id INTEGER,
  version INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS users_department ON users(department_id);
-- Profile photos, one per user (PUT /api/v1/users/{id}/photo).
CREATE TABLE IF NOT EXISTS user_photos(
  user_id INTEGER PRIMARY KEY,
  content_type TEXT NOT NULL,
  data BLOB NOT NULL,
  sha256 TEXT NOT NULL,
  updated_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS users_active ON users(active, id);
CREATE TABLE IF NOT EXISTS user_emails(
  user_id INTEGER NOT NULL,
  email_lower TEXT NOT NULL,
  PRIMARY KEY(email_lower, user_id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS user_emails_user ON user_emails(user_id);
CREATE TABLE IF NOT EXISTS groups(
  id INTEGER PRIMARY KEY,
  display_name TEXT NOT NULL,
  display_name_lower TEXT NOT NULL UNIQUE,
  external_id TEXT UNIQUE,
  version INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS group_members(
  group_id INTEGER NOT NULL,
  user_id INTEGER NOT NULL,
  PRIMARY KEY(group_id, user_id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS group_members_user ON group_members(user_id, group_id);
CREATE TABLE IF NOT EXISTS departments(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  parent_id INTEGER,
  external_id TEXT UNIQUE,
  head_user_id INTEGER,
  version INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS departments_sibling_name
  ON departments(COALESCE(parent_id, 0), name);
CREATE INDEX IF NOT EXISTS departments_parent ON departments(parent_id);
CREATE TABLE IF NOT EXISTS credentials(
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL,
  kind TEXT NOT NULL,
  label TEXT NOT NULL,
  created_at TEXT NOT NULL,
  last_seen_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS credentials_user ON credentials(user_id, kind, id);
CREATE TABLE IF NOT EXISTS jobs(
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  state TEXT NOT NULL,
  progress REAL NOT NULL,
  error TEXT,
  result TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS jobs_kind ON jobs(kind, id);
CREATE TABLE IF NOT EXISTS idempotency(
  key TEXT NOT NULL,
  method TEXT NOT NULL,
  path TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  status INTEGER NOT NULL,
  content_type TEXT NOT NULL,
  body TEXT NOT NULL,
  location TEXT NOT NULL,
  etag TEXT NOT NULL,
  created_unix INTEGER NOT NULL,
  PRIMARY KEY(key, method, path));
-- Expiry runs on every save: without this index it scanned the whole table,
-- which made creating N users with Idempotency-Keys quadratic.
CREATE INDEX IF NOT EXISTS idempotency_created ON idempotency(created_unix);
)sql";

}  // namespace

bool PhotoPrecondition::matches(const std::optional<std::string>& current) const {
  if (!sha256s) return true;
  return current && std::find(sha256s->begin(), sha256s->end(), *current) != sha256s->end();
}

bool Precondition::matches(std::int64_t version) const {
  if (!versions) return true;
  return std::find(versions->begin(), versions->end(), version) != versions->end();
}

Store::Store(const std::filesystem::path& data_dir) {
  std::filesystem::create_directories(data_dir);
  db_ = std::make_unique<SqliteDb>(data_dir / "platform.db");
  db_->exec(kSchema);
  db_->exec(fmt::format("PRAGMA user_version={}", kSchemaVersion));
  auto st = db_->prepare("SELECT id FROM users ORDER BY id");
  while (st.step()) user_ids_.push_back(st.column_int64(0));
}

Store::~Store() = default;

std::filesystem::path Store::data_dir() {
  return std::filesystem::path(sqlite3_db_filename(db_->handle(), "main")).parent_path();
}

}  // namespace daoctl::sim
