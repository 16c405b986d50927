// The staged deprovisioning steps over the platform API: group removal
// (SCIM PATCH), content transfer (POST /api/v1/users/{id}/transfer, then the
// job polled to completion), account deletion, and the probes the plan needs.
#pragma once

#include <chrono>
#include <functional>

#include "connectors/platform/client.hpp"
#include "connectors/targets/scim_target.hpp"
#include "core/deprovision/pipeline.hpp"

namespace daoctl::targets {

struct TransferPolling {
  std::chrono::milliseconds first_interval{100};
  std::chrono::milliseconds max_interval{2000};
  std::chrono::seconds timeout{600};
  std::function<void(std::chrono::milliseconds)> sleep;  // injectable for tests; default: this thread sleeps
};

class PlatformDeprovisionTarget final : public deprovision::DeprovisionTarget {
 public:
  PlatformDeprovisionTarget(platform::PlatformClient& client, ScimSyncTarget& scim, std::string managed_by,
                            TransferPolling polling = {});

  Status remove_from_group(const std::string& group_id, const std::string& group_name, const std::string& user_id,
                           const std::string& user_name) override;
  Result<nlohmann::json> transfer_content(const std::string& from_id, const std::string& to_id,
                                          const std::string& user_name) override;
  Status delete_user(const std::string& id, const std::string& user_name) override;

  // DELETE /api/v1/users/{id}/sessions or /tokens (`what`): the revocations
  // of a block whose run was killed between the PATCH and them.
  Status revoke(const std::string& id, const std::string& user_name, const std::string& what);

  // Whether the platform serves /api/v1/communities; `why` says why not.
  bool communities_supported(std::string& why);

 private:
  platform::PlatformClient& client_;
  ScimSyncTarget& scim_;
  std::string managed_by_;
  TransferPolling polling_;
};

}  // namespace daoctl::targets
