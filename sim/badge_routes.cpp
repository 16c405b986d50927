#include "sim/badge_routes.hpp"

#include <fmt/format.h>

#include <mutex>

#include "sim/settings_common.hpp"
#include "sim/sqlite_db.hpp"
#include "sim/text.hpp"

namespace daoctl::sim {

using nlohmann::json;

namespace {

struct Badge {
  std::int64_t id = 0;
  std::string name;
  std::string description;
  std::optional<std::string> icon_file_id;
  std::optional<std::string> external_id;
  std::int64_t version = 1;
  std::string created_at;
  std::string updated_at;
};

constexpr const char* kColumns =
    "id, name, description, icon_file_id, external_id, version, created_at, updated_at";

Badge read_row(Statement& st) {
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

json render(const Badge& b) {
  return {{"id", std::to_string(b.id)},
          {"name", b.name},
          {"description", b.description},
          {"icon_file_id", text_or_null(b.icon_file_id)},
          {"external_id", text_or_null(b.external_id)},
          {"created_at", b.created_at},
          {"updated_at", b.updated_at}};
}

// Caller holds the mutex.
std::optional<Badge> find(Store& store, std::int64_t id) {
  auto& st = store.db().cached(fmt::format("SELECT {} FROM badges WHERE id = ?", kColumns));
  st.bind(1, id);
  std::optional<Badge> b;
  if (st.step()) b = read_row(st);
  st.reset();
  return b;
}

std::optional<std::int64_t> find_by_external_id(Store& store, const std::string& external_id) {
  auto& st = store.db().cached("SELECT id FROM badges WHERE external_id = ?");
  st.bind(1, external_id);
  std::optional<std::int64_t> id;
  if (st.step()) id = st.column_int64(0);
  st.reset();
  return id;
}

std::optional<std::string> optional_text(const json& v) {
  return v.is_null() ? std::nullopt : std::optional(v.get<std::string>());
}

// Applies the fields of a validated create/patch body. Caller holds the mutex.
ApiStatus apply_fields(Store& store, const json& body, Badge& b) {
  if (body.contains("name")) b.name = body["name"].get<std::string>();
  if (body.contains("description")) b.description = body["description"].get<std::string>();
  if (body.contains("icon_file_id")) b.icon_file_id = optional_text(body["icon_file_id"]);
  if (body.contains("external_id")) {
    b.external_id = optional_text(body["external_id"]);
    if (b.external_id)
      if (auto existing = find_by_external_id(store, *b.external_id);
          existing && *existing != b.id) {
        ApiError e;
        e.status = 409;
        e.detail = fmt::format("a badge with external_id \"{}\" exists already (id {})",
                               *b.external_id, *existing);
        e.existing_id = std::to_string(*existing);
        return std::unexpected(std::move(e));
      }
  }
  return {};
}

void save(Store& store, Badge& b, bool is_new) {
  auto& st = store.db().cached(is_new ? "INSERT INTO badges(name, description, icon_file_id, "
                                        "external_id, version, created_at, updated_at) "
                                        "VALUES(?, ?, ?, ?, ?, ?, ?)"
                                      : "UPDATE badges SET name = ?, description = ?, icon_file_id "
                                        "= ?, external_id = ?, version = ?, "
                                        "created_at = ?, updated_at = ? WHERE id = ?");
  st.bind(1, b.name).bind(2, b.description).bind(3, b.icon_file_id).bind(4, b.external_id);
  st.bind(5, b.version).bind(6, b.created_at).bind(7, b.updated_at);
  if (!is_new) st.bind(8, b.id);
  st.run();
  if (is_new) b.id = store.db().last_insert_id();
}

std::string not_found(const std::string& id) { return fmt::format("badge {} does not exist", id); }

}  // namespace

void add_badge_routes(RouteTable& routes, Store& store) {
  {
    std::lock_guard lock(store.mutex());
    store.db().exec(R"(
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

  routes.get("/api/v1/badges", [&store](const auto& req, auto& res) {
    auto window = read_page_window(req);
    if (!window) return send_error(req, res, window.error());
    const bool by_external_id = req.has_param("external_id");
    std::lock_guard lock(store.mutex());
    auto& st = store.db().cached(fmt::format(
        "SELECT {} FROM badges WHERE id > ? AND (? = 0 OR external_id = ?) ORDER BY id LIMIT ?",
        kColumns));
    st.bind(1, window->after_id).bind(2, by_external_id ? 1 : 0);
    st.bind(3, req.get_param_value("external_id")).bind(4, window->limit + 1);
    std::vector<std::pair<std::int64_t, json>> rows;
    while (st.step()) {
      auto b = read_row(st);
      rows.emplace_back(b.id, render(b));
    }
    st.reset();
    send_body(res, 200, page_json(std::move(rows), window->limit), kJson);
  });

  routes.get(R"(/api/v1/badges/([^/]+))", [&store](const auto& req, auto& res) {
    auto id = parse_id(req.matches[1].str());
    std::lock_guard lock(store.mutex());
    auto b = id ? find(store, *id) : std::nullopt;
    if (!b) return send_error(req, res, 404, not_found(req.matches[1].str()));
    send_etag(res, b->version);
    send_body(res, 200, render(*b).dump(), kJson);
  });

  routes.post("/api/v1/badges", [&store](const auto& req, auto& res) {
    auto body = read_body_object(req);
    if (!body) return send_error(req, res, body.error());
    if (auto ok = check_against_contract(*body, "BadgeCreate"); !ok)
      return send_error(req, res, ok.error());
    std::lock_guard lock(store.mutex());
    Badge b;
    if (auto ok = apply_fields(store, *body, b); !ok) return send_error(req, res, ok.error());
    b.created_at = b.updated_at = rfc3339_now();
    save(store, b, true);
    res.set_header("Location", fmt::format("/api/v1/badges/{}", b.id));
    send_etag(res, b.version);
    send_body(res, 201, render(b).dump(), kJson);
  });

  routes.patch(R"(/api/v1/badges/([^/]+))", [&store](const auto& req, auto& res) {
    auto id = parse_id(req.matches[1].str());
    auto body = read_body_object(req);
    if (!body) return send_error(req, res, body.error());
    if (auto ok = check_against_contract(*body, "BadgePatch"); !ok)
      return send_error(req, res, ok.error());
    std::lock_guard lock(store.mutex());
    auto b = id ? find(store, *id) : std::nullopt;
    if (!b) return send_error(req, res, 404, not_found(req.matches[1].str()));
    if (!if_match(req).matches(b->version))
      return send_error(
          req, res, 412,
          fmt::format("badge {} changed since it was read (now version {})", b->id, b->version));
    if (auto ok = apply_fields(store, *body, *b); !ok) return send_error(req, res, ok.error());
    b->version += 1;
    b->updated_at = rfc3339_now();
    save(store, *b, false);
    send_etag(res, b->version);
    send_body(res, 200, render(*b).dump(), kJson);
  });

  routes.del(R"(/api/v1/badges/([^/]+))", [&store](const auto& req, auto& res) {
    auto id = parse_id(req.matches[1].str());
    std::lock_guard lock(store.mutex());
    auto b = id ? find(store, *id) : std::nullopt;
    if (!b) return send_error(req, res, 404, not_found(req.matches[1].str()));
    if (!if_match(req).matches(b->version))
      return send_error(
          req, res, 412,
          fmt::format("badge {} changed since it was read (now version {})", b->id, b->version));
    auto& st = store.db().cached("DELETE FROM badges WHERE id = ?");
    st.bind(1, b->id);
    st.run();
    res.status = 204;
  });
}

}  // namespace daoctl::sim
