#include "connectors/platform/users_api.hpp"

namespace daoctl::platform {

namespace {

std::string user_path(const std::string& id) { return std::string(UsersApi::kPath) + "/" + url_encode_segment(id); }

}  // namespace

PlannedRequest UsersApi::create_request(json body) { return {"POST", kPath, std::move(body)}; }

PlannedRequest UsersApi::patch_request(const std::string& id, json body) {
  return {"PATCH", user_path(id), std::move(body)};
}

PlannedRequest UsersApi::remove_request(const std::string& id) { return {"DELETE", user_path(id), std::nullopt}; }

PlannedRequest UsersApi::revoke_request(const std::string& id, const std::string& what) {
  return {"DELETE", "/api/v1/users/" + url_encode_segment(id) + "/" + what, std::nullopt};
}

Result<json> UsersApi::get(const std::string& id, const std::string& object) {
  return client_.get_json(user_path(id), object);
}

Status UsersApi::list(const std::string& filter, int page_size,
                      const std::function<void(const json& resources)>& on_page) {
  return client_.scim_list(kPath, filter, page_size, on_page);
}

Status UsersApi::list_raw(const std::string& filter, int page_size,
                          const std::function<Status(std::string& body)>& on_page) {
  return client_.scim_list_raw(kPath, filter, page_size, on_page);
}

Status UsersApi::list_resources(
    const std::string& filter, int page_size,
    const std::function<Status(std::string_view body, std::span<const std::string_view> users)>& on_page) {
  return client_.scim_list_resources(kPath, filter, page_size, on_page);
}

Result<json> UsersApi::create(json body, const std::string& object) {
  return send(create_request(std::move(body)), object);
}

Result<json> UsersApi::patch(const std::string& id, json body, const std::string& object) {
  return send(patch_request(id, std::move(body)), object);
}

Status UsersApi::remove(const std::string& id, const std::string& object) {
  const PlannedRequest r = remove_request(id);
  auto sent = client_.send(client_.make_request(r.method, r.path, object));
  if (!sent) return std::unexpected(std::move(sent.error()));
  return {};
}

Result<json> UsersApi::revoke(const std::string& id, const std::string& what, const std::string& object) {
  return send(revoke_request(id, what), object);
}

Result<json> UsersApi::send(const PlannedRequest& request, const std::string& object) {
  return client_.send_json(request.method, request.path, object, request.body);
}

}  // namespace daoctl::platform
