// /api/v1/events and /events/{id}/invitations (RSVP). An event is stored as
// its JSON document; invitations are rows (one per event and user).
#include <fmt/format.h>

#include "sim/content_wire.hpp"
#include "sim/sqlite_db.hpp"
#include "sim/text.hpp"

namespace daoctl::sim::content {

namespace {

constexpr std::initializer_list<const char*> kEventFields = {"title", "description", "starts_at", "ends_at", "location",
                                                             "organizer_id", "community_id", "external_id"};
constexpr std::initializer_list<const char*> kStates = {"going", "maybe", "declined", "pending"};

ApiStatus check_event_fields(Store& store, json& body) {
  if (auto ok = reject_unknown_fields(body, kEventFields); !ok) return ok;
  if (auto ok = check_string(body, "title", 1, 500, false); !ok) return ok;
  if (auto ok = check_string(body, "description", 0, 1048576, false); !ok) return ok;
  if (auto ok = check_string(body, "location", 0, 1000, false); !ok) return ok;
  if (auto ok = check_string(body, "external_id", 1, 255, true); !ok) return ok;
  if (auto ok = normalize_time(body, "starts_at", false); !ok) return ok;
  if (auto ok = normalize_time(body, "ends_at", false); !ok) return ok;
  auto organizer = id_field(body, "organizer_id", false);
  if (!organizer) return std::unexpected(organizer.error());
  if (*organizer) {
    if (!user_exists(store, **organizer))
      return std::unexpected(validation("organizer_id", fmt::format("organizer_id {} is not a user", **organizer)));
    body["organizer_id"] = std::to_string(**organizer);
  }
  auto community = id_field(body, "community_id", true);
  if (!community) return std::unexpected(community.error());
  if (*community) {
    if (!row_exists(store, "communities", **community))
      return std::unexpected(validation("community_id", fmt::format("community_id {} is not a community", **community)));
    body["community_id"] = std::to_string(**community);
  }
  return {};
}

struct StoredEvent {
  std::int64_t version = 0;
  json doc;
};

std::optional<StoredEvent> find_event(Store& store, std::int64_t id) {
  std::lock_guard lock(store.mutex());
  auto& st = store.db().cached("SELECT version, doc FROM event_events WHERE id=?");
  st.bind(1, id);
  std::optional<StoredEvent> e;
  if (st.step()) {
    e = StoredEvent{st.column_int64(0), json::parse(st.column_view(1))};
    e->doc["id"] = std::to_string(id);
  }
  st.reset();
  return e;
}

std::optional<std::int64_t> existing_event(SqliteDb& db, const json& external_id) {
  if (!external_id.is_string()) return std::nullopt;
  auto& find = db.cached("SELECT id FROM event_events WHERE external_id=?");
  find.bind(1, external_id.get<std::string>());
  std::optional<std::int64_t> id;
  if (find.step()) id = find.column_int64(0);
  find.reset();
  return id;
}

std::optional<std::string> optional_text(const json& v) {
  return v.is_string() ? std::optional<std::string>(v.get<std::string>()) : std::nullopt;
}

json render_invitation(Statement& st) {
  return {{"user_id", std::to_string(st.column_int64(1))},
          {"state", st.column_text(2)},
          {"invited_at", st.column_text(3)},
          {"responded_at", st.is_null(4) ? json(nullptr) : json(st.column_text(4))}};
}

}  // namespace

void add_event_routes(RouteTable& routes, Store& store) {
  routes.get("/api/v1/events", [&store](const httplib::Request& req, httplib::Response& res) {
    auto window = read_window(req);
    if (!window) return send_error(req, res, window.error());
    auto after = window->after.empty() ? std::optional<std::int64_t>(0) : parse_id(window->after);
    if (!after) return send_error(req, res, 400, "the cursor was not issued by this listing");
    json probe = json::object();
    for (const char* bound : {"from", "to"}) {
      if (!req.has_param(bound)) continue;
      probe[bound] = req.get_param_value(bound);
      if (auto ok = normalize_time(probe, bound, false); !ok) return send_error(req, res, 400, ok.error().detail);
    }
    std::string sql = "SELECT id, doc FROM event_events WHERE id > ?";
    std::vector<std::string> params;
    if (probe.contains("from")) sql += " AND starts_at >= ?", params.push_back(probe["from"]);
    if (probe.contains("to")) sql += " AND starts_at < ?", params.push_back(probe["to"]);
    if (req.has_param("external_id")) sql += " AND external_id = ?", params.push_back(req.get_param_value("external_id"));
    sql += " ORDER BY id LIMIT ?";
    std::vector<json> items;
    {
      std::lock_guard lock(store.mutex());
      auto st = store.db().prepare(sql);
      int i = 1;
      st.bind(i++, *after);
      for (const auto& p : params) st.bind(i++, p);
      st.bind(i, window->limit + 1);
      while (st.step()) {
        json doc = json::parse(st.column_view(1));
        doc["id"] = std::to_string(st.column_int64(0));
        items.push_back(std::move(doc));
      }
    }
    send_body(res, 200, page_body(std::move(items), window->limit, [](const json& e) { return e["id"].get<std::string>(); }), kJson);
  });

  routes.post("/api/v1/events", [&store](const httplib::Request& req, httplib::Response& res) {
    auto body = read_object(req);
    if (!body) return send_error(req, res, body.error());
    for (const char* field : {"title", "starts_at", "ends_at", "organizer_id"})
      if (!body->contains(field)) return send_error(req, res, validation(field, fmt::format("{} is required", field)));
    if (auto ok = check_event_fields(store, *body); !ok) return send_error(req, res, ok.error());
    json& b = *body;
    if (b["ends_at"].get<std::string>() < b["starts_at"].get<std::string>())
      return send_error(req, res, validation("ends_at", "ends_at is before starts_at"));
    auto now = rfc3339_now();
    json doc = b;
    doc["external_id"] = b.value("external_id", json(nullptr));
    doc["community_id"] = b.value("community_id", json(nullptr));
    doc["created_at"] = now;
    doc["updated_at"] = now;
    std::int64_t id = 0;
    {
      std::lock_guard lock(store.mutex());
      auto& db = store.db();
      if (auto existing = existing_event(db, doc["external_id"]))
        return send_error(req, res, external_id_conflict("event", doc["external_id"], *existing));
      auto& insert = db.cached("INSERT INTO event_events(external_id, starts_at, version, doc) VALUES(?,?,1,?)");
      insert.bind(1, optional_text(doc["external_id"])).bind(2, doc["starts_at"].get<std::string>()).bind(3, doc.dump());
      insert.run();
      id = db.last_insert_id();
    }
    doc["id"] = std::to_string(id);
    res.set_header("Location", fmt::format("/api/v1/events/{}", id));
    send_etag(res, 1);
    send_body(res, 201, doc.dump(), kJson);
  });

  routes.get(R"(/api/v1/events/([^/]+))", [&store](const httplib::Request& req, httplib::Response& res) {
    auto id = parse_id(req.matches[1].str());
    auto e = id ? find_event(store, *id) : std::nullopt;
    if (!e) return send_error(req, res, 404, fmt::format("event {} does not exist", req.matches[1].str()));
    send_etag(res, e->version);
    send_body(res, 200, e->doc.dump(), kJson);
  });

  routes.patch(R"(/api/v1/events/([^/]+))", [&store](const httplib::Request& req, httplib::Response& res) {
    auto id = parse_id(req.matches[1].str());
    auto e = id ? find_event(store, *id) : std::nullopt;
    if (!e) return send_error(req, res, 404, fmt::format("event {} does not exist", req.matches[1].str()));
    auto body = read_object(req);
    if (!body) return send_error(req, res, body.error());
    if (auto ok = check_event_fields(store, *body); !ok) return send_error(req, res, ok.error());
    std::lock_guard lock(store.mutex());
    auto& db = store.db();
    auto& read = db.cached("SELECT version, doc FROM event_events WHERE id=?");
    read.bind(1, *id);
    if (!read.step()) {
      read.reset();
      return send_error(req, res, 404, fmt::format("event {} does not exist", *id));
    }
    auto version = read.column_int64(0);
    json doc = json::parse(read.column_view(1));
    read.reset();
    if (!if_match(req).matches(version))
      return send_error(req, res, 412, fmt::format("event {} is at version {}, not the one in If-Match", *id, version));
    if (body->contains("external_id") && (*body)["external_id"] != doc["external_id"])
      if (auto existing = existing_event(db, (*body)["external_id"]))
        return send_error(req, res, external_id_conflict("event", (*body)["external_id"], *existing));
    for (auto& [key, value] : body->items()) doc[key] = value;
    if (doc["ends_at"].get<std::string>() < doc["starts_at"].get<std::string>())
      return send_error(req, res, validation("ends_at", "ends_at is before starts_at"));
    doc["updated_at"] = rfc3339_now();
    ++version;
    auto& update = db.cached("UPDATE event_events SET external_id=?, starts_at=?, version=?, doc=? WHERE id=?");
    update.bind(1, optional_text(doc["external_id"])).bind(2, doc["starts_at"].get<std::string>()).bind(3, version);
    update.bind(4, doc.dump()).bind(5, *id);
    update.run();
    doc["id"] = std::to_string(*id);
    send_etag(res, version);
    send_body(res, 200, doc.dump(), kJson);
  });

  routes.del(R"(/api/v1/events/([^/]+))", [&store](const httplib::Request& req, httplib::Response& res) {
    auto id = parse_id(req.matches[1].str());
    auto e = id ? find_event(store, *id) : std::nullopt;
    if (!e) return send_error(req, res, 404, fmt::format("event {} does not exist", req.matches[1].str()));
    if (!if_match(req).matches(e->version))
      return send_error(req, res, 412, fmt::format("event {} is at version {}, not the one in If-Match", *id, e->version));
    std::lock_guard lock(store.mutex());
    Transaction tx(store.db());
    for (const char* sql : {"DELETE FROM event_invitations WHERE event_id=?", "DELETE FROM event_events WHERE id=?"}) {
      auto& st = store.db().cached(sql);
      st.bind(1, *id);
      st.run();
    }
    tx.commit();
    res.status = 204;
  });

  // ------------------------------------------------------------ invitations
  routes.get(R"(/api/v1/events/([^/]+)/invitations)", [&store](const httplib::Request& req, httplib::Response& res) {
    auto id = parse_id(req.matches[1].str());
    if (!id || !find_event(store, *id)) return send_error(req, res, 404, fmt::format("event {} does not exist", req.matches[1].str()));
    auto window = read_window(req);
    if (!window) return send_error(req, res, window.error());
    auto after = window->after.empty() ? std::optional<std::int64_t>(0) : parse_id(window->after);
    if (!after) return send_error(req, res, 400, "the cursor was not issued by this listing");
    std::string state = req.has_param("state") ? req.get_param_value("state") : "";
    if (!state.empty() && state != "going" && state != "maybe" && state != "declined" && state != "pending")
      return send_error(req, res, 400, fmt::format("state=\"{}\" is not one of going|maybe|declined|pending", state));
    std::vector<json> items;
    std::vector<std::int64_t> keys;
    {
      std::lock_guard lock(store.mutex());
      auto& st = store.db().cached(
          "SELECT id, user_id, state, invited_at, responded_at FROM event_invitations "
          "WHERE event_id=? AND id > ? AND (?='' OR state=?) ORDER BY id LIMIT ?");
      st.bind(1, *id).bind(2, *after).bind(3, state).bind(4, state).bind(5, window->limit + 1);
      while (st.step()) {
        keys.push_back(st.column_int64(0));
        items.push_back(render_invitation(st));
      }
      st.reset();
    }
    std::string next_key = static_cast<std::int64_t>(keys.size()) > window->limit
                               ? std::to_string(keys[static_cast<std::size_t>(window->limit - 1)])
                               : std::string();
    send_body(res, 200, page_body(std::move(items), window->limit, [&next_key](const json&) { return next_key; }), kJson);
  });

  routes.post(R"(/api/v1/events/([^/]+)/invitations)", [&store](const httplib::Request& req, httplib::Response& res) {
    auto id = parse_id(req.matches[1].str());
    if (!id || !find_event(store, *id)) return send_error(req, res, 404, fmt::format("event {} does not exist", req.matches[1].str()));
    auto body = read_object(req);
    if (!body) return send_error(req, res, body.error());
    json& b = *body;
    if (auto ok = reject_unknown_fields(b, {"user_ids", "state"}); !ok) return send_error(req, res, ok.error());
    if (auto ok = check_enum(b, "state", kStates); !ok) return send_error(req, res, ok.error());
    if (!b.contains("user_ids") || !b["user_ids"].is_array() || b["user_ids"].empty() || b["user_ids"].size() > 1000)
      return send_error(req, res, validation("user_ids", "user_ids must be an array of 1 to 1000 user ids"));
    std::vector<std::int64_t> users;
    for (std::size_t i = 0; i < b["user_ids"].size(); ++i) {
      const auto& v = b["user_ids"][i];
      auto uid = v.is_string() ? parse_id(v.get<std::string>()) : std::nullopt;
      if (!uid || !user_exists(store, *uid))
        return send_error(req, res, validation(fmt::format("user_ids[{}]", i), fmt::format("{} is not a user", v.dump())));
      if (std::find(users.begin(), users.end(), *uid) != users.end())
        return send_error(req, res, validation(fmt::format("user_ids[{}]", i), fmt::format("{} is listed twice", v.dump())));
      users.push_back(*uid);
    }
    std::string state = b.value("state", std::string("pending"));
    auto now = rfc3339_now();
    std::int64_t invited = 0;
    {
      std::lock_guard lock(store.mutex());
      Transaction tx(store.db());
      auto& insert = store.db().cached(
          "INSERT INTO event_invitations(event_id, user_id, state, invited_at, responded_at) VALUES(?,?,?,?,?) "
          "ON CONFLICT(event_id, user_id) DO NOTHING");
      for (auto uid : users) {
        insert.bind(1, *id).bind(2, uid).bind(3, state).bind(4, now);
        if (state == "pending") insert.bind_null(5);
        else insert.bind(5, now);
        insert.run();
        invited += store.db().changes();
      }
      tx.commit();
    }
    send_body(res, 200,
              json{{"invited", invited}, {"already_invited", static_cast<std::int64_t>(users.size()) - invited}}.dump(), kJson);
  });

  routes.put(R"(/api/v1/events/([^/]+)/invitations/([^/]+))", [&store](const httplib::Request& req, httplib::Response& res) {
    auto id = parse_id(req.matches[1].str());
    auto user = parse_id(req.matches[2].str());
    if (!id || !find_event(store, *id)) return send_error(req, res, 404, fmt::format("event {} does not exist", req.matches[1].str()));
    auto body = read_object(req);
    if (!body) return send_error(req, res, body.error());
    if (auto ok = reject_unknown_fields(*body, {"state"}); !ok) return send_error(req, res, ok.error());
    if (!body->contains("state")) return send_error(req, res, validation("state", "state is required"));
    if (auto ok = check_enum(*body, "state", kStates); !ok) return send_error(req, res, ok.error());
    std::lock_guard lock(store.mutex());
    auto& update = store.db().cached("UPDATE event_invitations SET state=?, responded_at=? WHERE event_id=? AND user_id=?");
    update.bind(1, (*body)["state"].get<std::string>()).bind(2, rfc3339_now()).bind(3, *id).bind(4, user.value_or(-1));
    update.run();
    if (store.db().changes() == 0)
      return send_error(req, res, 404, fmt::format("user {} is not invited to event {}", req.matches[2].str(), *id));
    auto& read = store.db().cached(
        "SELECT id, user_id, state, invited_at, responded_at FROM event_invitations WHERE event_id=? AND user_id=?");
    read.bind(1, *id).bind(2, *user);
    read.step();
    auto rendered = render_invitation(read);
    read.reset();
    send_body(res, 200, rendered.dump(), kJson);
  });
}

}  // namespace daoctl::sim::content
