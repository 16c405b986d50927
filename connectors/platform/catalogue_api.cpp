#include "connectors/platform/catalogue_api.hpp"

#include "connectors/platform/answer.hpp"

namespace daoctl::platform {

const char* CatalogueApi::path_of(Catalogue which) {
  switch (which) {
    case Catalogue::Communities:
      return "/api/v1/communities";
    case Catalogue::Badges:
      return "/api/v1/badges";
    case Catalogue::Posts:
      return "/api/v1/posts";
  }
  return "";
}

std::string CatalogueApi::item_path(const std::string& id) const {
  return std::string(path()) + "/" + url_encode_segment(id);
}

Status CatalogueApi::list(const std::function<void(const json& items)>& on_page) {
  return client_.cursor_list(path(), 1000, on_page);
}

Result<std::string> CatalogueApi::create(json body, const std::string& external_id, const std::string& object) {
  auto created = client_.send_json("POST", path(), object, body);
  if (created) return Answer(*created, object).get<std::string>("/id");
  if (created.error().http_status != 409) return std::unexpected(std::move(created.error()));
  // Created by an earlier run that died before it could tell: converge.
  auto existing = client_.get_json(std::string(path()) + "?external_id=" + url_encode_query(external_id), object);
  if (!existing) return std::unexpected(std::move(existing.error()));
  const Answer found(*existing, object);
  auto items = found.find_kind("/items", JsonKind::Array);
  if (!items) return std::unexpected(std::move(items.error()));
  if (*items == nullptr || (*items)->empty()) return std::unexpected(std::move(created.error()));
  auto id = found.get<std::string>("/items/0/id");
  if (!id) return std::unexpected(std::move(id.error()));
  body.erase("external_id");
  if (auto patched = patch(*id, std::move(body), object); !patched) return std::unexpected(std::move(patched.error()));
  return id;
}

Status CatalogueApi::patch(const std::string& id, json body, const std::string& object) {
  auto answer = client_.send_json("PATCH", item_path(id), object, std::move(body));
  if (!answer) return std::unexpected(std::move(answer.error()));
  return {};
}

Status CatalogueApi::remove(const std::string& id, const std::string& object) {
  auto answer = client_.send_json("DELETE", item_path(id), object);
  if (!answer) return std::unexpected(std::move(answer.error()));
  return {};
}

}  // namespace daoctl::platform
