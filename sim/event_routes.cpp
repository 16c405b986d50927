// /api/v1/events and /events/{id}/invitations (RSVP). An event is stored as
// its JSON document; invitations are rows (one per event and user).
#include <fmt/format.h>

#include "sim/content_wire.hpp"
#include "sim/store_events.hpp"
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

std::optional<StoredEvent> find_event(Store& store, std::int64_t id) {
  std::lock_guard lock(store.mutex());
  return EventTable(store).find(id);
}

std::optional<std::int64_t> existing_event(EventTable& events, const json& external_id) {
  if (!external_id.is_string()) return std::nullopt;
  return events.find_by_external_id(external_id.get<std::string>());
}

json render_invitation(const Invitation& i) {
  return {{"user_id", std::to_string(i.user_id)},
          {"state", i.state},
          {"invited_at", i.invited_at},
          {"responded_at", i.responded_at ? json(*i.responded_at) : json(nullptr)}};
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
    EventFilter filter;
    filter.after_id = *after;
    if (probe.contains("from")) filter.starts_from = probe["from"].get<std::string>();
    if (probe.contains("to")) filter.starts_before = probe["to"].get<std::string>();
    if (req.has_param("external_id")) filter.external_id = req.get_param_value("external_id");
    std::vector<json> items;
    {
      std::lock_guard lock(store.mutex());
      items = EventTable(store).list(filter, window->limit + 1);
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
      EventTable events(store);
      if (auto existing = existing_event(events, doc["external_id"]))
        return send_error(req, res, external_id_conflict("event", doc["external_id"], *existing));
      id = events.insert(doc);
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
    EventTable events(store);
    auto current = events.find(*id);
    if (!current) return send_error(req, res, 404, fmt::format("event {} does not exist", *id));
    auto version = current->version;
    json doc = std::move(current->doc);
    doc.erase("id");
    if (!if_match(req).matches(version))
      return send_error(req, res, 412, fmt::format("event {} is at version {}, not the one in If-Match", *id, version));
    if (body->contains("external_id") && (*body)["external_id"] != doc["external_id"])
      if (auto existing = existing_event(events, (*body)["external_id"]))
        return send_error(req, res, external_id_conflict("event", (*body)["external_id"], *existing));
    for (auto& [key, value] : body->items()) doc[key] = value;
    if (doc["ends_at"].get<std::string>() < doc["starts_at"].get<std::string>())
      return send_error(req, res, validation("ends_at", "ends_at is before starts_at"));
    doc["updated_at"] = rfc3339_now();
    ++version;
    events.update(*id, version, doc);
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
    EventTable(store).remove(*id);
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
      for (const auto& i : EventTable(store).invitations(*id, *after, state, window->limit + 1)) {
        keys.push_back(i.id);
        items.push_back(render_invitation(i));
      }
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
      invited = EventTable(store).invite(*id, users, state, now);
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
    auto answered =
        EventTable(store).respond(*id, user.value_or(-1), (*body)["state"].get<std::string>(), rfc3339_now());
    if (!answered)
      return send_error(req, res, 404, fmt::format("user {} is not invited to event {}", req.matches[2].str(), *id));
    send_body(res, 200, render_invitation(*answered).dump(), kJson);
  });
}

}  // namespace daoctl::sim::content
