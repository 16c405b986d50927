#include "connectors/platform/listing.hpp"

namespace daoctl::platform {

bool is_scim_path(std::string_view path) { return path.rfind("/scim/v2/", 0) == 0; }

Status list_every_page(PlatformClient& client, const std::string& path, int page_size,
                       const std::function<void(const json& items)>& on_page) {
  if (is_scim_path(path)) return client.scim_list(path, "", page_size, on_page);
  return client.cursor_list(path, page_size, on_page);
}

}  // namespace daoctl::platform
