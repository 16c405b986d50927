// /api/v1/posts, /posts/{id}/comments and /posts/{id}/reactions.
//
// A post is stored as its JSON document (every field but id and the derived
// counts) plus the columns it is filtered by. created_at may be given by the
// client (imports keep the original time); absent, it is the server's now.
#include <fmt/format.h>

#include "sim/content_wire.hpp"
#include "sim/routes.hpp"
#include "sim/store_content.hpp"
#include "sim/text.hpp"

namespace daoctl::sim::content {

namespace {

constexpr std::initializer_list<const char*> kPostFields = {
    "type", "title", "body", "body_format", "author_id", "community_id", "created_at",
    "pinned", "banner", "story_until", "attachments", "external_id"};
constexpr std::initializer_list<const char*> kReactionKinds = {"like", "love", "laugh", "wow", "sad", "celebrate"};

std::optional<std::int64_t> path_id(const httplib::Request& req) { return parse_id(req.matches[1].str()); }

// Checks the fields a create or a patch may carry, rewriting times to UTC
// seconds and ids to strings. References (author, community, files) must exist.
ApiStatus check_post_fields(Store& store, json& body) {
  if (auto ok = reject_unknown_fields(body, kPostFields); !ok) return ok;
  if (auto ok = check_enum(body, "type", {"news", "post"}); !ok) return ok;
  if (auto ok = check_string(body, "title", 0, 500, true); !ok) return ok;
  if (auto ok = check_string(body, "body", 0, 1048576, false); !ok) return ok;
  if (auto ok = check_enum(body, "body_format", {"markdown", "html"}); !ok) return ok;
  if (auto ok = check_string(body, "external_id", 1, 255, true); !ok) return ok;
  if (auto ok = normalize_time(body, "created_at", false); !ok) return ok;
  if (auto ok = normalize_time(body, "story_until", true); !ok) return ok;
  if (body.contains("pinned") && !body["pinned"].is_boolean())
    return std::unexpected(validation("pinned", "pinned must be true or false"));
  auto author = id_field(body, "author_id", false);
  if (!author) return std::unexpected(author.error());
  if (*author) {
    if (!user_exists(store, **author))
      return std::unexpected(validation("author_id", fmt::format("author_id {} is not a user", **author)));
    body["author_id"] = std::to_string(**author);
  }
  auto community = id_field(body, "community_id", true);
  if (!community) return std::unexpected(community.error());
  if (*community) {
    if (!row_exists(store, "communities", **community))
      return std::unexpected(validation("community_id", fmt::format("community_id {} is not a community", **community)));
    body["community_id"] = std::to_string(**community);
  }
  auto banner = id_field(body, "banner", true);
  if (!banner) return std::unexpected(banner.error());
  if (*banner) {
    if (!row_exists(store, "file_files", **banner))
      return std::unexpected(validation("banner", fmt::format("banner {} is not an uploaded file", **banner)));
    body["banner"] = std::to_string(**banner);
  }
  if (body.contains("attachments")) {
    const auto& a = body["attachments"];
    if (!a.is_array() || a.size() > 100)
      return std::unexpected(validation("attachments", "attachments must be an array of at most 100 file ids"));
    json ids = json::array();
    for (std::size_t i = 0; i < a.size(); ++i) {
      std::optional<std::int64_t> id;
      if (a[i].is_string()) id = parse_id(a[i].get<std::string>());
      if (!id || !row_exists(store, "file_files", *id))
        return std::unexpected(validation(fmt::format("attachments[{}]", i),
                                          fmt::format("attachment {} is not an uploaded file", a[i].dump())));
      ids.push_back(std::to_string(*id));
    }
    body["attachments"] = std::move(ids);
  }
  return {};
}

json render_post(Store& store, std::int64_t id, const std::string& doc_text) {
  json doc = json::parse(doc_text);
  doc["id"] = std::to_string(id);
  std::lock_guard lock(store.mutex());
  PostTable posts(store);
  doc["comment_count"] = posts.comment_count(id);
  json reactions = json::object();
  for (const auto& [kind, n] : posts.reaction_counts(id)) reactions[kind] = n;
  doc["reaction_counts"] = std::move(reactions);
  return doc;
}

std::optional<StoredDoc> find_post(Store& store, std::int64_t id) {
  std::lock_guard lock(store.mutex());
  return PostTable(store).find(id);
}

void send_created(httplib::Response& res, const std::string& location, std::int64_t version, const json& doc) {
  res.set_header("Location", location);
  send_etag(res, version);
  send_body(res, 201, doc.dump(), kJson);
}

json comment_doc(std::int64_t id, const std::string& doc_text) {
  json doc = json::parse(doc_text);
  doc["id"] = std::to_string(id);
  return doc;
}

}  // namespace

void add_post_routes(RouteTable& routes, Store& store) {
  routes.get("/api/v1/posts", [&store](const httplib::Request& req, httplib::Response& res) {
    auto window = read_window(req);
    if (!window) return send_error(req, res, window.error());
    PostFilter filter;
    if (!window->after.empty()) {
      auto id = parse_id(window->after);
      if (!id) return send_error(req, res, 400, "the cursor was not issued by this listing");
      filter.after_id = *id;
    }
    auto param = [&req](const char* name) {
      return req.has_param(name) ? std::optional<std::string>(req.get_param_value(name)) : std::nullopt;
    };
    filter.type = param("type");
    filter.community_id = param("community_id");
    filter.author_id = param("author_id");
    filter.external_id = param("external_id");
    std::vector<StoredDoc> rows;
    {
      std::lock_guard lock(store.mutex());
      rows = PostTable(store).list(filter, window->limit + 1);
    }
    std::vector<json> items;
    for (const auto& row : rows) items.push_back(render_post(store, row.id, row.doc));
    send_body(res, 200, page_body(std::move(items), window->limit, [](const json& p) { return p["id"].get<std::string>(); }), kJson);
  });

  routes.post("/api/v1/posts", [&store](const httplib::Request& req, httplib::Response& res) {
    auto body = read_object(req);
    if (!body) return send_error(req, res, body.error());
    for (const char* field : {"type", "body", "author_id"})
      if (!body->contains(field)) return send_error(req, res, validation(field, fmt::format("{} is required", field)));
    if (auto ok = check_post_fields(store, *body); !ok) return send_error(req, res, ok.error());
    json& b = *body;
    if (b["type"] == "news" && (!b.contains("title") || !b["title"].is_string() || b["title"].get<std::string>().empty()))
      return send_error(req, res, validation("title", "a news post needs a title"));
    auto now = rfc3339_now();
    json doc = {{"type", b["type"]},
                {"title", b.value("title", json(nullptr))},
                {"body", b["body"]},
                {"body_format", b.value("body_format", std::string("markdown"))},
                {"author_id", b["author_id"]},
                {"community_id", b.value("community_id", json(nullptr))},
                {"created_at", b.value("created_at", now)},
                {"updated_at", now},
                {"pinned", b.value("pinned", false)},
                {"banner", b.value("banner", json(nullptr))},
                {"story_until", b.value("story_until", json(nullptr))},
                {"attachments", b.value("attachments", json::array())},
                {"external_id", b.value("external_id", json(nullptr))}};
    std::int64_t id = 0;
    {
      std::lock_guard lock(store.mutex());
      PostTable posts(store);
      if (doc["external_id"].is_string())
        if (auto existing = posts.find_by_external_id(doc["external_id"].get<std::string>()))
          return send_error(req, res, external_id_conflict("post", doc["external_id"], *existing));
      id = posts.insert(doc);
    }
    send_created(res, fmt::format("/api/v1/posts/{}", id), 1, render_post(store, id, doc.dump()));
  });

  routes.get(R"(/api/v1/posts/([^/]+))", [&store](const httplib::Request& req, httplib::Response& res) {
    auto id = path_id(req);
    auto post = id ? find_post(store, *id) : std::nullopt;
    if (!post) return send_error(req, res, 404, fmt::format("post {} does not exist", req.matches[1].str()));
    send_etag(res, post->version);
    send_body(res, 200, render_post(store, post->id, post->doc).dump(), kJson);
  });

  routes.patch(R"(/api/v1/posts/([^/]+))", [&store](const httplib::Request& req, httplib::Response& res) {
    auto id = path_id(req);
    if (!id || !find_post(store, *id)) return send_error(req, res, 404, fmt::format("post {} does not exist", req.matches[1].str()));
    auto body = read_object(req);
    if (!body) return send_error(req, res, body.error());
    if (body->contains("type") || body->contains("created_at"))
      return send_error(req, res, validation(body->contains("type") ? "type" : "created_at", "type and created_at cannot be changed"));
    if (auto ok = check_post_fields(store, *body); !ok) return send_error(req, res, ok.error());
    auto pre = if_match(req);
    std::string doc_text;
    std::int64_t version = 0;
    {
      std::lock_guard lock(store.mutex());
      PostTable posts(store);
      auto current = posts.find(*id);
      if (!current) return send_error(req, res, 404, fmt::format("post {} does not exist", *id));
      version = current->version;
      json doc = json::parse(current->doc);
      if (!pre.matches(version)) return send_error(req, res, 412, fmt::format("post {} is at version {}, not the one in If-Match", *id, version));
      if (body->contains("external_id") && (*body)["external_id"].is_string() && (*body)["external_id"] != doc["external_id"])
        if (auto existing = posts.find_by_external_id((*body)["external_id"].get<std::string>()))
          return send_error(req, res, external_id_conflict("post", (*body)["external_id"], *existing));
      for (auto& [key, value] : body->items()) doc[key] = value;
      if (doc["type"] == "news" && (!doc["title"].is_string() || doc["title"].get<std::string>().empty()))
        return send_error(req, res, validation("title", "a news post needs a title"));
      doc["updated_at"] = rfc3339_now();
      ++version;
      doc_text = doc.dump();
      posts.update(*id, version, doc);
    }
    send_etag(res, version);
    send_body(res, 200, render_post(store, *id, doc_text).dump(), kJson);
  });

  routes.del(R"(/api/v1/posts/([^/]+))", [&store](const httplib::Request& req, httplib::Response& res) {
    auto id = path_id(req);
    auto post = id ? find_post(store, *id) : std::nullopt;
    if (!post) return send_error(req, res, 404, fmt::format("post {} does not exist", req.matches[1].str()));
    if (!if_match(req).matches(post->version))
      return send_error(req, res, 412, fmt::format("post {} is at version {}, not the one in If-Match", *id, post->version));
    std::lock_guard lock(store.mutex());
    PostTable(store).remove(*id);
    res.status = 204;
  });

  // ------------------------------------------------------------ comments
  routes.get(R"(/api/v1/posts/([^/]+)/comments)", [&store](const httplib::Request& req, httplib::Response& res) {
    auto id = path_id(req);
    if (!id || !find_post(store, *id)) return send_error(req, res, 404, fmt::format("post {} does not exist", req.matches[1].str()));
    auto window = read_window(req);
    if (!window) return send_error(req, res, window.error());
    // Oldest first: ordered by (created_at, id); the cursor is "<created_at>|<id>".
    std::string after_time;
    std::int64_t after_id = 0;
    if (!window->after.empty()) {
      auto bar = window->after.rfind('|');
      auto parsed = bar == std::string::npos ? std::nullopt : parse_id(window->after.substr(bar + 1));
      if (!parsed) return send_error(req, res, 400, "the cursor was not issued by this listing");
      after_time = window->after.substr(0, bar);
      after_id = *parsed;
    }
    std::vector<json> items;
    {
      std::lock_guard lock(store.mutex());
      for (const auto& c : PostTable(store).comments(*id, after_time, after_id, window->limit + 1))
        items.push_back(comment_doc(c.id, c.doc));
    }
    send_body(res, 200,
              page_body(std::move(items), window->limit,
                        [](const json& c) { return c["created_at"].get<std::string>() + "|" + c["id"].get<std::string>(); }),
              kJson);
  });

  routes.post(R"(/api/v1/posts/([^/]+)/comments)", [&store](const httplib::Request& req, httplib::Response& res) {
    auto post_id = path_id(req);
    if (!post_id || !find_post(store, *post_id))
      return send_error(req, res, 404, fmt::format("post {} does not exist", req.matches[1].str()));
    auto body = read_object(req);
    if (!body) return send_error(req, res, body.error());
    json& b = *body;
    if (auto ok = reject_unknown_fields(b, {"parent_id", "author_id", "body", "created_at", "external_id"}); !ok)
      return send_error(req, res, ok.error());
    for (const char* field : {"author_id", "body"})
      if (!b.contains(field)) return send_error(req, res, validation(field, fmt::format("{} is required", field)));
    if (auto ok = check_string(b, "body", 1, 65536, false); !ok) return send_error(req, res, ok.error());
    if (auto ok = check_string(b, "external_id", 1, 255, true); !ok) return send_error(req, res, ok.error());
    if (auto ok = normalize_time(b, "created_at", false); !ok) return send_error(req, res, ok.error());
    auto author = id_field(b, "author_id", false);
    if (!author) return send_error(req, res, author.error());
    if (!user_exists(store, **author))
      return send_error(req, res, validation("author_id", fmt::format("author_id {} is not a user", **author)));
    auto parent = id_field(b, "parent_id", true);
    if (!parent) return send_error(req, res, parent.error());
    auto now = rfc3339_now();
    json doc = {{"post_id", std::to_string(*post_id)},
                {"parent_id", *parent ? json(std::to_string(**parent)) : json(nullptr)},
                {"author_id", std::to_string(**author)},
                {"body", b["body"]},
                {"created_at", b.value("created_at", now)},
                {"external_id", b.value("external_id", json(nullptr))}};
    std::int64_t id = 0;
    {
      std::lock_guard lock(store.mutex());
      PostTable posts(store);
      if (*parent && posts.post_of_comment(**parent) != *post_id)
        return send_error(req, res, validation("parent_id", fmt::format("parent_id {} is not a comment of post {}", **parent, *post_id)));
      if (doc["external_id"].is_string())
        if (auto existing = posts.find_comment_by_external_id(doc["external_id"].get<std::string>()))
          return send_error(req, res, external_id_conflict("comment", doc["external_id"], *existing));
      id = posts.insert_comment(*post_id, doc);
    }
    doc["id"] = std::to_string(id);
    send_created(res, fmt::format("/api/v1/posts/{}/comments", *post_id), 1, doc);
  });

  // ------------------------------------------------------------ reactions
  routes.get(R"(/api/v1/posts/([^/]+)/reactions)", [&store](const httplib::Request& req, httplib::Response& res) {
    auto id = path_id(req);
    if (!id || !find_post(store, *id)) return send_error(req, res, 404, fmt::format("post {} does not exist", req.matches[1].str()));
    auto window = read_window(req);
    if (!window) return send_error(req, res, window.error());
    auto after = window->after.empty() ? std::optional<std::int64_t>(0) : parse_id(window->after);
    if (!after) return send_error(req, res, 400, "the cursor was not issued by this listing");
    std::vector<json> items;
    std::vector<std::int64_t> keys;
    {
      std::lock_guard lock(store.mutex());
      for (const auto& r : PostTable(store).reactions(*id, *after, window->limit + 1)) {
        keys.push_back(r.id);
        items.push_back({{"user_id", std::to_string(r.user_id)}, {"kind", r.kind}, {"created_at", r.created_at}});
      }
    }
    // The cursor key is the row id, which the Reaction shape does not carry.
    std::string next_key = static_cast<std::int64_t>(keys.size()) > window->limit
                               ? std::to_string(keys[static_cast<std::size_t>(window->limit - 1)])
                               : std::string();
    send_body(res, 200, page_body(std::move(items), window->limit, [&next_key](const json&) { return next_key; }), kJson);
  });

  routes.post(R"(/api/v1/posts/([^/]+)/reactions)", [&store](const httplib::Request& req, httplib::Response& res) {
    auto post_id = path_id(req);
    if (!post_id || !find_post(store, *post_id))
      return send_error(req, res, 404, fmt::format("post {} does not exist", req.matches[1].str()));
    auto body = read_object(req);
    if (!body) return send_error(req, res, body.error());
    json& b = *body;
    if (auto ok = reject_unknown_fields(b, {"user_id", "kind", "created_at"}); !ok) return send_error(req, res, ok.error());
    for (const char* field : {"user_id", "kind"})
      if (!b.contains(field)) return send_error(req, res, validation(field, fmt::format("{} is required", field)));
    if (auto ok = check_enum(b, "kind", kReactionKinds); !ok) return send_error(req, res, ok.error());
    if (auto ok = normalize_time(b, "created_at", false); !ok) return send_error(req, res, ok.error());
    auto user = id_field(b, "user_id", false);
    if (!user) return send_error(req, res, user.error());
    if (!user_exists(store, **user)) return send_error(req, res, validation("user_id", fmt::format("user_id {} is not a user", **user)));
    auto created_at = b.value("created_at", rfc3339_now());
    bool replaced = false;
    {
      std::lock_guard lock(store.mutex());
      replaced = PostTable(store).react(*post_id, **user, b["kind"].get<std::string>(), created_at);
    }
    send_body(res, replaced ? 200 : 201,
              json{{"user_id", std::to_string(**user)}, {"kind", b["kind"]}, {"created_at", created_at}}.dump(), kJson);
  });
}

}  // namespace daoctl::sim::content
