// Store::restore_database lives with the backup code that uses it; it needs
// the Store's private state (the connection and the user id index).
#include <fmt/format.h>

#include "sim/sqlite_db.hpp"
#include "sim/store.hpp"

namespace daoctl::sim {

void Store::restore_database(const std::filesystem::path& snapshot, const Job& carried_job) {
  std::lock_guard lock(mutex_);
  sqlite3* source = nullptr;
  if (sqlite3_open_v2(snapshot.c_str(), &source, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    std::string why = source ? sqlite3_errmsg(source) : "out of memory";
    sqlite3_close(source);
    throw SqliteFailure(fmt::format("cannot open the snapshot {}: {}", snapshot.string(), why), SQLITE_CANTOPEN);
  }
  // The backup API writes the destination in one transaction: a failure part
  // way leaves the live database as it was.
  sqlite3_backup* copy = sqlite3_backup_init(db_->handle(), "main", source, "main");
  int rc = copy ? sqlite3_backup_step(copy, -1) : sqlite3_errcode(db_->handle());
  if (copy) sqlite3_backup_finish(copy);
  sqlite3_close(source);
  if (rc != SQLITE_DONE)
    throw SqliteFailure(fmt::format("cannot restore the database from {}: {}", snapshot.string(), sqlite3_errstr(rc)),
                        rc);
  db_->prepare(
         "INSERT OR REPLACE INTO jobs(id, kind, state, progress, error, result, created_at, updated_at) "
         "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
      .bind(1, carried_job.id)
      .bind(2, carried_job.kind)
      .bind(3, carried_job.state)
      .bind(4, carried_job.progress)
      .bind(5, carried_job.error_json)
      .bind(6, carried_job.result_json)
      .bind(7, carried_job.created_at)
      .bind(8, carried_job.updated_at)
      .run();
  user_ids_.clear();
  auto st = db_->prepare("SELECT id FROM users ORDER BY id");
  while (st.step()) user_ids_.push_back(st.column_int64(0));
}

}  // namespace daoctl::sim
