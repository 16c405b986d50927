// The Store's bulk load of `daoctl-sim seed` data.
#include "sim/store.hpp"

#include <fmt/format.h>

#include "sim/sqlite_db.hpp"
#include "sim/text.hpp"

namespace daoctl::sim {

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
