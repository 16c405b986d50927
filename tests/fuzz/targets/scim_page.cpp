// SCIM ListResponse pages from the server (core/sync users_from_scim_page,
// simdjson on-demand) and single SCIM users through nlohmann (user_from_scim).
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common.hpp"
#include "core/sync/scim_mapping.hpp"

using namespace daoctl;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::map<std::string, std::string> departments = {{"d1", "Company/IT"}, {"d2", "Company/HR"}};
  std::string body(fuzz::as_text(data, size));
  std::vector<sync::PlatformUser> users;
  (void)sync::users_from_scim_page(body, departments, users);

  auto doc = nlohmann::json::parse(fuzz::as_text(data, size), nullptr, false);
  if (doc.is_discarded()) return 0;
  if (doc.is_object()) (void)sync::user_from_scim(doc, departments);
  if (auto it = doc.find("Resources"); doc.is_object() && it != doc.end() && it->is_array())
    for (const auto& r : *it) (void)sync::user_from_scim(r, departments);
  return 0;
}
