// Between the mapping's field names and SCIM 2.0 resources (RFC 7643 core
// User, the Enterprise extension and the platform's profile extension).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/sync/model.hpp"

namespace daoctl::sync {

inline constexpr std::string_view kEnterpriseUrn =
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
inline constexpr std::string_view kProfileUrn = "urn:daoffice:scim:schemas:extension:profile:1.0:User";

enum class TargetKind { Platform, Scim };

// Reads a SCIM user into a PlatformUser. `department_paths` maps department
// ids to paths (platform target) so `department` compares as a path.
PlatformUser user_from_scim(const nlohmann::json& resource,
                            const std::map<std::string, std::string>& department_paths);

// Reads every user of one SCIM ListResponse body (as the server sent it) and
// appends them to `out`, without building a JSON document (simdjson
// on-demand): the fast path for reading 100k users. `body` gets padding
// capacity added. Errors: the body is not a ListResponse of objects.
Status users_from_scim_page(std::string& body, const std::map<std::string, std::string>& department_paths,
                            std::vector<PlatformUser>& out);

// The SCIM path of a field for PATCH ("title",
// "urn:…:enterprise:2.0:User:employeeNumber"); empty for fields that are not
// written by a plain attribute replace (department, manager, photo).
std::string scim_path_of(std::string_view field, TargetKind target);

// The value a field takes in a PATCH replace or a POST body.
nlohmann::json scim_value_of(std::string_view field, const mapping::Value& value);

// Whether two values of a field are equal for the platform (emails and
// userName compare case-insensitively; a one-element list equals its string).
bool same_value(std::string_view field, const mapping::Value& a, const mapping::Value& b);

// Full SCIM resource for a POST. `department_id` (platform target) and
// `manager_id` may be empty.
nlohmann::json scim_resource_for(const DesiredUser& user, TargetKind target,
                                 const std::string& managed_by, const std::string& department_id,
                                 const std::string& department_name);

}  // namespace daoctl::sync
