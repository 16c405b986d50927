// Reading a string member of a JSON object that may hold anything there: a
// content source (manifest, Mattermost and Slack exports), a server's error
// body, a SCIM page read for completion.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace daoctl::text {

// The string member `key` of `j`; "" when it is missing or not a string.
inline std::string string_member(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace daoctl::text
