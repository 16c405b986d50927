// /api/v1/files: uploads (multipart with a "file" part, or the raw bytes with
// their Content-Type and ?name=&external_id=), metadata and download. The
// bytes live in the store's SQLite file; uploads are at most 100 MiB.
#include <fmt/format.h>

#include "sim/content_wire.hpp"
#include "sim/sqlite_db.hpp"
#include "sim/text.hpp"

namespace daoctl::sim::content {

namespace {

constexpr std::size_t kMaxUpload = 100u * 1024 * 1024;

json render_file(Statement& st) {
  auto id = st.column_int64(0);
  return {{"id", std::to_string(id)},
          {"external_id", st.is_null(1) ? json(nullptr) : json(st.column_text(1))},
          {"name", st.column_text(2)},
          {"content_type", st.column_text(3)},
          {"size", st.column_int64(4)},
          {"sha256", st.column_text(5)},
          {"created_at", st.column_text(6)},
          {"url", fmt::format("/api/v1/files/{}/content", id)}};
}

constexpr const char* kFileColumns = "id, external_id, name, content_type, size, sha256, created_at, version";

}  // namespace

void add_file_routes(RouteTable& routes, Store& store) {
  routes.post("/api/v1/files", [&store](const httplib::Request& req, httplib::Response& res) {
    std::string name, content_type, external_id;
    const std::string* bytes = nullptr;
    httplib::MultipartFormData part;
    if (req.is_multipart_form_data()) {
      if (!req.has_file("file")) return send_error(req, res, 400, "a multipart upload needs a part named \"file\"");
      part = req.get_file_value("file");
      bytes = &part.content;
      name = req.has_file("name") ? req.get_file_value("name").content : part.filename;
      content_type = part.content_type.empty() ? "application/octet-stream" : part.content_type;
      if (req.has_file("external_id")) external_id = req.get_file_value("external_id").content;
    } else {
      content_type = req.get_header_value("Content-Type");
      if (content_type.empty())
        return send_error(req, res, 415, "a raw upload needs the Content-Type of its bytes");
      bytes = &req.body;
      name = req.has_param("name") ? req.get_param_value("name") : "upload";
      if (req.has_param("external_id")) external_id = req.get_param_value("external_id");
    }
    if (bytes->size() > kMaxUpload)
      return send_error(req, res, 413, fmt::format("the file is {} bytes; at most {} are accepted", bytes->size(), kMaxUpload));
    if (name.empty() || name.size() > 255) return send_error(req, res, validation("name", "name must be 1 to 255 bytes"));
    if (external_id.size() > 255) return send_error(req, res, validation("external_id", "external_id must be 1 to 255 bytes"));
    auto digest = sha256_hex(*bytes);
    auto now = rfc3339_now();
    json rendered;
    std::int64_t id = 0;
    {
      std::lock_guard lock(store.mutex());
      auto& db = store.db();
      if (!external_id.empty()) {
        auto& find = db.cached("SELECT id FROM file_files WHERE external_id=?");
        find.bind(1, external_id);
        std::optional<std::int64_t> existing;
        if (find.step()) existing = find.column_int64(0);
        find.reset();
        if (existing) return send_error(req, res, external_id_conflict("file", external_id, *existing));
      }
      auto& insert = db.cached(
          "INSERT INTO file_files(external_id, name, content_type, size, sha256, created_at, version, data) "
          "VALUES(?,?,?,?,?,?,1,?)");
      insert.bind(1, external_id.empty() ? std::nullopt : std::optional<std::string>(external_id));
      insert.bind(2, name).bind(3, content_type).bind(4, static_cast<std::int64_t>(bytes->size()));
      insert.bind(5, digest).bind(6, now).bind(7, std::string_view(*bytes));
      insert.run();
      id = db.last_insert_id();
    }
    rendered = {{"id", std::to_string(id)},
                {"external_id", external_id.empty() ? json(nullptr) : json(external_id)},
                {"name", name},
                {"content_type", content_type},
                {"size", bytes->size()},
                {"sha256", digest},
                {"created_at", now},
                {"url", fmt::format("/api/v1/files/{}/content", id)}};
    res.set_header("Location", fmt::format("/api/v1/files/{}", id));
    send_body(res, 201, rendered.dump(), kJson);
  });

  routes.get(R"(/api/v1/files/([^/]+))", [&store](const httplib::Request& req, httplib::Response& res) {
    auto id = parse_id(req.matches[1].str());
    std::lock_guard lock(store.mutex());
    auto& st = store.db().cached(fmt::format("SELECT {} FROM file_files WHERE id=?", kFileColumns));
    st.bind(1, id.value_or(-1));
    if (!st.step()) {
      st.reset();
      return send_error(req, res, 404, fmt::format("file {} does not exist", req.matches[1].str()));
    }
    auto body = render_file(st);
    auto version = st.column_int64(7);
    st.reset();
    send_etag(res, version);
    send_body(res, 200, body.dump(), kJson);
  });

  routes.get(R"(/api/v1/files/([^/]+)/content)", [&store](const httplib::Request& req, httplib::Response& res) {
    auto id = parse_id(req.matches[1].str());
    std::lock_guard lock(store.mutex());
    auto& st = store.db().cached("SELECT content_type, data, version FROM file_files WHERE id=?");
    st.bind(1, id.value_or(-1));
    if (!st.step()) {
      st.reset();
      return send_error(req, res, 404, fmt::format("file {} does not exist", req.matches[1].str()));
    }
    auto content_type = st.column_text(0);
    std::string data = st.column_text(1);
    send_etag(res, st.column_int64(2));
    st.reset();
    res.status = 200;
    res.set_content(std::move(data), content_type.c_str());
  });

  routes.del(R"(/api/v1/files/([^/]+))", [&store](const httplib::Request& req, httplib::Response& res) {
    auto id = parse_id(req.matches[1].str());
    auto pre = if_match(req);
    std::lock_guard lock(store.mutex());
    auto& db = store.db();
    auto& st = db.cached("SELECT version FROM file_files WHERE id=?");
    st.bind(1, id.value_or(-1));
    if (!st.step()) {
      st.reset();
      return send_error(req, res, 404, fmt::format("file {} does not exist", req.matches[1].str()));
    }
    auto version = st.column_int64(0);
    st.reset();
    if (!pre.matches(version))
      return send_error(req, res, 412, fmt::format("file {} is at version {}, not the one in If-Match", *id, version));
    // A file a post shows (attachment or banner) cannot go: 409.
    auto& used = db.cached(
        "SELECT p.id FROM content_posts p WHERE json_extract(p.doc, '$.banner') = ?1 OR EXISTS "
        "(SELECT 1 FROM json_each(p.doc, '$.attachments') WHERE value = ?1) LIMIT 1");
    used.bind(1, std::to_string(*id));
    std::optional<std::int64_t> post;
    if (used.step()) post = used.column_int64(0);
    used.reset();
    if (post) return send_error(req, res, 409, fmt::format("file {} is attached to post {}; detach it first", *id, *post));
    auto& del = db.cached("DELETE FROM file_files WHERE id=?");
    del.bind(1, *id);
    del.run();
    res.status = 204;
  });
}

}  // namespace daoctl::sim::content
