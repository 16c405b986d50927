// The Store's departments: the tree, paths and member counts.
#include "sim/store.hpp"

#include <fmt/format.h>

#include <map>

#include "sim/sqlite_db.hpp"
#include "sim/store_internal.hpp"
#include "sim/text.hpp"

namespace daoctl::sim {

using detail::precondition_failed;

std::map<std::int64_t, std::pair<std::optional<std::int64_t>, std::string>> Store::department_tree() {
  std::map<std::int64_t, std::pair<std::optional<std::int64_t>, std::string>> tree;
  auto& st = db_->cached("SELECT id, parent_id, name FROM departments");
  while (st.step()) tree[st.column_int64(0)] = {st.column_optional_int64(1), st.column_text(2)};
  st.reset();
  return tree;
}

namespace {
std::string department_path(
    std::int64_t id,
    const std::map<std::int64_t, std::pair<std::optional<std::int64_t>, std::string>>& tree) {
  std::vector<const std::string*> names;
  std::optional<std::int64_t> at = id;
  // The depth bound guards against a cycle that only a hand-edited file could hold.
  while (at && names.size() <= tree.size()) {
    auto it = tree.find(*at);
    if (it == tree.end()) break;
    names.push_back(&it->second.second);
    at = it->second.first;
  }
  std::string path;
  for (auto it = names.rbegin(); it != names.rend(); ++it) {
    if (!path.empty()) path += '/';
    path += **it;
  }
  return path;
}

constexpr const char* kDepartmentColumns =
    "SELECT d.id, d.name, d.parent_id, d.external_id, d.head_user_id, d.version, d.created_at, "
    "d.updated_at, (SELECT COUNT(*) FROM users u WHERE u.department_id=d.id) FROM departments d ";
}  // namespace

Department Store::read_department(
    Statement& st,
    const std::map<std::int64_t, std::pair<std::optional<std::int64_t>, std::string>>& tree) {
  Department d;
  d.id = st.column_int64(0);
  d.name = st.column_text(1);
  d.parent_id = st.column_optional_int64(2);
  d.external_id = st.column_optional_text(3);
  d.head_user_id = st.column_optional_int64(4);
  d.version = st.column_int64(5);
  d.created_at = st.column_text(6);
  d.updated_at = st.column_text(7);
  d.member_count = st.column_int64(8);
  d.path = department_path(d.id, tree);
  return d;
}

std::optional<Department> Store::find_department_locked(std::int64_t id) {
  auto& st = db_->cached(std::string(kDepartmentColumns) + "WHERE d.id=?1");
  st.bind(1, id);
  if (!st.step()) return std::nullopt;
  auto tree = department_tree();
  auto d = read_department(st, tree);
  st.reset();
  return d;
}

std::optional<Department> Store::find_department(std::int64_t id) {
  std::lock_guard lock(mutex_);
  return find_department_locked(id);
}

std::vector<Department> Store::list_departments(const DepartmentQuery& query) {
  std::lock_guard lock(mutex_);
  std::string sql = std::string(kDepartmentColumns) + "WHERE d.id > ?1";
  if (query.parent_id) sql += *query.parent_id ? " AND d.parent_id = ?3" : " AND d.parent_id IS NULL";
  if (query.external_id) sql += " AND d.external_id = ?4";
  sql += " ORDER BY d.id LIMIT ?2";
  auto& st = db_->cached(sql);
  st.bind(1, query.after_id).bind(2, query.limit);
  if (query.parent_id && *query.parent_id) st.bind(3, **query.parent_id);
  if (query.external_id) st.bind(4, *query.external_id);
  auto tree = department_tree();
  std::vector<Department> out;
  while (st.step()) out.push_back(read_department(st, tree));
  st.reset();
  return out;
}

namespace {
ApiError conflict(std::string detail, std::optional<std::int64_t> existing = std::nullopt) {
  ApiError e;
  e.status = 409;
  e.detail = std::move(detail);
  if (existing) e.existing_id = std::to_string(*existing);
  return e;
}

ApiError unprocessable(std::string field, std::string message) {
  ApiError e;
  e.status = 422;
  e.detail = message;
  e.errors.push_back(FieldError{std::move(field), std::move(message)});
  return e;
}
}  // namespace

ApiResult<Department> Store::create_department(const std::string& name,
                                               std::optional<std::int64_t> parent_id,
                                               const std::optional<std::string>& external_id,
                                               std::optional<std::int64_t> head_user_id) {
  std::lock_guard lock(mutex_);
  Transaction tx(*db_);
  if (external_id) {
    auto& st = db_->cached("SELECT id FROM departments WHERE external_id=?1");
    st.bind(1, *external_id);
    if (st.step()) {
      auto other = st.column_int64(0);
      st.reset();
      return std::unexpected(conflict(
          fmt::format("a department with external_id \"{}\" exists already (id {})", *external_id, other),
          other));
    }
    st.reset();
  }
  if (parent_id && !find_department_locked(*parent_id))
    return std::unexpected(
        unprocessable("parent_id", fmt::format("parent department {} does not exist", *parent_id)));
  if (head_user_id && !find_user_locked(*head_user_id))
    return std::unexpected(
        unprocessable("head_user_id", fmt::format("head user {} does not exist", *head_user_id)));
  auto& sibling = db_->cached("SELECT id FROM departments WHERE COALESCE(parent_id,0)=?1 AND name=?2");
  sibling.bind(1, parent_id.value_or(0)).bind(2, name);
  if (sibling.step()) {
    auto other = sibling.column_int64(0);
    sibling.reset();
    return std::unexpected(
        conflict(fmt::format("department \"{}\" already exists under the same parent (id {})", name, other)));
  }
  sibling.reset();
  auto now = rfc3339_now();
  db_->cached(
         "INSERT INTO departments(name, parent_id, external_id, head_user_id, version, created_at, "
         "updated_at) VALUES(?1, ?2, ?3, ?4, 1, ?5, ?5)")
      .bind(1, name)
      .bind(2, parent_id)
      .bind(3, external_id)
      .bind(4, head_user_id)
      .bind(5, now)
      .run();
  auto d = find_department_locked(db_->last_insert_id());
  tx.commit();
  return *d;
}

ApiResult<Department> Store::change_department(std::int64_t id, const DepartmentChange& change,
                                               const Precondition& pre) {
  std::lock_guard lock(mutex_);
  Transaction tx(*db_);
  auto current = find_department_locked(id);
  if (!current) return api_fail(404, fmt::format("department {} does not exist", id));
  if (!pre.matches(current->version))
    return std::unexpected(precondition_failed(fmt::format("department {}", id), current->version));
  auto name = change.name.value_or(current->name);
  auto parent = change.parent_id ? *change.parent_id : current->parent_id;
  if (change.parent_id && parent) {
    auto tree = department_tree();
    if (!tree.count(*parent))
      return std::unexpected(
          unprocessable("parent_id", fmt::format("parent department {} does not exist", *parent)));
    // Walk up from the new parent: meeting the department itself means a cycle.
    std::optional<std::int64_t> at = parent;
    std::size_t steps = 0;
    while (at && steps++ <= tree.size()) {
      if (*at == id)
        return std::unexpected(unprocessable(
            "parent_id", fmt::format("cannot move department {} under {}: {} is the department "
                                     "itself or one of its descendants",
                                     id, *parent, *parent)));
      at = tree[*at].first;
    }
  }
  if (change.head_user_id && *change.head_user_id && !find_user_locked(**change.head_user_id))
    return std::unexpected(unprocessable(
        "head_user_id", fmt::format("head user {} does not exist", **change.head_user_id)));
  if (change.external_id && *change.external_id) {
    auto& st = db_->cached("SELECT id FROM departments WHERE external_id=?1 AND id<>?2");
    st.bind(1, **change.external_id).bind(2, id);
    if (st.step()) {
      auto other = st.column_int64(0);
      st.reset();
      return std::unexpected(conflict(
          fmt::format("external_id \"{}\" is already used by department {}", **change.external_id, other),
          other));
    }
    st.reset();
  }
  auto& sibling =
      db_->cached("SELECT id FROM departments WHERE COALESCE(parent_id,0)=?1 AND name=?2 AND id<>?3");
  sibling.bind(1, parent.value_or(0)).bind(2, name).bind(3, id);
  if (sibling.step()) {
    auto other = sibling.column_int64(0);
    sibling.reset();
    return std::unexpected(
        conflict(fmt::format("department \"{}\" already exists under the same parent (id {})", name, other)));
  }
  sibling.reset();
  db_->cached(
         "UPDATE departments SET name=?2, parent_id=?3, external_id=?4, head_user_id=?5, "
         "version=version+1, updated_at=?6 WHERE id=?1")
      .bind(1, id)
      .bind(2, name)
      .bind(3, parent)
      .bind(4, change.external_id ? *change.external_id : current->external_id)
      .bind(5, change.head_user_id ? *change.head_user_id : current->head_user_id)
      .bind(6, rfc3339_now())
      .run();
  auto d = find_department_locked(id);
  tx.commit();
  return *d;
}

ApiStatus Store::delete_department(std::int64_t id, const Precondition& pre) {
  std::lock_guard lock(mutex_);
  Transaction tx(*db_);
  auto current = find_department_locked(id);
  if (!current) return api_fail(404, fmt::format("department {} does not exist", id));
  if (!pre.matches(current->version))
    return std::unexpected(precondition_failed(fmt::format("department {}", id), current->version));
  auto& children = db_->cached("SELECT COUNT(*) FROM departments WHERE parent_id=?1");
  children.bind(1, id);
  children.step();
  auto child_count = children.column_int64(0);
  children.reset();
  if (child_count > 0)
    return std::unexpected(conflict(fmt::format(
        "department {} ({}) has {} child department(s); move or delete them first", id,
        current->path, child_count)));
  if (current->member_count > 0)
    return std::unexpected(conflict(
        fmt::format("department {} ({}) has {} member(s); move them to another department first", id,
                    current->path, current->member_count)));
  db_->cached("DELETE FROM departments WHERE id=?1").bind(1, id).run();
  tx.commit();
  return {};
}

}  // namespace daoctl::sim
