// A listing read whichever way its endpoint pages: SCIM paths (/scim/v2/...)
// by startIndex and count, the native API by cursor. For `daoctl api
// --paginate`, which is given a path and must not know the API's layout.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "connectors/platform/client.hpp"

namespace daoctl::platform {

// True for a path of the SCIM 2.0 API (RFC 7644), which pages by startIndex.
bool is_scim_path(std::string_view path);

// Calls on_page with each page's items (SCIM Resources, or native items), in order.
Status list_every_page(PlatformClient& client, const std::string& path, int page_size,
                       const std::function<void(const json& items)>& on_page);

}  // namespace daoctl::platform
