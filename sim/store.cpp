#include "sim/store.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <set>

#include "sim/sqlite_db.hpp"
#include "sim/text.hpp"

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

// ---------------------------------------------------------------- seed

ApiStatus Store::bulk_load(const SeedData& data) {
  std::lock_guard lock(mutex_);
  // A page cache large enough for the whole load keeps SQLite from spilling
  // half-built b-tree pages to the WAL again and again (100k users ~ 150 MB).
  db_->exec("PRAGMA cache_size=-262144");
  struct CacheReset {
    SqliteDb& db;
    ~CacheReset() {
      try {
        db.exec("PRAGMA cache_size=-2000");
      } catch (const SqliteFailure&) {
        // Only a memory hint; the connection stays usable either way.
      }
    }
  } cache_reset{*db_};
  Transaction tx(*db_);
  auto& existing = db_->cached(
      "SELECT (SELECT COUNT(*) FROM users) + (SELECT COUNT(*) FROM departments) + "
      "(SELECT COUNT(*) FROM groups)");
  existing.step();
  auto count = existing.column_int64(0);
  existing.reset();
  if (count > 0)
    return api_fail(409, fmt::format("the data directory already holds {} users, departments and "
                                     "groups; seed needs an empty one",
                                     count));
  auto dept = db_->prepare(
      "INSERT INTO departments(id, name, parent_id, external_id, head_user_id, version, created_at, "
      "updated_at) VALUES(?1, ?2, ?3, ?4, ?5, 1, ?6, ?6)");
  for (const auto& d : data.departments) {
    dept.bind(1, d.id)
        .bind(2, d.name)
        .bind(3, d.parent_id)
        .bind(4, d.external_id)
        .bind(5, d.head_user_id)
        .bind(6, data.timestamp)
        .run();
  }
  auto user = db_->prepare(
      "INSERT INTO users(id, user_name, user_name_lower, external_id, display_name, active, "
      "department_id, version, created_at, updated_at, body) VALUES(?1,?2,?3,?4,?5,?6,?7,1,?8,?8,?9)");
  auto email = db_->prepare("INSERT OR IGNORE INTO user_emails(user_id, email_lower) VALUES(?1, ?2)");
  std::int64_t id = 0;
  for (const auto& u : data.users) {
    ++id;
    user.bind(1, id)
        .bind(2, u.user_name)
        .bind(3, utf8_lower(u.user_name))
        .bind(4, u.external_id)
        .bind(5, u.display_name)
        .bind(6, u.active ? 1 : 0)
        .bind(7, u.department_id)
        .bind(8, data.timestamp)
        .bind(9, u.body)
        .run();
    for (const auto& e : u.emails) email.bind(1, id).bind(2, utf8_lower(e)).run();
  }
  auto group = db_->prepare(
      "INSERT INTO groups(id, display_name, display_name_lower, external_id, version, created_at, "
      "updated_at) VALUES(?1, ?2, ?3, ?4, 1, ?5, ?5)");
  auto member = db_->prepare("INSERT OR IGNORE INTO group_members(group_id, user_id) VALUES(?1, ?2)");
  for (const auto& g : data.groups) {
    group.bind(1, g.id)
        .bind(2, g.display_name)
        .bind(3, utf8_lower(g.display_name))
        .bind(4, g.external_id)
        .bind(5, data.timestamp)
        .run();
    for (auto m : g.members) member.bind(1, g.id).bind(2, m).run();
  }
  tx.commit();
  user_ids_.clear();
  for (std::int64_t i = 1; i <= id; ++i) user_ids_.push_back(i);
  return {};
}

}  // namespace daoctl::sim
