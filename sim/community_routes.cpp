#include "sim/community_routes.hpp"

#include <fmt/format.h>

#include <mutex>

#include "sim/settings_common.hpp"
#include "sim/store_communities.hpp"
#include "sim/text.hpp"

namespace daoctl::sim {

using nlohmann::json;

namespace {

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
      if (auto existing = CommunityTable(store).find_by_external_id(*c.external_id); existing && *existing != c.id)
        return std::unexpected(taken(*c.external_id, *existing));
  }
  return {};
}

std::string community_not_found(const std::string& id) {
  return fmt::format("community {} does not exist", id);
}

}  // namespace

void add_community_routes(RouteTable& routes, Store& store) {
  {
    std::lock_guard lock(store.mutex());
    CommunityTable(store).create();
  }

  routes.get("/api/v1/communities", [&store](const auto& req, auto& res) {
    auto window = read_page_window(req);
    if (!window) return send_error(req, res, window.error());
    const bool by_external_id = req.has_param("external_id");
    std::lock_guard lock(store.mutex());
    std::vector<std::pair<std::int64_t, json>> rows;
    const auto external_id =
        by_external_id ? std::optional(req.get_param_value("external_id")) : std::nullopt;
    for (const auto& c : CommunityTable(store).list(window->after_id, external_id, window->limit + 1))
      rows.emplace_back(c.id, render(c));
    send_body(res, 200, page_json(std::move(rows), window->limit), kJson);
  });

  routes.get(R"(/api/v1/communities/([^/]+))", [&store](const auto& req, auto& res) {
    auto id = parse_id(req.matches[1].str());
    std::lock_guard lock(store.mutex());
    auto c = id ? CommunityTable(store).find(*id) : std::nullopt;
    if (!c) return send_error(req, res, 404, community_not_found(req.matches[1].str()));
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
    CommunityTable(store).insert(c);
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
    auto c = id ? CommunityTable(store).find(*id) : std::nullopt;
    if (!c) return send_error(req, res, 404, community_not_found(req.matches[1].str()));
    if (!if_match(req).matches(c->version))
      return send_error(req, res, 412,
                        fmt::format("community {} changed since it was read (now version {})",
                                    c->id, c->version));
    if (auto ok = apply_fields(store, *body, *c); !ok) return send_error(req, res, ok.error());
    c->version += 1;
    c->updated_at = rfc3339_now();
    CommunityTable(store).update(*c);
    send_etag(res, c->version);
    send_body(res, 200, render(*c).dump(), kJson);
  });

  routes.del(R"(/api/v1/communities/([^/]+))", [&store](const auto& req, auto& res) {
    auto id = parse_id(req.matches[1].str());
    std::lock_guard lock(store.mutex());
    auto c = id ? CommunityTable(store).find(*id) : std::nullopt;
    if (!c) return send_error(req, res, 404, community_not_found(req.matches[1].str()));
    if (!if_match(req).matches(c->version))
      return send_error(req, res, 412,
                        fmt::format("community {} changed since it was read (now version {})",
                                    c->id, c->version));
    CommunityTable(store).remove(c->id);
    res.status = 204;
  });
}

}  // namespace daoctl::sim
