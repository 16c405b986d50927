// /api/v1/posts, /posts/{id}/comments and /posts/{id}/reactions.
//
// A post is stored as its JSON document (every field but id and the derived
// counts) plus the columns it is filtered by. created_at may be given by the
// client (imports keep the original time); absent, it is the server's now.
#include <fmt/format.h>

#include "sim/content_wire.hpp"
#include "sim/routes.hpp"
#include "sim/sqlite_db.hpp"
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
  auto& count = store.db().cached("SELECT count(*) FROM content_comments WHERE post_id=?");
  count.bind(1, id);
  count.step();
  doc["comment_count"] = count.column_int64(0);
  count.reset();
  json reactions = json::object();
  auto& kinds = store.db().cached("SELECT kind, count(*) FROM content_reactions WHERE post_id=? GROUP BY kind");
  kinds.bind(1, id);
  while (kinds.step()) reactions[kinds.column_text(0)] = kinds.column_int64(1);
  kinds.reset();
  doc["reaction_counts"] = std::move(reactions);
  return doc;
}

struct StoredPost {
  std::int64_t id = 0;
  std::int64_t version = 0;
  std::string doc;
};

std::optional<StoredPost> find_post(Store& store, std::int64_t id) {
  std::lock_guard lock(store.mutex());
  auto& st = store.db().cached("SELECT version, doc FROM content_posts WHERE id=?");
  st.bind(1, id);
  std::optional<StoredPost> post;
  if (st.step()) post = StoredPost{id, st.column_int64(0), st.column_text(1)};
  st.reset();
  return post;
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
    std::string where = "id > ?";
    std::vector<std::string> params;
    std::int64_t after = 0;
    if (!window->after.empty()) {
      auto id = parse_id(window->after);
      if (!id) return send_error(req, res, 400, "the cursor was not issued by this listing");
      after = *id;
    }
    for (const char* filter : {"type", "community_id", "author_id", "external_id"}) {
      if (!req.has_param(filter)) continue;
      where += fmt::format(" AND {} = ?", filter);
      params.push_back(req.get_param_value(filter));
    }
    std::vector<std::pair<std::int64_t, std::string>> rows;
    {
      std::lock_guard lock(store.mutex());
      auto st = store.db().prepare(fmt::format("SELECT id, doc FROM content_posts WHERE {} ORDER BY id LIMIT ?", where));
      int i = 1;
      st.bind(i++, after);
      // Id columns have INTEGER affinity, so SQLite compares a decimal text
      // parameter with them as a number.
      for (const auto& p : params) st.bind(i++, p);
      st.bind(i, window->limit + 1);
      while (st.step()) rows.emplace_back(st.column_int64(0), st.column_text(1));
    }
    std::vector<json> items;
    for (auto& [id, doc] : rows) items.push_back(render_post(store, id, doc));
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
      auto& db = store.db();
      if (doc["external_id"].is_string()) {
        auto& find = db.cached("SELECT id FROM content_posts WHERE external_id=?");
        find.bind(1, doc["external_id"].get<std::string>());
        std::optional<std::int64_t> existing;
        if (find.step()) existing = find.column_int64(0);
        find.reset();
        if (existing) return send_error(req, res, external_id_conflict("post", doc["external_id"], *existing));
      }
      auto& insert = db.cached(
          "INSERT INTO content_posts(external_id, type, author_id, community_id, version, doc) VALUES(?,?,?,?,1,?)");
      insert.bind(1, doc["external_id"].is_string() ? std::optional<std::string>(doc["external_id"].get<std::string>()) : std::nullopt);
      insert.bind(2, doc["type"].get<std::string>());
      insert.bind(3, *parse_id(doc["author_id"].get<std::string>()));
      insert.bind(4, doc["community_id"].is_string() ? parse_id(doc["community_id"].get<std::string>()) : std::nullopt);
      insert.bind(5, doc.dump());
      insert.run();
      id = db.last_insert_id();
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
      auto& db = store.db();
      auto& read = db.cached("SELECT version, doc FROM content_posts WHERE id=?");
      read.bind(1, *id);
      if (!read.step()) {
        read.reset();
        return send_error(req, res, 404, fmt::format("post {} does not exist", *id));
      }
      version = read.column_int64(0);
      json doc = json::parse(read.column_view(1));
      read.reset();
      if (!pre.matches(version)) return send_error(req, res, 412, fmt::format("post {} is at version {}, not the one in If-Match", *id, version));
      if (body->contains("external_id") && (*body)["external_id"].is_string() && (*body)["external_id"] != doc["external_id"]) {
        auto& find = db.cached("SELECT id FROM content_posts WHERE external_id=?");
        find.bind(1, (*body)["external_id"].get<std::string>());
        std::optional<std::int64_t> existing;
        if (find.step()) existing = find.column_int64(0);
        find.reset();
        if (existing) return send_error(req, res, external_id_conflict("post", (*body)["external_id"], *existing));
      }
      for (auto& [key, value] : body->items()) doc[key] = value;
      if (doc["type"] == "news" && (!doc["title"].is_string() || doc["title"].get<std::string>().empty()))
        return send_error(req, res, validation("title", "a news post needs a title"));
      doc["updated_at"] = rfc3339_now();
      ++version;
      doc_text = doc.dump();
      auto& update = db.cached("UPDATE content_posts SET external_id=?, author_id=?, community_id=?, version=?, doc=? WHERE id=?");
      update.bind(1, doc["external_id"].is_string() ? std::optional<std::string>(doc["external_id"].get<std::string>()) : std::nullopt);
      update.bind(2, *parse_id(doc["author_id"].get<std::string>()));
      update.bind(3, doc["community_id"].is_string() ? parse_id(doc["community_id"].get<std::string>()) : std::nullopt);
      update.bind(4, version);
      update.bind(5, doc_text);
      update.bind(6, *id);
      update.run();
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
    Transaction tx(store.db());
    for (const char* sql : {"DELETE FROM content_comments WHERE post_id=?", "DELETE FROM content_reactions WHERE post_id=?",
                            "DELETE FROM content_posts WHERE id=?"}) {
      auto& st = store.db().cached(sql);
      st.bind(1, *id);
      st.run();
    }
    tx.commit();
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
      auto& st = store.db().cached(
          "SELECT id, doc FROM content_comments WHERE post_id=? AND (created_at > ? OR (created_at = ? AND id > ?)) "
          "ORDER BY created_at, id LIMIT ?");
      st.bind(1, *id).bind(2, after_time).bind(3, after_time).bind(4, after_id).bind(5, window->limit + 1);
      while (st.step()) items.push_back(comment_doc(st.column_int64(0), st.column_text(1)));
      st.reset();
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
      auto& db = store.db();
      if (*parent) {
        auto& find = db.cached("SELECT post_id FROM content_comments WHERE id=?");
        find.bind(1, **parent);
        bool same_post = find.step() && find.column_int64(0) == *post_id;
        find.reset();
        if (!same_post)
          return send_error(req, res, validation("parent_id", fmt::format("parent_id {} is not a comment of post {}", **parent, *post_id)));
      }
      if (doc["external_id"].is_string()) {
        auto& find = db.cached("SELECT id FROM content_comments WHERE external_id=?");
        find.bind(1, doc["external_id"].get<std::string>());
        std::optional<std::int64_t> existing;
        if (find.step()) existing = find.column_int64(0);
        find.reset();
        if (existing) return send_error(req, res, external_id_conflict("comment", doc["external_id"], *existing));
      }
      auto& insert = db.cached("INSERT INTO content_comments(post_id, created_at, external_id, doc) VALUES(?,?,?,?)");
      insert.bind(1, *post_id);
      insert.bind(2, doc["created_at"].get<std::string>());
      insert.bind(3, doc["external_id"].is_string() ? std::optional<std::string>(doc["external_id"].get<std::string>()) : std::nullopt);
      insert.bind(4, doc.dump());
      insert.run();
      id = db.last_insert_id();
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
      auto& st = store.db().cached(
          "SELECT id, user_id, kind, created_at FROM content_reactions WHERE post_id=? AND id > ? ORDER BY id LIMIT ?");
      st.bind(1, *id).bind(2, *after).bind(3, window->limit + 1);
      while (st.step()) {
        keys.push_back(st.column_int64(0));
        items.push_back({{"user_id", std::to_string(st.column_int64(1))}, {"kind", st.column_text(2)}, {"created_at", st.column_text(3)}});
      }
      st.reset();
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
      auto& db = store.db();
      auto& find = db.cached("SELECT id FROM content_reactions WHERE post_id=? AND user_id=?");
      find.bind(1, *post_id).bind(2, **user);
      replaced = find.step();
      find.reset();
      auto& upsert = db.cached(
          "INSERT INTO content_reactions(post_id, user_id, kind, created_at) VALUES(?,?,?,?) "
          "ON CONFLICT(post_id, user_id) DO UPDATE SET kind=excluded.kind, created_at=excluded.created_at");
      upsert.bind(1, *post_id).bind(2, **user).bind(3, b["kind"].get<std::string>()).bind(4, created_at);
      upsert.run();
    }
    send_body(res, replaced ? 200 : 201,
              json{{"user_id", std::to_string(**user)}, {"kind", b["kind"]}, {"created_at", created_at}}.dump(), kJson);
  });
}

}  // namespace daoctl::sim::content
