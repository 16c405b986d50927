// The Store's profile photos (user_photos) and the read-only photo
// attributes they write into the user's SCIM document.
#include "sim/store.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <nlohmann/json.hpp>

#include <algorithm>

#include "sim/sqlite_db.hpp"
#include "sim/text.hpp"

namespace daoctl::sim {

namespace {

constexpr const char* kProfileUrn = "urn:daoffice:scim:schemas:extension:profile:1.0:User";

}  // namespace

std::string Store::with_photo_attributes(std::int64_t id, const std::string& body,
                                         const std::optional<std::string>& sha256) {
  // Most users have no photo and no photo attributes: no JSON round trip.
  if (!sha256 && body.find("\"photo") == std::string::npos) return body;
  auto doc = nlohmann::json::parse(body);
  auto& schemas = doc["schemas"];
  if (!schemas.is_array()) schemas = nlohmann::json::array();
  auto listed = std::find(schemas.begin(), schemas.end(), kProfileUrn);
  if (sha256) {
    auto& ext = doc[kProfileUrn];
    if (!ext.is_object()) ext = nlohmann::json::object();
    ext["photo"] = fmt::format("/api/v1/users/{}/photo", id);
    ext["photoSha256"] = *sha256;
    if (listed == schemas.end()) schemas.push_back(kProfileUrn);
  } else if (auto ext = doc.find(kProfileUrn); ext != doc.end() && ext->is_object()) {
    ext->erase("photo");
    ext->erase("photoSha256");
    if (ext->empty()) {
      doc.erase(ext);
      if (listed != schemas.end()) schemas.erase(listed);
    }
  }
  return doc.dump();
}

std::optional<std::string> Store::photo_sha256_locked(std::int64_t id) {
  auto& st = db_->cached("SELECT sha256 FROM user_photos WHERE user_id=?1");
  st.bind(1, id);
  std::optional<std::string> out;
  if (st.step()) out = st.column_text(0);
  st.reset();
  return out;
}

ApiResult<StoredUser> Store::set_user_photo(std::int64_t id, const StoredPhoto& photo,
                                            const PhotoPrecondition& pre) {
  std::lock_guard lock(mutex_);
  Transaction tx(*db_);
  auto user = find_user_locked(id);
  if (!user) return api_fail(404, fmt::format("user {} does not exist", id));
  auto current = photo_sha256_locked(id);
  if (!pre.matches(current))
    return api_fail(412, fmt::format("the photo of user {} is {}; If-Match does not match it", id,
                                     current ? "\"" + *current + "\"" : std::string("not set")));
  auto now = rfc3339_now();
  db_->prepare("INSERT INTO user_photos(user_id, content_type, data, sha256, updated_at) "
               "VALUES(?, ?, ?, ?, ?) ON CONFLICT(user_id) DO UPDATE SET "
               "content_type = excluded.content_type, data = excluded.data, "
               "sha256 = excluded.sha256, updated_at = excluded.updated_at")
      .bind(1, id)
      .bind(2, photo.content_type)
      .bind_blob(3, photo.data)
      .bind(4, photo.sha256)
      .bind(5, now)
      .run();
  std::string body = with_photo_attributes(id, user->body, photo.sha256);
  if (body != user->body) {
    db_->cached("UPDATE users SET version=version+1, updated_at=?2, body=?3 WHERE id=?1")
        .bind(1, id)
        .bind(2, now)
        .bind(3, body)
        .run();
    user->version += 1;
    user->updated_at = now;
    user->body = std::move(body);
  }
  tx.commit();
  return *user;
}

std::optional<StoredPhoto> Store::find_user_photo(std::int64_t id) {
  std::lock_guard lock(mutex_);
  auto st = db_->prepare("SELECT content_type, data, sha256, updated_at FROM user_photos WHERE user_id = ?");
  st.bind(1, id);
  if (!st.step()) return std::nullopt;
  StoredPhoto photo;
  photo.content_type = st.column_text(0);
  photo.data = st.column_blob(1);
  photo.sha256 = st.column_text(2);
  photo.updated_at = st.column_text(3);
  return photo;
}

ApiStatus Store::delete_user_photo(std::int64_t id, const PhotoPrecondition& pre) {
  std::lock_guard lock(mutex_);
  Transaction tx(*db_);
  auto user = find_user_locked(id);
  if (!user) return api_fail(404, fmt::format("user {} does not exist", id));
  auto current = photo_sha256_locked(id);
  if (!current) return api_fail(404, fmt::format("user {} has no photo", id));
  if (!pre.matches(current))
    return api_fail(412, fmt::format("the photo of user {} is \"{}\"; If-Match does not match it", id, *current));
  db_->cached("DELETE FROM user_photos WHERE user_id=?1").bind(1, id).run();
  std::string body = with_photo_attributes(id, user->body, std::nullopt);
  if (body != user->body)
    db_->cached("UPDATE users SET version=version+1, updated_at=?2, body=?3 WHERE id=?1")
        .bind(1, id)
        .bind(2, rfc3339_now())
        .bind(3, body)
        .run();
  tx.commit();
  return {};
}

}  // namespace daoctl::sim
