// The Store's users: SCIM documents with their lookup columns, e-mails and
// the sorted id list that pages by startIndex.
#include "sim/store.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "sim/sqlite_db.hpp"
#include "sim/store_internal.hpp"
#include "sim/text.hpp"

namespace daoctl::sim {

using detail::bind_condition;
using detail::page_bounds;
using detail::precondition_failed;

ApiStatus Store::check_user_unique(const UserRecord& user, std::int64_t self_id) {
  auto& by_name = db_->cached("SELECT id FROM users WHERE user_name_lower=?1 AND id<>?2");
  by_name.bind(1, utf8_lower(user.user_name)).bind(2, self_id);
  if (by_name.step()) {
    auto other = by_name.column_int64(0);
    by_name.reset();
    ApiError e;
    e.status = 409;
    e.scim_type = "uniqueness";
    e.detail = fmt::format("userName \"{}\" is already taken by user {}", user.user_name, other);
    e.existing_id = std::to_string(other);
    return std::unexpected(e);
  }
  by_name.reset();
  if (user.external_id) {
    auto& by_ext = db_->cached("SELECT id FROM users WHERE external_id=?1 AND id<>?2");
    by_ext.bind(1, *user.external_id).bind(2, self_id);
    if (by_ext.step()) {
      auto other = by_ext.column_int64(0);
      by_ext.reset();
      ApiError e;
      e.status = 409;
      e.scim_type = "uniqueness";
      e.detail = fmt::format("externalId \"{}\" is already used by user {}", *user.external_id, other);
      e.existing_id = std::to_string(other);
      return std::unexpected(e);
    }
    by_ext.reset();
  }
  return {};
}

ApiStatus Store::check_department_exists(std::optional<std::int64_t> department_id) {
  if (!department_id) return {};
  auto& st = db_->cached("SELECT 1 FROM departments WHERE id=?1");
  st.bind(1, *department_id);
  bool found = st.step();
  st.reset();
  if (!found)
    return api_fail(400, fmt::format("departmentId \"{}\" names no department", *department_id),
                    "invalidValue");
  return {};
}

void Store::write_user_emails(std::int64_t id, const UserRecord& user) {
  db_->cached("DELETE FROM user_emails WHERE user_id=?1").bind(1, id).run();
  auto& insert = db_->cached("INSERT OR IGNORE INTO user_emails(user_id, email_lower) VALUES(?1, ?2)");
  for (const auto& email : user.emails) {
    insert.bind(1, id).bind(2, utf8_lower(email)).run();
  }
}

ApiResult<StoredUser> Store::create_user(const UserRecord& user) {
  std::lock_guard lock(mutex_);
  Transaction tx(*db_);
  if (auto ok = check_user_unique(user, 0); !ok) return std::unexpected(ok.error());
  if (auto ok = check_department_exists(user.department_id); !ok) return std::unexpected(ok.error());
  auto now = rfc3339_now();
  auto& insert = db_->cached(
      "INSERT INTO users(user_name, user_name_lower, external_id, display_name, active, "
      "department_id, version, created_at, updated_at, body) VALUES(?1,?2,?3,?4,?5,?6,1,?7,?7,?8)");
  insert.bind(1, user.user_name)
      .bind(2, utf8_lower(user.user_name))
      .bind(3, user.external_id)
      .bind(4, user.display_name)
      .bind(5, user.active ? 1 : 0)
      .bind(6, user.department_id)
      .bind(7, now)
      .bind(8, user.body)
      .run();
  auto id = db_->last_insert_id();
  write_user_emails(id, user);
  tx.commit();
  // Ids only grow (INTEGER PRIMARY KEY picks max+1), but stay correct if not.
  user_ids_.insert(std::upper_bound(user_ids_.begin(), user_ids_.end(), id), id);
  return StoredUser{id, 1, now, now, user.body};
}

std::optional<StoredUser> Store::find_user_locked(std::int64_t id) {
  auto& st = db_->cached("SELECT version, created_at, updated_at, body FROM users WHERE id=?1");
  st.bind(1, id);
  if (!st.step()) return std::nullopt;
  StoredUser u{id, st.column_int64(0), st.column_text(1), st.column_text(2), st.column_text(3)};
  st.reset();
  return u;
}

std::optional<StoredUser> Store::find_user(std::int64_t id) {
  std::lock_guard lock(mutex_);
  return find_user_locked(id);
}

ApiResult<StoredUser> Store::replace_user(std::int64_t id, const UserRecord& user,
                                          const Precondition& pre) {
  std::lock_guard lock(mutex_);
  Transaction tx(*db_);
  auto current = find_user_locked(id);
  if (!current) return api_fail(404, fmt::format("user {} does not exist", id));
  if (!pre.matches(current->version))
    return std::unexpected(precondition_failed(fmt::format("user {}", id), current->version));
  if (auto ok = check_user_unique(user, id); !ok) return std::unexpected(ok.error());
  if (auto ok = check_department_exists(user.department_id); !ok) return std::unexpected(ok.error());
  // photo and photoSha256 are read-only: the stored photo decides them.
  const std::string body = with_photo_attributes(id, user.body, photo_sha256_locked(id));
  auto now = rfc3339_now();
  db_->cached(
         "UPDATE users SET user_name=?2, user_name_lower=?3, external_id=?4, display_name=?5, "
         "active=?6, department_id=?7, version=version+1, updated_at=?8, body=?9 WHERE id=?1")
      .bind(1, id)
      .bind(2, user.user_name)
      .bind(3, utf8_lower(user.user_name))
      .bind(4, user.external_id)
      .bind(5, user.display_name)
      .bind(6, user.active ? 1 : 0)
      .bind(7, user.department_id)
      .bind(8, now)
      .bind(9, body)
      .run();
  write_user_emails(id, user);
  tx.commit();
  return StoredUser{id, current->version + 1, current->created_at, now, body};
}

ApiStatus Store::delete_user(std::int64_t id, const Precondition& pre) {
  std::lock_guard lock(mutex_);
  Transaction tx(*db_);
  auto current = find_user_locked(id);
  if (!current) return api_fail(404, fmt::format("user {} does not exist", id));
  if (!pre.matches(current->version))
    return std::unexpected(precondition_failed(fmt::format("user {}", id), current->version));
  db_->cached("DELETE FROM users WHERE id=?1").bind(1, id).run();
  db_->cached("DELETE FROM user_emails WHERE user_id=?1").bind(1, id).run();
  db_->cached("DELETE FROM credentials WHERE user_id=?1").bind(1, id).run();
  db_->cached("DELETE FROM user_photos WHERE user_id=?1").bind(1, id).run();
  // Groups that lose a member change, so their version moves too.
  db_->cached(
         "UPDATE groups SET version=version+1 WHERE id IN "
         "(SELECT group_id FROM group_members WHERE user_id=?1)")
      .bind(1, id)
      .run();
  db_->cached("DELETE FROM group_members WHERE user_id=?1").bind(1, id).run();
  db_->cached("UPDATE departments SET head_user_id=NULL WHERE head_user_id=?1").bind(1, id).run();
  tx.commit();
  auto it = std::lower_bound(user_ids_.begin(), user_ids_.end(), id);
  if (it != user_ids_.end() && *it == id) user_ids_.erase(it);
  return {};
}

UserPage Store::list_users(const SqlCondition& condition, std::int64_t start_index,
                           std::int64_t count) {
  std::lock_guard lock(mutex_);
  UserPage page;
  std::vector<std::int64_t> filtered;
  const std::vector<std::int64_t>* ids = &user_ids_;
  if (condition.where != "1") {
    auto st = db_->prepare("SELECT id FROM users WHERE " + condition.where + " ORDER BY id");
    bind_condition(st, condition, 1);
    while (st.step()) filtered.push_back(st.column_int64(0));
    ids = &filtered;
  }
  page.total = static_cast<std::int64_t>(ids->size());
  auto [first, last] = page_bounds(ids->size(), start_index, count);
  if (first == last) return page;
  auto lo = (*ids)[first];
  auto hi = (*ids)[last - 1];
  auto st = db_->prepare(
      "SELECT id, version, created_at, updated_at, body FROM users WHERE id BETWEEN ?1 AND ?2 AND (" +
      condition.where + ") ORDER BY id");
  st.bind(1, lo).bind(2, hi);
  bind_condition(st, condition, 3);
  page.users.reserve(last - first);
  while (st.step()) {
    page.users.push_back(StoredUser{st.column_int64(0), st.column_int64(1), st.column_text(2),
                                    st.column_text(3), st.column_text(4)});
  }
  auto& groups = db_->cached(
      "SELECT gm.user_id, g.id, g.display_name FROM group_members gm JOIN groups g ON "
      "g.id=gm.group_id WHERE gm.user_id BETWEEN ?1 AND ?2 ORDER BY gm.user_id, g.id");
  groups.bind(1, lo).bind(2, hi);
  while (groups.step()) {
    page.groups[groups.column_int64(0)].push_back(
        GroupRef{groups.column_int64(1), groups.column_text(2)});
  }
  groups.reset();
  return page;
}

std::vector<GroupRef> Store::groups_of_user(std::int64_t id) {
  std::lock_guard lock(mutex_);
  std::vector<GroupRef> out;
  auto& st = db_->cached(
      "SELECT g.id, g.display_name FROM group_members gm JOIN groups g ON g.id=gm.group_id "
      "WHERE gm.user_id=?1 ORDER BY g.id");
  st.bind(1, id);
  while (st.step()) out.push_back(GroupRef{st.column_int64(0), st.column_text(1)});
  st.reset();
  return out;
}

bool Store::user_exists_locked(std::int64_t id) {
  auto& st = db_->cached("SELECT 1 FROM users WHERE id = ?");
  st.bind(1, id);
  bool found = st.step();
  st.reset();
  return found;
}

std::int64_t Store::user_count() {
  std::lock_guard lock(mutex_);
  return static_cast<std::int64_t>(user_ids_.size());
}

}  // namespace daoctl::sim
