// /api/v1/users/{id}/awards: badges awarded to a user. The badge catalogue
// belongs to the badges route group; an award must name a badge of it.
// Every award is also counted in the statistics (record_award_locked, in the
// same lock) for /api/v1/stats/awards.
#include <fmt/format.h>

#include "sim/content_wire.hpp"
#include "sim/store_content.hpp"
#include "sim/stats_store.hpp"
#include "sim/text.hpp"

namespace daoctl::sim::content {

void add_award_routes(RouteTable& routes, Store& store) {
  {
    std::lock_guard lock(store.mutex());
    backfill_award_stats_locked(store.db());
  }
  routes.get(R"(/api/v1/users/([^/]+)/awards)", [&store](const httplib::Request& req, httplib::Response& res) {
    auto user = parse_id(req.matches[1].str());
    if (!user || !user_exists(store, *user))
      return send_error(req, res, 404, fmt::format("user {} does not exist", req.matches[1].str()));
    auto window = read_window(req);
    if (!window) return send_error(req, res, window.error());
    auto after = window->after.empty() ? std::optional<std::int64_t>(0) : parse_id(window->after);
    if (!after) return send_error(req, res, 400, "the cursor was not issued by this listing");
    std::vector<json> items;
    {
      std::lock_guard lock(store.mutex());
      for (auto& a : AwardTable(store).list(*user, *after, window->limit + 1)) {
        json doc = json::parse(a.doc);
        doc["id"] = std::to_string(a.id);
        items.push_back(std::move(doc));
      }
    }
    send_body(res, 200, page_body(std::move(items), window->limit, [](const json& a) { return a["id"].get<std::string>(); }), kJson);
  });

  routes.post(R"(/api/v1/users/([^/]+)/awards)", [&store](const httplib::Request& req, httplib::Response& res) {
    auto user = parse_id(req.matches[1].str());
    if (!user || !user_exists(store, *user))
      return send_error(req, res, 404, fmt::format("user {} does not exist", req.matches[1].str()));
    auto body = read_object(req);
    if (!body) return send_error(req, res, body.error());
    json& b = *body;
    if (auto ok = reject_unknown_fields(b, {"badge_id", "reason", "awarded_by", "awarded_at", "external_id"}); !ok)
      return send_error(req, res, ok.error());
    if (!b.contains("badge_id")) return send_error(req, res, validation("badge_id", "badge_id is required"));
    if (auto ok = check_string(b, "reason", 0, 2000, false); !ok) return send_error(req, res, ok.error());
    if (auto ok = check_string(b, "external_id", 1, 255, true); !ok) return send_error(req, res, ok.error());
    if (auto ok = normalize_time(b, "awarded_at", false); !ok) return send_error(req, res, ok.error());
    auto badge = id_field(b, "badge_id", false);
    if (!badge) return send_error(req, res, badge.error());
    if (!row_exists(store, "badges", **badge))
      return send_error(req, res, validation("badge_id", fmt::format("badge_id {} is not a badge of the catalogue", **badge)));
    auto by = id_field(b, "awarded_by", true);
    if (!by) return send_error(req, res, by.error());
    if (*by && !user_exists(store, **by))
      return send_error(req, res, validation("awarded_by", fmt::format("awarded_by {} is not a user", **by)));
    json doc = {{"badge_id", std::to_string(**badge)},
                {"user_id", std::to_string(*user)},
                {"awarded_by", *by ? json(std::to_string(**by)) : json(nullptr)},
                {"reason", b.value("reason", std::string())},
                {"awarded_at", b.value("awarded_at", rfc3339_now())},
                {"external_id", b.value("external_id", json(nullptr))}};
    std::int64_t id = 0;
    {
      std::lock_guard lock(store.mutex());
      AwardTable awards(store);
      if (doc["external_id"].is_string())
        if (auto existing = awards.find_by_external_id(doc["external_id"].get<std::string>()))
          return send_error(req, res, external_id_conflict("award", doc["external_id"], *existing));
      id = awards.insert(*user, **badge, doc);
    }
    doc["id"] = std::to_string(id);
    res.set_header("Location", fmt::format("/api/v1/users/{}/awards", *user));
    send_etag(res, 1);
    send_body(res, 201, doc.dump(), kJson);
  });
}

}  // namespace daoctl::sim::content
