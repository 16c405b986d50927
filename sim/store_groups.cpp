// The Store's groups and their members.
#include "sim/store.hpp"

#include <fmt/format.h>

#include <utility>

#include "sim/sqlite_db.hpp"
#include "sim/store_internal.hpp"
#include "sim/text.hpp"

namespace daoctl::sim {

using detail::bind_condition;
using detail::page_bounds;
using detail::precondition_failed;

ApiStatus Store::check_members_exist(const std::vector<std::int64_t>& members) {
  auto& st = db_->cached("SELECT 1 FROM users WHERE id=?1");
  for (auto id : members) {
    st.bind(1, id);
    bool found = st.step();
    st.reset();
    if (!found) return api_fail(400, fmt::format("member \"{}\" names no user", id), "invalidValue");
  }
  return {};
}

std::optional<StoredGroup> Store::find_group_locked(std::int64_t id) {
  auto& st = db_->cached(
      "SELECT display_name, external_id, version, created_at, updated_at FROM groups WHERE id=?1");
  st.bind(1, id);
  if (!st.step()) return std::nullopt;
  StoredGroup g;
  g.id = id;
  g.display_name = st.column_text(0);
  g.external_id = st.column_optional_text(1);
  g.version = st.column_int64(2);
  g.created_at = st.column_text(3);
  g.updated_at = st.column_text(4);
  st.reset();
  auto& members = db_->cached(
      "SELECT gm.user_id, u.display_name FROM group_members gm JOIN users u ON u.id=gm.user_id "
      "WHERE gm.group_id=?1 ORDER BY gm.user_id");
  members.bind(1, id);
  while (members.step())
    g.members.push_back(GroupMember{members.column_int64(0), members.column_text(1)});
  members.reset();
  return g;
}

std::optional<StoredGroup> Store::find_group(std::int64_t id) {
  std::lock_guard lock(mutex_);
  return find_group_locked(id);
}

namespace {
ApiStatus check_group_unique(SqliteDb& db, const std::optional<std::string>& display_name,
                             const std::optional<std::string>& external_id, std::int64_t self_id) {
  if (display_name) {
    auto& st = db.cached("SELECT id FROM groups WHERE display_name_lower=?1 AND id<>?2");
    st.bind(1, utf8_lower(*display_name)).bind(2, self_id);
    if (st.step()) {
      ApiError e;
      e.status = 409;
      e.scim_type = "uniqueness";
      e.existing_id = std::to_string(st.column_int64(0));
      e.detail = fmt::format("displayName \"{}\" is already taken by group {}", *display_name,
                             e.existing_id);
      st.reset();
      return std::unexpected(e);
    }
    st.reset();
  }
  if (external_id) {
    auto& st = db.cached("SELECT id FROM groups WHERE external_id=?1 AND id<>?2");
    st.bind(1, *external_id).bind(2, self_id);
    if (st.step()) {
      ApiError e;
      e.status = 409;
      e.scim_type = "uniqueness";
      e.existing_id = std::to_string(st.column_int64(0));
      e.detail = fmt::format("externalId \"{}\" is already used by group {}", *external_id,
                             e.existing_id);
      st.reset();
      return std::unexpected(e);
    }
    st.reset();
  }
  return {};
}
}  // namespace

ApiResult<StoredGroup> Store::create_group(const std::string& display_name,
                                           const std::optional<std::string>& external_id,
                                           const std::vector<std::int64_t>& members) {
  std::lock_guard lock(mutex_);
  Transaction tx(*db_);
  if (auto ok = check_group_unique(*db_, display_name, external_id, 0); !ok)
    return std::unexpected(ok.error());
  if (auto ok = check_members_exist(members); !ok) return std::unexpected(ok.error());
  auto now = rfc3339_now();
  db_->cached(
         "INSERT INTO groups(display_name, display_name_lower, external_id, version, created_at, "
         "updated_at) VALUES(?1, ?2, ?3, 1, ?4, ?4)")
      .bind(1, display_name)
      .bind(2, utf8_lower(display_name))
      .bind(3, external_id)
      .bind(4, now)
      .run();
  auto id = db_->last_insert_id();
  auto& add = db_->cached("INSERT OR IGNORE INTO group_members(group_id, user_id) VALUES(?1, ?2)");
  for (auto member : members) add.bind(1, id).bind(2, member).run();
  auto group = find_group_locked(id);
  tx.commit();
  return *group;
}

ApiResult<StoredGroup> Store::change_group(std::int64_t id, const GroupChange& change,
                                           const Precondition& pre) {
  std::lock_guard lock(mutex_);
  Transaction tx(*db_);
  auto current = find_group_locked(id);
  if (!current) return api_fail(404, fmt::format("group {} does not exist", id));
  if (!pre.matches(current->version))
    return std::unexpected(precondition_failed(fmt::format("group {}", id), current->version));
  std::optional<std::string> external_for_check =
      change.external_id ? *change.external_id : std::optional<std::string>();
  if (auto ok = check_group_unique(*db_, change.display_name, external_for_check, id); !ok)
    return std::unexpected(ok.error());
  if (change.replace_members) {
    if (auto ok = check_members_exist(*change.replace_members); !ok) return std::unexpected(ok.error());
  }
  if (auto ok = check_members_exist(change.add_members); !ok) return std::unexpected(ok.error());
  auto now = rfc3339_now();
  if (change.display_name) {
    db_->cached("UPDATE groups SET display_name=?2, display_name_lower=?3 WHERE id=?1")
        .bind(1, id)
        .bind(2, *change.display_name)
        .bind(3, utf8_lower(*change.display_name))
        .run();
  }
  if (change.external_id) {
    db_->cached("UPDATE groups SET external_id=?2 WHERE id=?1")
        .bind(1, id)
        .bind(2, *change.external_id)
        .run();
  }
  auto& add = db_->cached("INSERT OR IGNORE INTO group_members(group_id, user_id) VALUES(?1, ?2)");
  auto& remove = db_->cached("DELETE FROM group_members WHERE group_id=?1 AND user_id=?2");
  if (change.replace_members || change.remove_all_members) {
    db_->cached("DELETE FROM group_members WHERE group_id=?1").bind(1, id).run();
  }
  if (change.replace_members) {
    for (auto member : *change.replace_members) add.bind(1, id).bind(2, member).run();
  }
  for (auto member : change.remove_members) remove.bind(1, id).bind(2, member).run();
  for (auto member : change.add_members) add.bind(1, id).bind(2, member).run();
  db_->cached("UPDATE groups SET version=version+1, updated_at=?2 WHERE id=?1")
      .bind(1, id)
      .bind(2, now)
      .run();
  auto group = find_group_locked(id);
  tx.commit();
  return *group;
}

ApiStatus Store::delete_group(std::int64_t id, const Precondition& pre) {
  std::lock_guard lock(mutex_);
  Transaction tx(*db_);
  auto& st = db_->cached("SELECT version FROM groups WHERE id=?1");
  st.bind(1, id);
  if (!st.step()) {
    st.reset();
    return api_fail(404, fmt::format("group {} does not exist", id));
  }
  auto version = st.column_int64(0);
  st.reset();
  if (!pre.matches(version))
    return std::unexpected(precondition_failed(fmt::format("group {}", id), version));
  db_->cached("DELETE FROM groups WHERE id=?1").bind(1, id).run();
  db_->cached("DELETE FROM group_members WHERE group_id=?1").bind(1, id).run();
  tx.commit();
  return {};
}

GroupPage Store::list_groups(const SqlCondition& condition, std::int64_t start_index,
                             std::int64_t count) {
  std::lock_guard lock(mutex_);
  GroupPage page;
  std::vector<std::int64_t> ids;
  auto st = db_->prepare("SELECT id FROM groups WHERE " + condition.where + " ORDER BY id");
  bind_condition(st, condition, 1);
  while (st.step()) ids.push_back(st.column_int64(0));
  page.total = static_cast<std::int64_t>(ids.size());
  auto [first, last] = page_bounds(ids.size(), start_index, count);
  for (auto i = first; i < last; ++i) {
    if (auto g = find_group_locked(ids[i])) page.groups.push_back(std::move(*g));
  }
  return page;
}

}  // namespace daoctl::sim
