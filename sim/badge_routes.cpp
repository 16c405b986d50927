#include "sim/badge_routes.hpp"

#include <fmt/format.h>

#include <mutex>

#include "sim/settings_common.hpp"
#include "sim/store_badges.hpp"
#include "sim/text.hpp"

namespace daoctl::sim {

using nlohmann::json;

namespace {

json render(const Badge& b) {
  return {{"id", std::to_string(b.id)},
          {"name", b.name},
          {"description", b.description},
          {"icon_file_id", text_or_null(b.icon_file_id)},
          {"external_id", text_or_null(b.external_id)},
          {"created_at", b.created_at},
          {"updated_at", b.updated_at}};
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
      if (auto existing = BadgeTable(store).find_by_external_id(*b.external_id);
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

std::string badge_not_found(const std::string& id) { return fmt::format("badge {} does not exist", id); }

}  // namespace

void add_badge_routes(RouteTable& routes, Store& store) {
  {
    std::lock_guard lock(store.mutex());
    BadgeTable(store).create();
  }

  routes.get("/api/v1/badges", [&store](const auto& req, auto& res) {
    auto window = read_page_window(req);
    if (!window) return send_error(req, res, window.error());
    const bool by_external_id = req.has_param("external_id");
    std::lock_guard lock(store.mutex());
    std::vector<std::pair<std::int64_t, json>> rows;
    const auto external_id =
        by_external_id ? std::optional(req.get_param_value("external_id")) : std::nullopt;
    for (const auto& b : BadgeTable(store).list(window->after_id, external_id, window->limit + 1))
      rows.emplace_back(b.id, render(b));
    send_body(res, 200, page_json(std::move(rows), window->limit), kJson);
  });

  routes.get(R"(/api/v1/badges/([^/]+))", [&store](const auto& req, auto& res) {
    auto id = parse_id(req.matches[1].str());
    std::lock_guard lock(store.mutex());
    auto b = id ? BadgeTable(store).find(*id) : std::nullopt;
    if (!b) return send_error(req, res, 404, badge_not_found(req.matches[1].str()));
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
    BadgeTable(store).insert(b);
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
    auto b = id ? BadgeTable(store).find(*id) : std::nullopt;
    if (!b) return send_error(req, res, 404, badge_not_found(req.matches[1].str()));
    if (!if_match(req).matches(b->version))
      return send_error(
          req, res, 412,
          fmt::format("badge {} changed since it was read (now version {})", b->id, b->version));
    if (auto ok = apply_fields(store, *body, *b); !ok) return send_error(req, res, ok.error());
    b->version += 1;
    b->updated_at = rfc3339_now();
    BadgeTable(store).update(*b);
    send_etag(res, b->version);
    send_body(res, 200, render(*b).dump(), kJson);
  });

  routes.del(R"(/api/v1/badges/([^/]+))", [&store](const auto& req, auto& res) {
    auto id = parse_id(req.matches[1].str());
    std::lock_guard lock(store.mutex());
    auto b = id ? BadgeTable(store).find(*id) : std::nullopt;
    if (!b) return send_error(req, res, 404, badge_not_found(req.matches[1].str()));
    if (!if_match(req).matches(b->version))
      return send_error(
          req, res, 412,
          fmt::format("badge {} changed since it was read (now version {})", b->id, b->version));
    BadgeTable(store).remove(b->id);
    res.status = 204;
  });
}

}  // namespace daoctl::sim
