// The sync's SyncTarget over PlatformClient: the platform (SCIM 2.0 users and
// groups + native departments, sessions and tokens) or any RFC 7644 service
// (users and groups only, limits taken from its ServiceProviderConfig).
#pragma once

#include <memory>

#include "connectors/platform/client.hpp"
#include "core/sync/scim_mapping.hpp"
#include "core/sync/target.hpp"

namespace daoctl::targets {

struct ScimTargetOptions {
  sync::TargetKind kind = sync::TargetKind::Platform;
  std::string managed_by;  // "daoctl:<job>", part of idempotency keys
  int page_size = 1000;    // lowered to the service's filter.maxResults
  int max_patch_operations = 1000;
};

// The SCIM root under the client's base URL. The platform serves SCIM at
// /scim/v2. A plain SCIM service's URL is used as given when it has a path
// ("https://idp/tenant/scim", ".../scim/v2", "/scim"), and gets /scim/v2 when
// it is only a scheme and host: "" or "/scim/v2".
std::string scim_root_for(sync::TargetKind kind, std::string_view base_url);

class ScimSyncTarget final : public sync::SyncTarget {
 public:
  ScimSyncTarget(platform::PlatformClient& client, ScimTargetOptions options);

  // Reads ServiceProviderConfig (page size, PATCH support, operation limit).
  // Errors: the service cannot be reached or does not support PATCH.
  Status discover();

  Result<sync::PlatformState> read_state() override;
  // The state an incremental run plans against: departments in full, groups
  // in full when `with_groups`, and only the users some (attribute, value)
  // of `users` finds ("externalId", "userName", "emails.value"), one
  // filtered GET each, concurrently; a user found twice is kept once.
  Result<sync::PlatformState> read_state_for(const std::vector<std::pair<std::string, std::string>>& users,
                                             bool with_groups);
  Result<std::string> create_department(const std::string& name, const std::string& parent_id,
                                        const std::string& external_id) override;
  Status delete_department(const std::string& id, const std::string& path) override;
  std::vector<Result<std::string>> create_users(const std::vector<nlohmann::json>& resources) override;
  std::vector<Status> patch_users(const std::vector<sync::UserPatch>& patches) override;
  // PUT /api/v1/users/{id}/photo (platform only; a plain SCIM service has no
  // photo API, so every item fails there).
  std::vector<Status> upload_photos(const std::vector<sync::PhotoUpload>& uploads) override;
  Result<std::string> create_group(const std::string& name, const std::string& external_id) override;
  Status update_group(const std::string& group_id, const std::string& object, const std::string& name,
                      const std::string& external_id) override;
  Status change_group_members(const std::string& group_id, const std::string& group_name,
                              const std::vector<std::string>& add,
                              const std::vector<std::string>& remove) override;

 private:
  Result<std::vector<sync::PlatformGroup>> read_groups_only();
  Result<std::string> find_user_by_external_id(const std::string& external_id);
  // A request for a SCIM path ("/Users/42") under the root, typed as SCIM.
  http::Request scim_request(const std::string& method, const std::string& path, const std::string& object,
                             std::optional<nlohmann::json> body = std::nullopt) const;
  platform::PlatformClient& client_;
  ScimTargetOptions options_;
  std::string root_;
};

// A deterministic Idempotency-Key for a write: the same job writing the same
// body for the same object gets the same key, so a retried or re-run request
// is answered with the first result instead of doing the write twice.
std::string idempotency_key(std::string_view managed_by, std::string_view object,
                            std::string_view body);

}  // namespace daoctl::targets
