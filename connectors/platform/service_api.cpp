#include "connectors/platform/service_api.hpp"

namespace daoctl::platform {

Result<HealthAnswer> get_health(PlatformClient& client, const std::string& object) {
  auto response = client.send(client.make_request("GET", kHealthPath, object));
  if (!response) return std::unexpected(std::move(response.error()));
  HealthAnswer answer;
  answer.date = response->header("Date");
  answer.body = json::parse(response->body, nullptr, false);
  if (answer.body.is_discarded()) answer.body = json();
  return answer;
}

Result<json> get_health_document(PlatformClient& client, const std::string& object) {
  return client.get_json(kHealthPath, object);
}

Result<json> get_me(PlatformClient& client, const std::string& object) { return client.get_json(kMePath, object); }

}  // namespace daoctl::platform
