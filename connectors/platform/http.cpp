#include "connectors/platform/http.hpp"

#include <algorithm>
#include <cctype>

namespace daoctl::http {

std::optional<std::string> Response::header(std::string_view name) const {
  std::string key(name);
  std::transform(key.begin(), key.end(), key.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  auto it = headers.find(key);
  if (it == headers.end()) return std::nullopt;
  return it->second;
}

}  // namespace daoctl::http
