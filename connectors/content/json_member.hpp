// Reading members of the JSON objects of content sources (manifests,
// Mattermost and Slack exports), whose schemas or formats say which members
// are strings.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace daoctl::content {

// The string member `key` of `j`; "" when it is missing or not a string.
inline std::string string_member(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace daoctl::content
