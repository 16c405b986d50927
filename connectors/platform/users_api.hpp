// UsersApi: every call the `users` verbs, the lookups of users by what an
// administrator types and `env apply` make to the platform's users: SCIM 2.0
// /scim/v2/Users and the native revocation of a user's sessions and tokens.
// The commands only wire flags to it; a --dry-run prints the request the
// same builder (create_request, patch_request, ...) gives the real run.
// Errors are the client's: the method, path and status, and `object` (the
// caller's name for what is changed: "user ivanov.i").
#pragma once

#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "connectors/platform/client.hpp"
#include "connectors/platform/planned_request.hpp"

namespace daoctl::platform {

class UsersApi {
 public:
  // The collection, as named in messages ("page 2 of /scim/v2/Users").
  static constexpr const char* kPath = "/scim/v2/Users";

  // The requests the writes below send (for a dry run's description).
  static PlannedRequest create_request(json body);                          // POST /scim/v2/Users
  static PlannedRequest patch_request(const std::string& id, json body);    // PATCH /scim/v2/Users/{id}
  static PlannedRequest remove_request(const std::string& id);              // DELETE /scim/v2/Users/{id}
  // DELETE /api/v1/users/{id}/{what}: what is "sessions" or "tokens".
  static PlannedRequest revoke_request(const std::string& id, const std::string& what);

  explicit UsersApi(PlatformClient& client) : client_(client) {}

  // GET /scim/v2/Users/{id} (NotFound for an unknown id).
  Result<json> get(const std::string& id, const std::string& object);
  // Every page of GET /scim/v2/Users?filter=...: on_page gets each page's Resources.
  Status list(const std::string& filter, int page_size, const std::function<void(const json& resources)>& on_page);
  // The same paging, each page as its raw body (PlatformClient::scim_list_raw).
  Status list_raw(const std::string& filter, int page_size, const std::function<Status(std::string& body)>& on_page);
  // The same paging, with each user's JSON text located (PlatformClient::scim_list_resources).
  Status list_resources(
      const std::string& filter, int page_size,
      const std::function<Status(std::string_view body, std::span<const std::string_view> users)>& on_page);

  // The answers as sent (null for an empty body); the callers check them.
  Result<json> create(json body, const std::string& object);
  Result<json> patch(const std::string& id, json body, const std::string& object);
  Status remove(const std::string& id, const std::string& object);
  // The answer ({"revoked": n}, or null).
  Result<json> revoke(const std::string& id, const std::string& what, const std::string& object);

 private:
  Result<json> send(const PlannedRequest& request, const std::string& object);
  PlatformClient& client_;
};

}  // namespace daoctl::platform
