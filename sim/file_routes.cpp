// /api/v1/files: uploads (multipart with a "file" part, or the raw bytes with
// their Content-Type and ?name=&external_id=), metadata and download. The
// bytes live in the store's SQLite file; uploads are at most 100 MiB.
#include <fmt/format.h>

#include "sim/content_wire.hpp"
#include "sim/store_files.hpp"
#include "sim/text.hpp"

namespace daoctl::sim::content {

namespace {

constexpr std::size_t kMaxUpload = 100u * 1024 * 1024;

json render_file(const StoredFile& f) {
  return {{"id", std::to_string(f.id)},
          {"external_id", f.external_id ? json(*f.external_id) : json(nullptr)},
          {"name", f.name},
          {"content_type", f.content_type},
          {"size", f.size},
          {"sha256", f.sha256},
          {"created_at", f.created_at},
          {"url", fmt::format("/api/v1/files/{}/content", f.id)}};
}

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
    StoredFile f;
    if (!external_id.empty()) f.external_id = external_id;
    f.name = name;
    f.content_type = content_type;
    f.size = static_cast<std::int64_t>(bytes->size());
    f.sha256 = sha256_hex(*bytes);
    f.created_at = rfc3339_now();
    {
      std::lock_guard lock(store.mutex());
      FileTable files(store);
      if (!external_id.empty())
        if (auto existing = files.find_by_external_id(external_id))
          return send_error(req, res, external_id_conflict("file", external_id, *existing));
      files.insert(f, *bytes);
    }
    res.set_header("Location", fmt::format("/api/v1/files/{}", f.id));
    send_body(res, 201, render_file(f).dump(), kJson);
  });

  routes.get(R"(/api/v1/files/([^/]+))", [&store](const httplib::Request& req, httplib::Response& res) {
    auto id = parse_id(req.matches[1].str());
    std::lock_guard lock(store.mutex());
    auto f = FileTable(store).find(id.value_or(-1));
    if (!f) return send_error(req, res, 404, fmt::format("file {} does not exist", req.matches[1].str()));
    auto body = render_file(*f);
    send_etag(res, f->version);
    send_body(res, 200, body.dump(), kJson);
  });

  routes.get(R"(/api/v1/files/([^/]+)/content)", [&store](const httplib::Request& req, httplib::Response& res) {
    auto id = parse_id(req.matches[1].str());
    std::lock_guard lock(store.mutex());
    auto c = FileTable(store).content(id.value_or(-1));
    if (!c) return send_error(req, res, 404, fmt::format("file {} does not exist", req.matches[1].str()));
    send_etag(res, c->version);
    res.status = 200;
    res.set_content(std::move(c->data), c->content_type.c_str());
  });

  routes.del(R"(/api/v1/files/([^/]+))", [&store](const httplib::Request& req, httplib::Response& res) {
    auto id = parse_id(req.matches[1].str());
    auto pre = if_match(req);
    std::lock_guard lock(store.mutex());
    FileTable files(store);
    auto f = files.find(id.value_or(-1));
    if (!f) return send_error(req, res, 404, fmt::format("file {} does not exist", req.matches[1].str()));
    if (!pre.matches(f->version))
      return send_error(req, res, 412,
                        fmt::format("file {} is at version {}, not the one in If-Match", *id, f->version));
    // A file a post shows (attachment or banner) cannot go: 409.
    if (auto post = files.first_post_showing(*id))
      return send_error(req, res, 409, fmt::format("file {} is attached to post {}; detach it first", *id, *post));
    files.remove(*id);
    res.status = 204;
  });
}

}  // namespace daoctl::sim::content
