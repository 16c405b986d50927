// The platform's service endpoints: GET /api/v1/health (unauthenticated:
// version, API version, status) and GET /api/v1/me (who the token is). Used
// by `doctor` and `version`; the commands only read the answers.
#pragma once

#include <optional>
#include <string>

#include "connectors/platform/client.hpp"

namespace daoctl::platform {

inline constexpr const char* kHealthPath = "/api/v1/health";
inline constexpr const char* kMePath = "/api/v1/me";

struct HealthAnswer {
  json body;                       // discarded (null) when the body is not JSON
  std::optional<std::string> date; // the Date header, for the clock-skew check
};

// GET /api/v1/health; `object` names the call in errors.
Result<HealthAnswer> get_health(PlatformClient& client, const std::string& object);
// The same, strictly: a body that is not JSON is a Remote error.
Result<json> get_health_document(PlatformClient& client, const std::string& object);
// GET /api/v1/me: {"subject": ..., "scopes": [...]}; `object` names the call in errors.
Result<json> get_me(PlatformClient& client, const std::string& object);

}  // namespace daoctl::platform
