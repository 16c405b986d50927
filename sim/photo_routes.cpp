// /api/v1/users/{id}/photo: a user's profile photo (JPEG or PNG, at most
// 5 MiB), judged by its magic bytes, not only by the declared Content-Type.
// The photo's ETag is its quoted sha256; the SCIM user shows the URL and the
// same sha256 in the profile extension (photo, photoSha256), so a sync
// compares photos without downloading them.
#include <fmt/format.h>

#include <algorithm>

#include "core/policy/image.hpp"
#include "sim/routes.hpp"
#include "sim/text.hpp"

namespace daoctl::sim {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxPhotoBytes = 5u << 20;

std::string photo_url(std::int64_t id) { return fmt::format("/api/v1/users/{}/photo", id); }
std::string photo_etag(const std::string& sha256) { return "\"" + sha256 + "\""; }

// The entity tags of an If-Match / If-None-Match header without quotes (and
// W/, which a sha256 never needs); nullopt when absent or "*".
std::optional<std::vector<std::string>> entity_tags(const httplib::Request& req, const char* header) {
  if (!req.has_header(header)) return std::nullopt;
  const std::string value = req.get_header_value(header);
  std::vector<std::string> tags;
  std::size_t pos = 0;
  while (pos < value.size()) {
    auto comma = value.find(',', pos);
    auto item = value.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    pos = comma == std::string::npos ? value.size() : comma + 1;
    auto first = item.find_first_not_of(" \t");
    auto last = item.find_last_not_of(" \t");
    if (first == std::string::npos) continue;
    item = item.substr(first, last - first + 1);
    if (item == "*") return std::nullopt;
    if (item.starts_with("W/")) item = item.substr(2);
    if (item.size() >= 2 && item.front() == '"' && item.back() == '"') item = item.substr(1, item.size() - 2);
    tags.push_back(item);
  }
  return tags;
}

std::optional<std::int64_t> user_id_of(const httplib::Request& req) { return parse_id(req.matches[1].str()); }

ApiError problem(int status, std::string detail) {
  ApiError e;
  e.status = status;
  e.detail = std::move(detail);
  return e;
}

}  // namespace

void add_photo_routes(RouteTable& routes, Store& store) {
  const std::string pattern = R"(/api/v1/users/([^/]+)/photo)";

  routes.get(pattern, [&store](const auto& req, auto& res) {
    auto id = user_id_of(req);
    if (!id || !store.find_user(*id))
      return send_error(req, res, 404, fmt::format("user {} does not exist", req.matches[1].str()));
    auto photo = store.find_user_photo(*id);
    if (!photo) return send_error(req, res, 404, fmt::format("user {} has no photo", *id));
    res.set_header("ETag", photo_etag(photo->sha256));
    if (auto tags = entity_tags(req, "If-None-Match");
        tags && std::find(tags->begin(), tags->end(), photo->sha256) != tags->end()) {
      res.status = 304;
      return;
    }
    res.status = 200;
    res.set_content(std::move(photo->data), photo->content_type);
  });

  routes.put(pattern, [&store](const auto& req, auto& res) {
    auto id = user_id_of(req);
    if (!id) return send_error(req, res, 404, fmt::format("user {} does not exist", req.matches[1].str()));
    const std::string declared = req.get_header_value("Content-Type");
    const auto declared_format = policy::format_of_content_type(declared);
    if (declared_format != policy::ImageFormat::Jpeg && declared_format != policy::ImageFormat::Png)
      return send_error(req, res,
                        problem(415, fmt::format("a photo must be sent as image/jpeg or image/png, not \"{}\"",
                                                 declared)));
    if (req.body.size() > kMaxPhotoBytes)
      return send_error(req, res,
                        problem(413, fmt::format("the photo is {} bytes; at most {} bytes (5 MiB) are accepted",
                                                 req.body.size(), kMaxPhotoBytes)));
    const auto info = policy::inspect_image(req.body);
    if (info.format != policy::ImageFormat::Jpeg && info.format != policy::ImageFormat::Png)
      return send_error(req, res,
                        problem(415, fmt::format("the body is not a JPEG or PNG image by its content ({}, {} "
                                                 "bytes); a photo must be one",
                                                 policy::to_string(info.format), req.body.size())));
    if (info.format != declared_format)
      return send_error(req, res,
                        problem(415, fmt::format("the body is {} by its content but was sent as {}",
                                                 policy::to_string(info.format), declared)));
    StoredPhoto photo;
    photo.content_type = policy::content_type_of(info.format);
    photo.data = req.body;
    photo.sha256 = sha256_hex(req.body);
    auto user = store.set_user_photo(*id, photo, PhotoPrecondition{entity_tags(req, "If-Match")});
    if (!user) return send_error(req, res, user.error());
    res.set_header("ETag", photo_etag(photo.sha256));
    json reply = {{"url", photo_url(*id)},
                  {"content_type", photo.content_type},
                  {"size", photo.data.size()},
                  {"width", info.width ? json(*info.width) : json(nullptr)},
                  {"height", info.height ? json(*info.height) : json(nullptr)},
                  {"sha256", photo.sha256}};
    send_body(res, 200, reply.dump(), kJson);
  });

  routes.del(pattern, [&store](const auto& req, auto& res) {
    auto id = user_id_of(req);
    if (!id) return send_error(req, res, 404, fmt::format("user {} does not exist", req.matches[1].str()));
    if (auto ok = store.delete_user_photo(*id, PhotoPrecondition{entity_tags(req, "If-Match")}); !ok)
      return send_error(req, res, ok.error());
    res.status = 204;
  });
}

}  // namespace daoctl::sim
