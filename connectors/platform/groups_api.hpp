// GroupsApi: every call the `groups` verbs and the lookups of groups by id or
// displayName make to the platform: SCIM 2.0 /scim/v2/Groups. The commands
// only wire flags to it; a --dry-run prints the request the same builder
// gives the real run. Errors are the client's, naming `object` ("group hr").
#pragma once

#include <functional>
#include <string>

#include "connectors/platform/client.hpp"
#include "connectors/platform/planned_request.hpp"

namespace daoctl::platform {

class GroupsApi {
 public:
  // The collection, as named in messages ("page 2 of /scim/v2/Groups").
  static constexpr const char* kPath = "/scim/v2/Groups";

  static PlannedRequest create_request(json body);                        // POST /scim/v2/Groups
  static PlannedRequest patch_request(const std::string& id, json body);  // PATCH /scim/v2/Groups/{id}
  static PlannedRequest remove_request(const std::string& id);            // DELETE /scim/v2/Groups/{id}

  explicit GroupsApi(PlatformClient& client) : client_(client) {}

  // GET /scim/v2/Groups/{id} (NotFound for an unknown id).
  Result<json> get(const std::string& id, const std::string& object);
  // Every page of GET /scim/v2/Groups?filter=...: on_page gets each page's Resources.
  Status list(const std::string& filter, int page_size, const std::function<void(const json& resources)>& on_page);

  // The answers as sent (null for an empty body); the callers check them.
  Result<json> create(json body, const std::string& object);
  Result<json> patch(const std::string& id, json body, const std::string& object);
  Status remove(const std::string& id, const std::string& object);

 private:
  PlatformClient& client_;
};

}  // namespace daoctl::platform
