#include "sim/store_communities.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "sim/sqlite_db.hpp"

namespace daoctl::sim {

using nlohmann::json;

namespace {

constexpr const char* kCommunityColumns =
    "id, name, description, visibility, owners, members, external_id, version, created_at, "
    "updated_at";

Community read_community(Statement& st) {
  Community c;
  c.id = st.column_int64(0);
  c.name = st.column_text(1);
  c.description = st.column_text(2);
  c.visibility = st.column_text(3);
  c.owners = json::parse(st.column_view(4)).get<std::vector<std::string>>();
  c.members = json::parse(st.column_view(5)).get<std::vector<std::string>>();
  c.external_id = st.column_optional_text(6);
  c.version = st.column_int64(7);
  c.created_at = st.column_text(8);
  c.updated_at = st.column_text(9);
  return c;
}

// The columns of a row in the order of INSERT and UPDATE (1..9).
void bind_fields(Statement& st, const Community& c) {
  st.bind(1, c.name).bind(2, c.description).bind(3, c.visibility);
  st.bind(4, json(c.owners).dump()).bind(5, json(c.members).dump()).bind(6, c.external_id);
  st.bind(7, c.version).bind(8, c.created_at).bind(9, c.updated_at);
}

}  // namespace

void CommunityTable::create() {
  db_.exec(R"(
CREATE TABLE IF NOT EXISTS communities(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  visibility TEXT NOT NULL,
  owners TEXT NOT NULL,
  members TEXT NOT NULL,
  external_id TEXT UNIQUE,
  version INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL);
)");
}

std::optional<Community> CommunityTable::find(std::int64_t id) {
  auto& st = db_.cached(fmt::format("SELECT {} FROM communities WHERE id = ?", kCommunityColumns));
  st.bind(1, id);
  std::optional<Community> c;
  if (st.step()) c = read_community(st);
  st.reset();
  return c;
}

std::optional<std::int64_t> CommunityTable::find_by_external_id(const std::string& external_id) {
  auto& st = db_.cached("SELECT id FROM communities WHERE external_id = ?");
  st.bind(1, external_id);
  std::optional<std::int64_t> id;
  if (st.step()) id = st.column_int64(0);
  st.reset();
  return id;
}

std::vector<Community> CommunityTable::list(std::int64_t after_id,
                                            const std::optional<std::string>& external_id,
                                            std::int64_t limit) {
  auto& st = db_.cached(fmt::format(
      "SELECT {} FROM communities WHERE id > ? AND (? = 0 OR external_id = ?) ORDER BY id LIMIT ?",
      kCommunityColumns));
  st.bind(1, after_id).bind(2, external_id ? 1 : 0);
  st.bind(3, external_id.value_or(std::string())).bind(4, limit);
  std::vector<Community> out;
  while (st.step()) out.push_back(read_community(st));
  st.reset();
  return out;
}

void CommunityTable::insert(Community& c) {
  auto& st = db_.cached(
      "INSERT INTO communities(name, description, visibility, owners, members, external_id, "
      "version, created_at, updated_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)");
  bind_fields(st, c);
  st.run();
  c.id = db_.last_insert_id();
}

void CommunityTable::update(const Community& c) {
  auto& st = db_.cached(
      "UPDATE communities SET name = ?, description = ?, visibility = ?, owners = ?, members = ?, "
      "external_id = ?, version = ?, created_at = ?, updated_at = ? WHERE id = ?");
  bind_fields(st, c);
  st.bind(10, c.id);
  st.run();
}

void CommunityTable::remove(std::int64_t id) {
  auto& st = db_.cached("DELETE FROM communities WHERE id = ?");
  st.bind(1, id);
  st.run();
}

}  // namespace daoctl::sim
