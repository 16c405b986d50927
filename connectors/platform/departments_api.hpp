// DepartmentsApi: every call daoctl makes to the platform's native
// departments (/api/v1/departments): the `departments` verbs, `env` (diff,
// apply) and the sync's target (connectors/targets). One create, so the
// sync and env apply answer a 409 the same way.
#pragma once

#include <functional>
#include <string>

#include "connectors/platform/client.hpp"

namespace daoctl::platform {

class DepartmentsApi {
 public:
  // The collection, as named in messages ("page 2 of /api/v1/departments").
  static constexpr const char* kPath = "/api/v1/departments";

  explicit DepartmentsApi(PlatformClient& client) : client_(client) {}

  // The body create sends: {name, external_id, parent_id (null for a root)}.
  static json create_body(const std::string& name, const std::string& parent_id, const std::string& external_id);

  // Every page of GET /api/v1/departments (1,000 a page): on_page gets each
  // page's items, unchecked.
  Status list(const std::function<void(const json& items)>& on_page);

  // POST /api/v1/departments {name, parent_id (null for a root), external_id}
  // and the new department's id. `idempotency_key` replaces the client's
  // random one when not empty (the sync derives it from the job and the
  // body, so a re-run's POST is answered with the first result).
  // A 409 whose department with this external_id can be found (one made by
  // an earlier run that died before it could tell) gives that department's
  // id; otherwise the 409 is the error. Errors name `object`.
  Result<std::string> create(const std::string& name, const std::string& parent_id, const std::string& external_id,
                             const std::string& object, const std::string& idempotency_key = {});

  // DELETE /api/v1/departments/{id}. A department already gone is NotFound;
  // the caller decides whether that matters.
  Status remove(const std::string& id, const std::string& object);

 private:
  PlatformClient& client_;
};

}  // namespace daoctl::platform
