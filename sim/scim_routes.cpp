#include <fmt/format.h>

#include "sim/routes.hpp"
#include "sim/scim.hpp"
#include "sim/scim_filter.hpp"
#include "sim/text.hpp"

namespace daoctl::sim {

using nlohmann::json;

namespace {

constexpr std::int64_t kDefaultCount = 100;
constexpr std::int64_t kMaxCount = 1000;
// A PATCH without If-Match is read-modify-write; a concurrent writer makes
// the write miss its version and the PATCH is re-applied to the new state.
constexpr int kPatchAttempts = 5;

struct Paging {
  std::int64_t start_index = 1;
  std::int64_t count = kDefaultCount;
};

ApiResult<Paging> read_paging(const httplib::Request& req) {
  auto start = integer_param(req, "startIndex", 1);
  if (!start) return std::unexpected(start.error());
  auto count = integer_param(req, "count", kDefaultCount);
  if (!count) return std::unexpected(count.error());
  return Paging{std::max<std::int64_t>(*start, 1), std::clamp<std::int64_t>(*count, 0, kMaxCount)};
}

ApiResult<std::vector<FilterTerm>> read_filter(const httplib::Request& req) {
  if (!req.has_param("filter") || req.get_param_value("filter").empty())
    return std::vector<FilterTerm>{};
  return parse_filter(req.get_param_value("filter"));
}

std::string list_head(std::int64_t total, std::int64_t start_index, std::size_t items) {
  return fmt::format(R"({{"schemas":["{}"],"totalResults":{},"startIndex":{},"itemsPerPage":{},"Resources":[)",
                     scim::kListSchema, total, start_index, items);
}

std::string list_response(const json& resources) {
  json out = {{"schemas", json::array({scim::kListSchema})},
              {"totalResults", resources.size()},
              {"startIndex", 1},
              {"itemsPerPage", resources.size()},
              {"Resources", resources}};
  return out.dump();
}

std::optional<std::int64_t> path_id(const httplib::Request& req) { return parse_id(req.matches[1].str()); }

bool excludes_members(const httplib::Request& req) {
  if (!req.has_param("excludedAttributes")) return false;
  return utf8_lower(req.get_param_value("excludedAttributes")).find("members") != std::string::npos;
}

void send_user(httplib::Response& res, int status, const StoredUser& user,
               const std::vector<GroupRef>& groups) {
  send_etag(res, user.version);
  send_body(res, status, scim::render_user(user, groups), kScimJson);
}

void send_group(const httplib::Request& req, httplib::Response& res, int status,
                const StoredGroup& group) {
  send_etag(res, group.version);
  send_body(res, status, scim::render_group(group, !excludes_members(req)).dump(), kScimJson);
}

}  // namespace

void add_scim_routes(RouteTable& routes, Store& store) {
  routes.get("/scim/v2/ServiceProviderConfig", [](const auto&, auto& res) {
    send_body(res, 200, scim::service_provider_config().dump(), kScimJson);
  });
  routes.get("/scim/v2/ResourceTypes", [](const auto&, auto& res) {
    send_body(res, 200, list_response(scim::resource_types()), kScimJson);
  });
  routes.get(R"(/scim/v2/ResourceTypes/([^/]+))", [](const auto& req, auto& res) {
    for (const auto& t : scim::resource_types())
      if (t["id"] == req.matches[1].str()) return send_body(res, 200, t.dump(), kScimJson);
    send_error(req, res, 404, fmt::format("no resource type \"{}\" (known: User, Group)", req.matches[1].str()));
  });
  routes.get("/scim/v2/Schemas", [](const auto&, auto& res) {
    send_body(res, 200, list_response(scim::schema_documents()), kScimJson);
  });
  routes.get(R"(/scim/v2/Schemas/([^/]+))", [](const auto& req, auto& res) {
    for (const auto& s : scim::schema_documents())
      if (s["id"] == req.matches[1].str()) return send_body(res, 200, s.dump(), kScimJson);
    send_error(req, res, 404, fmt::format("no schema \"{}\"", req.matches[1].str()));
  });

  // ------------------------------------------------------------ Users
  routes.get("/scim/v2/Users", [&store](const auto& req, auto& res) {
    auto paging = read_paging(req);
    if (!paging) return send_error(req, res, paging.error());
    auto terms = read_filter(req);
    if (!terms) return send_error(req, res, terms.error());
    auto condition = scim::user_condition(*terms);
    if (!condition) return send_error(req, res, condition.error());
    auto page = store.list_users(*condition, paging->start_index, paging->count);
    std::string body = list_head(page.total, paging->start_index, page.users.size());
    body.reserve(page.users.size() * 900 + 128);
    static const std::vector<GroupRef> no_groups;
    for (std::size_t i = 0; i < page.users.size(); ++i) {
      if (i) body += ',';
      auto g = page.groups.find(page.users[i].id);
      body += scim::render_user(page.users[i], g == page.groups.end() ? no_groups : g->second);
    }
    body += "]}";
    send_body(res, 200, std::move(body), kScimJson);
  });

  routes.get(R"(/scim/v2/Users/([^/]+))", [&store](const auto& req, auto& res) {
    auto id = path_id(req);
    auto user = id ? store.find_user(*id) : std::nullopt;
    if (!user) return send_error(req, res, 404, fmt::format("user {} does not exist", req.matches[1].str()));
    send_user(res, 200, *user, store.groups_of_user(*id));
  });

  routes.post("/scim/v2/Users", [&store](const auto& req, auto& res) {
    auto body = read_json_body(req);
    if (!body) return send_error(req, res, body.error());
    auto record = scim::user_record(std::move(*body));
    if (!record) return send_error(req, res, record.error());
    auto user = store.create_user(*record);
    if (!user) return send_error(req, res, user.error());
    res.set_header("Location", fmt::format("/scim/v2/Users/{}", user->id));
    send_user(res, 201, *user, {});
  });

  routes.put(R"(/scim/v2/Users/([^/]+))", [&store](const auto& req, auto& res) {
    auto id = path_id(req);
    if (!id) return send_error(req, res, 404, fmt::format("user {} does not exist", req.matches[1].str()));
    auto body = read_json_body(req);
    if (!body) return send_error(req, res, body.error());
    auto record = scim::user_record(std::move(*body));
    if (!record) return send_error(req, res, record.error());
    auto user = store.replace_user(*id, *record, if_match(req));
    if (!user) return send_error(req, res, user.error());
    send_user(res, 200, *user, store.groups_of_user(*id));
  });

  routes.patch(R"(/scim/v2/Users/([^/]+))", [&store](const auto& req, auto& res) {
    auto id = path_id(req);
    if (!id) return send_error(req, res, 404, fmt::format("user {} does not exist", req.matches[1].str()));
    auto request = read_json_body(req);
    if (!request) return send_error(req, res, request.error());
    bool client_precondition = req.has_header("If-Match");
    for (int attempt = 0; attempt < kPatchAttempts; ++attempt) {
      auto current = store.find_user(*id);
      if (!current) return send_error(req, res, 404, fmt::format("user {} does not exist", *id));
      auto pre = if_match(req);
      if (!pre.matches(current->version))
        return send_error(req, res, 412,
                          fmt::format("user {} is at version W/\"{}\"; If-Match does not match it", *id,
                                      current->version));
      auto patched = scim::patch_user(scim::user_document(*current), *request);
      if (!patched) return send_error(req, res, patched.error());
      auto record = scim::user_record(std::move(*patched));
      if (!record) return send_error(req, res, record.error());
      auto user = store.replace_user(*id, *record, Precondition{std::vector{current->version}});
      if (user) return send_user(res, 200, *user, store.groups_of_user(*id));
      if (user.error().status != 412 || client_precondition) return send_error(req, res, user.error());
    }
    send_error(req, res, 409, fmt::format("user {} kept changing while the PATCH was applied; retry", *id));
  });

  routes.del(R"(/scim/v2/Users/([^/]+))", [&store](const auto& req, auto& res) {
    auto id = path_id(req);
    if (!id) return send_error(req, res, 404, fmt::format("user {} does not exist", req.matches[1].str()));
    if (auto ok = store.delete_user(*id, if_match(req)); !ok) return send_error(req, res, ok.error());
    res.status = 204;
  });

  // ------------------------------------------------------------ Groups
  routes.get("/scim/v2/Groups", [&store](const auto& req, auto& res) {
    auto paging = read_paging(req);
    if (!paging) return send_error(req, res, paging.error());
    auto terms = read_filter(req);
    if (!terms) return send_error(req, res, terms.error());
    auto condition = scim::group_condition(*terms);
    if (!condition) return send_error(req, res, condition.error());
    auto page = store.list_groups(*condition, paging->start_index, paging->count);
    std::string body = list_head(page.total, paging->start_index, page.groups.size());
    bool members = !excludes_members(req);
    for (std::size_t i = 0; i < page.groups.size(); ++i) {
      if (i) body += ',';
      body += scim::render_group(page.groups[i], members).dump();
    }
    body += "]}";
    send_body(res, 200, std::move(body), kScimJson);
  });

  routes.get(R"(/scim/v2/Groups/([^/]+))", [&store](const auto& req, auto& res) {
    auto id = path_id(req);
    auto group = id ? store.find_group(*id) : std::nullopt;
    if (!group) return send_error(req, res, 404, fmt::format("group {} does not exist", req.matches[1].str()));
    send_group(req, res, 200, *group);
  });

  routes.post("/scim/v2/Groups", [&store](const auto& req, auto& res) {
    auto body = read_json_body(req);
    if (!body) return send_error(req, res, body.error());
    auto doc = scim::group_document(*body);
    if (!doc) return send_error(req, res, doc.error());
    auto group = store.create_group(doc->display_name, doc->external_id, doc->members);
    if (!group) return send_error(req, res, group.error());
    res.set_header("Location", fmt::format("/scim/v2/Groups/{}", group->id));
    send_group(req, res, 201, *group);
  });

  routes.put(R"(/scim/v2/Groups/([^/]+))", [&store](const auto& req, auto& res) {
    auto id = path_id(req);
    if (!id) return send_error(req, res, 404, fmt::format("group {} does not exist", req.matches[1].str()));
    auto body = read_json_body(req);
    if (!body) return send_error(req, res, body.error());
    auto doc = scim::group_document(*body);
    if (!doc) return send_error(req, res, doc.error());
    GroupChange change;
    change.display_name = doc->display_name;
    change.external_id = doc->external_id;
    change.replace_members = doc->members;
    auto group = store.change_group(*id, change, if_match(req));
    if (!group) return send_error(req, res, group.error());
    send_group(req, res, 200, *group);
  });

  routes.patch(R"(/scim/v2/Groups/([^/]+))", [&store](const auto& req, auto& res) {
    auto id = path_id(req);
    if (!id) return send_error(req, res, 404, fmt::format("group {} does not exist", req.matches[1].str()));
    auto request = read_json_body(req);
    if (!request) return send_error(req, res, request.error());
    auto change = scim::group_change(*request);
    if (!change) return send_error(req, res, change.error());
    auto group = store.change_group(*id, *change, if_match(req));
    if (!group) return send_error(req, res, group.error());
    send_group(req, res, 200, *group);
  });

  routes.del(R"(/scim/v2/Groups/([^/]+))", [&store](const auto& req, auto& res) {
    auto id = path_id(req);
    if (!id) return send_error(req, res, 404, fmt::format("group {} does not exist", req.matches[1].str()));
    if (auto ok = store.delete_group(*id, if_match(req)); !ok) return send_error(req, res, ok.error());
    res.status = 204;
  });
}

}  // namespace daoctl::sim
