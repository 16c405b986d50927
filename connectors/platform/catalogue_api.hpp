// CatalogueApi: the platform's communities, badges and posts
// (/api/v1/communities, /api/v1/badges, /api/v1/posts) as `env` reads and
// writes them: list every page, create (converging after a 409), patch,
// delete. Errors are the client's, naming `object` ("community c1").
#pragma once

#include <functional>
#include <string>

#include "connectors/platform/client.hpp"

namespace daoctl::platform {

enum class Catalogue { Communities, Badges, Posts };

class CatalogueApi {
 public:
  CatalogueApi(PlatformClient& client, Catalogue which) : client_(client), which_(which) {}

  // "/api/v1/communities", "/api/v1/badges", "/api/v1/posts" (as named in
  // messages: "page 2 of /api/v1/badges").
  static const char* path_of(Catalogue which);
  const char* path() const { return path_of(which_); }

  // Every page (1,000 a page): on_page gets each page's items, unchecked.
  Status list(const std::function<void(const json& items)>& on_page);

  // POST body (which carries "external_id": `external_id`) and the new
  // object's id. A 409 means an earlier run created it and died before it
  // could tell: the object is found by external_id and PATCHed to `body`
  // (without external_id) and its id returned; when none is found the 409
  // is the error.
  Result<std::string> create(json body, const std::string& external_id, const std::string& object);
  // PATCH {path}/{id} with body; DELETE {path}/{id}.
  Status patch(const std::string& id, json body, const std::string& object);
  Status remove(const std::string& id, const std::string& object);

 private:
  std::string item_path(const std::string& id) const;
  PlatformClient& client_;
  Catalogue which_;
};

}  // namespace daoctl::platform
