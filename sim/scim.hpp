// SCIM 2.0 resource logic (RFC 7643/7644) independent of HTTP: validating
// user documents, applying PATCH operations, mapping filters to SQL and
// rendering resources and the discovery documents.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/api_error.hpp"
#include "sim/scim_filter.hpp"
#include "sim/store.hpp"

namespace daoctl::sim::scim {

inline constexpr const char* kUserSchema = "urn:ietf:params:scim:schemas:core:2.0:User";
inline constexpr const char* kEnterpriseSchema =
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
inline constexpr const char* kProfileSchema = "urn:daoffice:scim:schemas:extension:profile:1.0:User";
inline constexpr const char* kGroupSchema = "urn:ietf:params:scim:schemas:core:2.0:Group";
inline constexpr const char* kListSchema = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
inline constexpr const char* kErrorSchema = "urn:ietf:params:scim:api:messages:2.0:Error";
inline constexpr const char* kPatchSchema = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
inline constexpr int kMaxMemberOperations = 1000;

// Validates a user document (POST/PUT body or the result of a PATCH) and
// splits it into lookup columns and the stored body. Read-only attributes
// (id, meta, groups) are dropped; attribute names are matched
// case-insensitively and written back in their canonical spelling.
// Errors: 400 invalidValue / invalidSyntax naming the attribute.
ApiResult<UserRecord> user_record(nlohmann::json document);

// The stored body (without id/meta/groups) as a document PATCH can work on.
nlohmann::json user_document(const StoredUser& user);

// The full SCIM User resource as JSON text, spliced from the stored body.
std::string render_user(const StoredUser& user, const std::vector<GroupRef>& groups);

// Applies a PatchOp request to a user document. Errors: 400 invalidSyntax,
// invalidPath (as invalidValue), noTarget, mutability.
ApiResult<nlohmann::json> patch_user(nlohmann::json document, const nlohmann::json& request);

nlohmann::json render_group(const StoredGroup& group, bool with_members);

struct GroupDocument {
  std::string display_name;
  std::optional<std::string> external_id;
  std::vector<std::int64_t> members;
};
// A POST/PUT group body. Errors: 400 invalidValue.
ApiResult<GroupDocument> group_document(const nlohmann::json& document);
// A PatchOp request on a group as one atomic change. Errors: 400 tooMany
// (more than kMaxMemberOperations member values), invalidValue, noTarget.
ApiResult<GroupChange> group_change(const nlohmann::json& request);

// Filters to SQL over the users / groups tables. Errors: 400 invalidFilter.
ApiResult<SqlCondition> user_condition(const std::vector<FilterTerm>& terms);
ApiResult<SqlCondition> group_condition(const std::vector<FilterTerm>& terms);

nlohmann::json service_provider_config();
nlohmann::json resource_types();
nlohmann::json schema_documents();  // the Resources of GET /Schemas

}  // namespace daoctl::sim::scim
