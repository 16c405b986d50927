#include "sim/community_routes.hpp"

#include <fmt/format.h>

#include <mutex>

#include "sim/settings_common.hpp"
#include "sim/sqlite_db.hpp"
#include "sim/text.hpp"

namespace daoctl::sim {

using nlohmann::json;

namespace {

struct Community {
  std::int64_t id = 0;
  std::string name;
  std::string description;
  std::string visibility = "public";
  std::vector<std::string> owners;
  std::vector<std::string> members;
  std::optional<std::string> external_id;
  std::int64_t version = 1;
  std::string created_at;
  std::string updated_at;
};

constexpr const char* kColumns =
    "id, name, description, visibility, owners, members, external_id, version, created_at, "
    "updated_at";

Community read_row(Statement& st) {
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

json render(const Community& c) {
  return {{"id", std::to_string(c.id)},
          {"name", c.name},
          {"description", c.description},
          {"visibility", c.visibility},
          {"owners", c.owners},
          {"members", c.members},
          {"member_count", c.members.size()},
          {"external_id", text_or_null(c.external_id)},
          {"created_at", c.created_at},
          {"updated_at", c.updated_at}};
}

// Caller holds the mutex.
std::optional<Community> find(Store& store, std::int64_t id) {
  auto& st = store.db().cached(fmt::format("SELECT {} FROM communities WHERE id = ?", kColumns));
  st.bind(1, id);
  std::optional<Community> c;
  if (st.step()) c = read_row(st);
  st.reset();
  return c;
}

std::optional<std::int64_t> find_by_external_id(Store& store, const std::string& external_id) {
  auto& st = store.db().cached("SELECT id FROM communities WHERE external_id = ?");
  st.bind(1, external_id);
  std::optional<std::int64_t> id;
  if (st.step()) id = st.column_int64(0);
  st.reset();
  return id;
}

ApiError taken(const std::string& external_id, std::int64_t existing) {
  ApiError e;
  e.status = 409;
  e.detail = fmt::format("a community with external_id \"{}\" exists already (id {})", external_id,
                         existing);
  e.existing_id = std::to_string(existing);
  return e;
}

// Applies the fields of a validated create/patch body. Caller holds the mutex.
ApiStatus apply_fields(Store& store, const json& body, Community& c) {
  if (body.contains("name")) c.name = body["name"].get<std::string>();
  if (body.contains("description")) c.description = body["description"].get<std::string>();
  if (body.contains("visibility")) c.visibility = body["visibility"].get<std::string>();
  for (const char* field : {"owners", "members"}) {
    if (!body.contains(field)) continue;
    auto ids = body[field].get<std::vector<std::string>>();
    if (auto unknown = first_unknown_user(store, ids))
      return std::unexpected(field_error(
          field, fmt::format("{} names user {}, which does not exist", field, *unknown)));
    (std::string_view(field) == "owners" ? c.owners : c.members) = std::move(ids);
  }
  if (body.contains("external_id")) {
    c.external_id = body["external_id"].is_null()
                        ? std::nullopt
                        : std::optional(body["external_id"].get<std::string>());
    if (c.external_id)
      if (auto existing = find_by_external_id(store, *c.external_id); existing && *existing != c.id)
        return std::unexpected(taken(*c.external_id, *existing));
  }
  return {};
}

void save(Store& store, Community& c, bool is_new) {
  auto& st = store.db().cached(
      is_new ? "INSERT INTO communities(name, description, visibility, owners, members, "
               "external_id, version, "
               "created_at, updated_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)"
             : "UPDATE communities SET name = ?, description = ?, visibility = ?, owners = ?, "
               "members = ?, "
               "external_id = ?, version = ?, created_at = ?, updated_at = ? WHERE id = ?");
  st.bind(1, c.name).bind(2, c.description).bind(3, c.visibility);
  st.bind(4, json(c.owners).dump()).bind(5, json(c.members).dump()).bind(6, c.external_id);
  st.bind(7, c.version).bind(8, c.created_at).bind(9, c.updated_at);
  if (!is_new) st.bind(10, c.id);
  st.run();
  if (is_new) c.id = store.db().last_insert_id();
}

std::string not_found(const std::string& id) {
  return fmt::format("community {} does not exist", id);
}

}  // namespace

void add_community_routes(RouteTable& routes, Store& store) {
  {
    std::lock_guard lock(store.mutex());
    store.db().exec(R"(
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

  routes.get("/api/v1/communities", [&store](const auto& req, auto& res) {
    auto window = read_page_window(req);
    if (!window) return send_error(req, res, window.error());
    const bool by_external_id = req.has_param("external_id");
    std::lock_guard lock(store.mutex());
    auto& st =
        store.db().cached(fmt::format("SELECT {} FROM communities WHERE id > ? AND (? = 0 OR "
                                      "external_id = ?) ORDER BY id LIMIT ?",
                                      kColumns));
    st.bind(1, window->after_id).bind(2, by_external_id ? 1 : 0);
    st.bind(3, req.get_param_value("external_id")).bind(4, window->limit + 1);
    std::vector<std::pair<std::int64_t, json>> rows;
    while (st.step()) {
      auto c = read_row(st);
      rows.emplace_back(c.id, render(c));
    }
    st.reset();
    send_body(res, 200, page_json(std::move(rows), window->limit), kJson);
  });

  routes.get(R"(/api/v1/communities/([^/]+))", [&store](const auto& req, auto& res) {
    auto id = parse_id(req.matches[1].str());
    std::lock_guard lock(store.mutex());
    auto c = id ? find(store, *id) : std::nullopt;
    if (!c) return send_error(req, res, 404, not_found(req.matches[1].str()));
    send_etag(res, c->version);
    send_body(res, 200, render(*c).dump(), kJson);
  });

  routes.post("/api/v1/communities", [&store](const auto& req, auto& res) {
    auto body = read_body_object(req);
    if (!body) return send_error(req, res, body.error());
    if (auto ok = check_against_contract(*body, "CommunityCreate"); !ok)
      return send_error(req, res, ok.error());
    std::lock_guard lock(store.mutex());
    Community c;
    if (auto ok = apply_fields(store, *body, c); !ok) return send_error(req, res, ok.error());
    c.created_at = c.updated_at = rfc3339_now();
    save(store, c, true);
    res.set_header("Location", fmt::format("/api/v1/communities/{}", c.id));
    send_etag(res, c.version);
    send_body(res, 201, render(c).dump(), kJson);
  });

  routes.patch(R"(/api/v1/communities/([^/]+))", [&store](const auto& req, auto& res) {
    auto id = parse_id(req.matches[1].str());
    auto body = read_body_object(req);
    if (!body) return send_error(req, res, body.error());
    if (auto ok = check_against_contract(*body, "CommunityPatch"); !ok)
      return send_error(req, res, ok.error());
    std::lock_guard lock(store.mutex());
    auto c = id ? find(store, *id) : std::nullopt;
    if (!c) return send_error(req, res, 404, not_found(req.matches[1].str()));
    if (!if_match(req).matches(c->version))
      return send_error(req, res, 412,
                        fmt::format("community {} changed since it was read (now version {})",
                                    c->id, c->version));
    if (auto ok = apply_fields(store, *body, *c); !ok) return send_error(req, res, ok.error());
    c->version += 1;
    c->updated_at = rfc3339_now();
    save(store, *c, false);
    send_etag(res, c->version);
    send_body(res, 200, render(*c).dump(), kJson);
  });

  routes.del(R"(/api/v1/communities/([^/]+))", [&store](const auto& req, auto& res) {
    auto id = parse_id(req.matches[1].str());
    std::lock_guard lock(store.mutex());
    auto c = id ? find(store, *id) : std::nullopt;
    if (!c) return send_error(req, res, 404, not_found(req.matches[1].str()));
    if (!if_match(req).matches(c->version))
      return send_error(req, res, 412,
                        fmt::format("community {} changed since it was read (now version {})",
                                    c->id, c->version));
    auto& st = store.db().cached("DELETE FROM communities WHERE id = ?");
    st.bind(1, c->id);
    st.run();
    res.status = 204;
  });
}

}  // namespace daoctl::sim
