#include "connectors/platform/groups_api.hpp"

namespace daoctl::platform {

namespace {

std::string group_path(const std::string& id) {
  return std::string(GroupsApi::kPath) + "/" + url_encode_segment(id);
}

}  // namespace

PlannedRequest GroupsApi::create_request(json body) { return {"POST", kPath, std::move(body)}; }

PlannedRequest GroupsApi::patch_request(const std::string& id, json body) {
  return {"PATCH", group_path(id), std::move(body)};
}

PlannedRequest GroupsApi::remove_request(const std::string& id) { return {"DELETE", group_path(id), std::nullopt}; }

Result<json> GroupsApi::get(const std::string& id, const std::string& object) {
  return client_.get_json(group_path(id), object);
}

Status GroupsApi::list(const std::string& filter, int page_size,
                       const std::function<void(const json& resources)>& on_page) {
  return client_.scim_list(kPath, filter, page_size, on_page);
}

Result<json> GroupsApi::create(json body, const std::string& object) {
  const PlannedRequest r = create_request(std::move(body));
  return client_.send_json(r.method, r.path, object, r.body);
}

Result<json> GroupsApi::patch(const std::string& id, json body, const std::string& object) {
  const PlannedRequest r = patch_request(id, std::move(body));
  return client_.send_json(r.method, r.path, object, r.body);
}

Status GroupsApi::remove(const std::string& id, const std::string& object) {
  const PlannedRequest r = remove_request(id);
  auto sent = client_.send(client_.make_request(r.method, r.path, object));
  if (!sent) return std::unexpected(std::move(sent.error()));
  return {};
}

}  // namespace daoctl::platform
