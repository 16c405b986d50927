#include <fmt/format.h>

#include "sim/job_wire.hpp"
#include "sim/routes.hpp"
#include "sim/text.hpp"

namespace daoctl::sim {

using nlohmann::json;

namespace {

struct Window {
  std::int64_t after_id = 0;
  std::int64_t limit = kDefaultLimit;
};

// ?limit=&cursor= as in the conventions; the cursor is opaque to clients
// (base64url of "after:<id>"), so its format may change.
ApiResult<Window> read_window(const httplib::Request& req) {
  Window w;
  auto limit = integer_param(req, "limit", kDefaultLimit);
  if (!limit) return std::unexpected(limit.error());
  if (*limit < 1) return api_fail(400, fmt::format("limit={} must be at least 1", *limit));
  w.limit = std::min(*limit, kMaxLimit);
  if (req.has_param("cursor") && !req.get_param_value("cursor").empty()) {
    auto raw = req.get_param_value("cursor");
    auto decoded = base64url_decode(raw);
    std::optional<std::int64_t> after;
    if (decoded && decoded->starts_with("after:")) after = parse_id(decoded->substr(6));
    if (!after)
      return api_fail(400, fmt::format("cursor \"{}\" was not issued by this server; start again "
                                       "without a cursor",
                                       raw));
    w.after_id = *after;
  }
  return w;
}

// Items fetched with limit+1: the extra one says that there is a next page.
template <class T, class Render>
std::string page_body(std::vector<T> rows, std::int64_t limit, Render render) {
  json items = json::array();
  json next = nullptr;
  if (static_cast<std::int64_t>(rows.size()) > limit) {
    rows.resize(static_cast<std::size_t>(limit));
    next = base64url_encode(fmt::format("after:{}", rows.back().id));
  }
  for (const auto& row : rows) items.push_back(render(row));
  return json{{"items", std::move(items)}, {"next_cursor", std::move(next)}}.dump();
}

json id_or_null(const std::optional<std::int64_t>& id) {
  return id ? json(std::to_string(*id)) : json(nullptr);
}
json text_or_null(const std::optional<std::string>& s) { return s ? json(*s) : json(nullptr); }

json render_department(const Department& d) {
  return {{"id", std::to_string(d.id)},
          {"name", d.name},
          {"parent_id", id_or_null(d.parent_id)},
          {"external_id", text_or_null(d.external_id)},
          {"head_user_id", id_or_null(d.head_user_id)},
          {"path", d.path},
          {"member_count", d.member_count},
          {"created_at", d.created_at},
          {"updated_at", d.updated_at}};
}

json render_session(const Credential& c) {
  return {{"id", std::to_string(c.id)},
          {"created_at", c.created_at},
          {"last_seen_at", c.last_seen_at},
          {"client", c.label}};
}

json render_token(const Credential& c) {
  return {{"id", std::to_string(c.id)}, {"name", c.label}, {"created_at", c.created_at}};
}


// An id field of a native body: a decimal string (ids are opaque strings),
// an integer is accepted too; null clears it.
ApiResult<std::optional<std::int64_t>> id_field(const json& body, const char* field) {
  const auto& v = body.at(field);
  if (v.is_null()) return std::optional<std::int64_t>();
  if (v.is_number_unsigned()) return std::optional<std::int64_t>(v.get<std::int64_t>());
  if (v.is_string())
    if (auto id = parse_id(v.get<std::string>())) return std::optional<std::int64_t>(*id);
  return std::unexpected(validation_error(field, fmt::format("{} must be an id string or null, got {}", field, v.dump())));
}

ApiResult<std::optional<std::string>> text_field(const json& body, const char* field) {
  const auto& v = body.at(field);
  if (v.is_null()) return std::optional<std::string>();
  if (v.is_string()) return std::optional<std::string>(v.get<std::string>());
  return std::unexpected(validation_error(field, fmt::format("{} must be a string or null, got {}", field, v.dump())));
}

ApiStatus check_name(const std::string& name) {
  if (name.empty() || name.size() > 200)
    return std::unexpected(validation_error("name", "name must be 1 to 200 characters"));
  if (name.find('/') != std::string::npos)
    return std::unexpected(validation_error("name", fmt::format("name \"{}\" must not contain '/' (it separates path segments)", name)));
  return {};
}

ApiStatus reject_unknown_fields(const json& body, std::initializer_list<const char*> known) {
  for (auto& [key, value] : body.items()) {
    bool ok = false;
    for (const char* k : known) ok = ok || key == k;
    if (!ok) return std::unexpected(validation_error(key, fmt::format("unknown field \"{}\"", key)));
  }
  return {};
}

ApiResult<json> read_object(const httplib::Request& req) {
  if (req.body.empty()) return json::object();
  auto body = read_json_body(req);
  if (!body) return body;
  if (!body->is_object()) return api_fail(400, fmt::format("the body of {} {} must be a JSON object", req.method, req.path));
  return body;
}

void add_credential_routes(RouteTable& routes, Store& store, CredentialKind kind, const char* noun) {
  auto render = kind == CredentialKind::Session ? render_session : render_token;
  auto pattern = fmt::format(R"(/api/v1/users/([^/]+)/{})", noun);
  auto user_id = [](const httplib::Request& req) { return parse_id(req.matches[1].str()); };
  routes.get(pattern, [&store, kind, render, user_id](const auto& req, auto& res) {
    auto id = user_id(req);
    if (!id) return send_error(req, res, 404, fmt::format("user {} does not exist", req.matches[1].str()));
    auto window = read_window(req);
    if (!window) return send_error(req, res, window.error());
    auto rows = store.list_credentials(kind, *id, window->after_id, window->limit + 1);
    if (!rows) return send_error(req, res, rows.error());
    send_body(res, 200, page_body(std::move(*rows), window->limit, render), kJson);
  });
  routes.post(pattern, [&store, kind, render, user_id](const auto& req, auto& res) {
    auto id = user_id(req);
    if (!id) return send_error(req, res, 404, fmt::format("user {} does not exist", req.matches[1].str()));
    auto body = read_object(req);
    if (!body) return send_error(req, res, body.error());
    const char* field = kind == CredentialKind::Session ? "client" : "name";
    if (auto ok = reject_unknown_fields(*body, {field}); !ok) return send_error(req, res, ok.error());
    std::string label = kind == CredentialKind::Session ? "daoctl-sim" : "api-token";
    if (body->contains(field)) {
      if (!(*body)[field].is_string()) return send_error(req, res, validation_error(field, fmt::format("{} must be a string", field)));
      label = (*body)[field].template get<std::string>();
    }
    auto created = store.create_credential(kind, *id, label);
    if (!created) return send_error(req, res, created.error());
    send_body(res, 201, render(*created).dump(), kJson);
  });
  routes.del(pattern, [&store, kind, user_id](const auto& req, auto& res) {
    auto id = user_id(req);
    if (!id) return send_error(req, res, 404, fmt::format("user {} does not exist", req.matches[1].str()));
    auto revoked = store.revoke_credentials(kind, *id);
    if (!revoked) return send_error(req, res, revoked.error());
    send_body(res, 200, json{{"revoked", *revoked}}.dump(), kJson);
  });
}

}  // namespace

void add_native_routes(RouteTable& routes, Store& store) {
  routes.get("/api/v1/me", [](const auto&, auto& res) {
    send_body(res, 200,
              json{{"subject", "admin"}, {"token_name", "daoctl-sim admin"}, {"scopes", json::array({"admin"})}}
                  .dump(),
              kJson);
  });

  // ------------------------------------------------------------ departments
  routes.get("/api/v1/departments", [&store](const auto& req, auto& res) {
    auto window = read_window(req);
    if (!window) return send_error(req, res, window.error());
    DepartmentQuery query;
    query.after_id = window->after_id;
    query.limit = window->limit + 1;
    if (req.has_param("parent_id")) {
      auto raw = req.get_param_value("parent_id");
      if (raw.empty() || raw == "null") {
        query.parent_id = std::optional<std::int64_t>();
      } else if (auto id = parse_id(raw)) {
        query.parent_id = std::optional<std::int64_t>(*id);
      } else {
        return send_error(req, res, 400, fmt::format("parent_id=\"{}\" is not a department id (use null for roots)", raw));
      }
    }
    if (req.has_param("external_id")) query.external_id = req.get_param_value("external_id");
    send_body(res, 200, page_body(store.list_departments(query), window->limit, render_department), kJson);
  });

  routes.get(R"(/api/v1/departments/([^/]+))", [&store](const auto& req, auto& res) {
    auto id = parse_id(req.matches[1].str());
    auto d = id ? store.find_department(*id) : std::nullopt;
    if (!d) return send_error(req, res, 404, fmt::format("department {} does not exist", req.matches[1].str()));
    send_etag(res, d->version);
    send_body(res, 200, render_department(*d).dump(), kJson);
  });

  routes.post("/api/v1/departments", [&store](const auto& req, auto& res) {
    auto body = read_object(req);
    if (!body) return send_error(req, res, body.error());
    if (auto ok = reject_unknown_fields(*body, {"name", "parent_id", "external_id", "head_user_id"}); !ok)
      return send_error(req, res, ok.error());
    if (!body->contains("name") || !(*body)["name"].is_string())
      return send_error(req, res, validation_error("name", "name is required and must be a string"));
    auto name = (*body)["name"].template get<std::string>();
    if (auto ok = check_name(name); !ok) return send_error(req, res, ok.error());
    std::optional<std::int64_t> parent, head;
    std::optional<std::string> external;
    if (body->contains("parent_id")) {
      auto v = id_field(*body, "parent_id");
      if (!v) return send_error(req, res, v.error());
      parent = *v;
    }
    if (body->contains("head_user_id")) {
      auto v = id_field(*body, "head_user_id");
      if (!v) return send_error(req, res, v.error());
      head = *v;
    }
    if (body->contains("external_id")) {
      auto v = text_field(*body, "external_id");
      if (!v) return send_error(req, res, v.error());
      external = *v;
    }
    auto d = store.create_department(name, parent, external, head);
    if (!d) return send_error(req, res, d.error());
    res.set_header("Location", fmt::format("/api/v1/departments/{}", d->id));
    send_etag(res, d->version);
    send_body(res, 201, render_department(*d).dump(), kJson);
  });

  routes.patch(R"(/api/v1/departments/([^/]+))", [&store](const auto& req, auto& res) {
    auto id = parse_id(req.matches[1].str());
    if (!id) return send_error(req, res, 404, fmt::format("department {} does not exist", req.matches[1].str()));
    auto body = read_object(req);
    if (!body) return send_error(req, res, body.error());
    if (auto ok = reject_unknown_fields(*body, {"name", "parent_id", "external_id", "head_user_id"}); !ok)
      return send_error(req, res, ok.error());
    DepartmentChange change;
    if (body->contains("name")) {
      if (!(*body)["name"].is_string()) return send_error(req, res, validation_error("name", "name must be a string"));
      change.name = (*body)["name"].template get<std::string>();
      if (auto ok = check_name(*change.name); !ok) return send_error(req, res, ok.error());
    }
    if (body->contains("parent_id")) {
      auto v = id_field(*body, "parent_id");
      if (!v) return send_error(req, res, v.error());
      change.parent_id = *v;
    }
    if (body->contains("head_user_id")) {
      auto v = id_field(*body, "head_user_id");
      if (!v) return send_error(req, res, v.error());
      change.head_user_id = *v;
    }
    if (body->contains("external_id")) {
      auto v = text_field(*body, "external_id");
      if (!v) return send_error(req, res, v.error());
      change.external_id = *v;
    }
    auto d = store.change_department(*id, change, if_match(req));
    if (!d) return send_error(req, res, d.error());
    send_etag(res, d->version);
    send_body(res, 200, render_department(*d).dump(), kJson);
  });

  routes.del(R"(/api/v1/departments/([^/]+))", [&store](const auto& req, auto& res) {
    auto id = parse_id(req.matches[1].str());
    if (!id) return send_error(req, res, 404, fmt::format("department {} does not exist", req.matches[1].str()));
    if (auto ok = store.delete_department(*id, if_match(req)); !ok) return send_error(req, res, ok.error());
    res.status = 204;
  });

  // ------------------------------------------------------------ sessions and tokens
  add_credential_routes(routes, store, CredentialKind::Session, "sessions");
  add_credential_routes(routes, store, CredentialKind::Token, "tokens");
  add_photo_routes(routes, store);

  // ------------------------------------------------------------ jobs
  routes.get("/api/v1/jobs", [&store](const auto& req, auto& res) {
    auto window = read_window(req);
    if (!window) return send_error(req, res, window.error());
    std::optional<std::string> kind;
    if (req.has_param("kind") && !req.get_param_value("kind").empty()) kind = req.get_param_value("kind");
    send_body(res, 200,
              page_body(store.list_jobs(kind, window->after_id, window->limit + 1), window->limit, job_wire),
              kJson);
  });

  routes.get(R"(/api/v1/jobs/([^/]+))", [&store](const auto& req, auto& res) {
    auto id = parse_id(req.matches[1].str());
    auto job = id ? store.find_job(*id) : std::nullopt;
    if (!job) return send_error(req, res, 404, fmt::format("job {} does not exist", req.matches[1].str()));
    send_body(res, 200, job_wire(*job).dump(), kJson);
  });
}

}  // namespace daoctl::sim
