// The Store's content ownership (owned_content), moved by POST
// /api/v1/users/{id}/transfer.
#include "sim/store.hpp"

#include "sim/sqlite_db.hpp"

namespace daoctl::sim {

void Store::create_owned_content_table() {
  std::lock_guard lock(mutex_);
  db_->exec(
      "CREATE TABLE IF NOT EXISTS owned_content("
      " id INTEGER PRIMARY KEY,"
      " kind TEXT NOT NULL CHECK (kind IN ('posts', 'communities', 'events', 'files')),"
      " title TEXT NOT NULL DEFAULT '',"
      " owner_id INTEGER NOT NULL);"
      "CREATE INDEX IF NOT EXISTS owned_content_owner ON owned_content(owner_id, kind);");
}

std::vector<std::pair<std::string, std::int64_t>> Store::move_owned_content(
    std::int64_t from, std::int64_t to, const std::vector<std::string>& kinds) {
  std::lock_guard lock(mutex_);
  Transaction tx(*db_);
  std::vector<std::pair<std::string, std::int64_t>> moved;
  for (const auto& kind : kinds) {
    db_->prepare("UPDATE owned_content SET owner_id = ?1 WHERE owner_id = ?2 AND kind = ?3")
        .bind(1, to)
        .bind(2, from)
        .bind(3, kind)
        .run();
    moved.emplace_back(kind, db_->changes());
  }
  tx.commit();
  return moved;
}

}  // namespace daoctl::sim
