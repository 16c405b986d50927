#include "sim/store_badges.hpp"

#include <fmt/format.h>

#include "sim/sqlite_db.hpp"

namespace daoctl::sim {

namespace {

constexpr const char* kBadgeColumns =
    "id, name, description, icon_file_id, external_id, version, created_at, updated_at";

Badge read_badge(Statement& st) {
  Badge b;
  b.id = st.column_int64(0);
  b.name = st.column_text(1);
  b.description = st.column_text(2);
  b.icon_file_id = st.column_optional_text(3);
  b.external_id = st.column_optional_text(4);
  b.version = st.column_int64(5);
  b.created_at = st.column_text(6);
  b.updated_at = st.column_text(7);
  return b;
}

}  // namespace

void BadgeTable::create() {
  db_.exec(R"(
CREATE TABLE IF NOT EXISTS badges(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  icon_file_id TEXT,
  external_id TEXT UNIQUE,
  version INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL);
)");
}

std::optional<Badge> BadgeTable::find(std::int64_t id) {
  auto& st = db_.cached(fmt::format("SELECT {} FROM badges WHERE id = ?", kBadgeColumns));
  st.bind(1, id);
  std::optional<Badge> b;
  if (st.step()) b = read_badge(st);
  st.reset();
  return b;
}

std::optional<std::int64_t> BadgeTable::find_by_external_id(const std::string& external_id) {
  auto& st = db_.cached("SELECT id FROM badges WHERE external_id = ?");
  st.bind(1, external_id);
  std::optional<std::int64_t> id;
  if (st.step()) id = st.column_int64(0);
  st.reset();
  return id;
}

std::vector<Badge> BadgeTable::list(std::int64_t after_id, const std::optional<std::string>& external_id,
                                    std::int64_t limit) {
  auto& st = db_.cached(fmt::format(
      "SELECT {} FROM badges WHERE id > ? AND (? = 0 OR external_id = ?) ORDER BY id LIMIT ?",
      kBadgeColumns));
  st.bind(1, after_id).bind(2, external_id ? 1 : 0);
  st.bind(3, external_id.value_or(std::string())).bind(4, limit);
  std::vector<Badge> out;
  while (st.step()) out.push_back(read_badge(st));
  st.reset();
  return out;
}

void BadgeTable::insert(Badge& b) {
  auto& st = db_.cached(
      "INSERT INTO badges(name, description, icon_file_id, external_id, version, created_at, "
      "updated_at) VALUES(?, ?, ?, ?, ?, ?, ?)");
  st.bind(1, b.name).bind(2, b.description).bind(3, b.icon_file_id).bind(4, b.external_id);
  st.bind(5, b.version).bind(6, b.created_at).bind(7, b.updated_at);
  st.run();
  b.id = db_.last_insert_id();
}

void BadgeTable::update(const Badge& b) {
  auto& st = db_.cached(
      "UPDATE badges SET name = ?, description = ?, icon_file_id = ?, external_id = ?, version = ?, "
      "created_at = ?, updated_at = ? WHERE id = ?");
  st.bind(1, b.name).bind(2, b.description).bind(3, b.icon_file_id).bind(4, b.external_id);
  st.bind(5, b.version).bind(6, b.created_at).bind(7, b.updated_at);
  st.bind(8, b.id);
  st.run();
}

void BadgeTable::remove(std::int64_t id) {
  auto& st = db_.cached("DELETE FROM badges WHERE id = ?");
  st.bind(1, id);
  st.run();
}

}  // namespace daoctl::sim
