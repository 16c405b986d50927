// The SCIM discovery documents (RFC 7643 §5–7): what the simulated platform
// supports, stated the way a client can rely on.
#include <string>

#include "sim/scim.hpp"

namespace daoctl::sim::scim {

using nlohmann::json;

namespace {

struct AttributeSpec {
  const char* name;
  const char* type = "string";
  bool multi = false;
  bool required = false;
  const char* mutability = "readWrite";
  const char* returned = "default";
  const char* uniqueness = "none";
  bool case_exact = false;
  const char* description = "";
};

json attribute(const AttributeSpec& a, json sub = nullptr) {
  json out = {{"name", a.name},
              {"type", a.type},
              {"multiValued", a.multi},
              {"description", a.description},
              {"required", a.required},
              {"mutability", a.mutability},
              {"returned", a.returned}};
  if (std::string(a.type) == "string" || std::string(a.type) == "reference") {
    out["caseExact"] = a.case_exact;
    out["uniqueness"] = a.uniqueness;
  }
  if (!sub.is_null()) out["subAttributes"] = std::move(sub);
  return out;
}

// value/display/type/primary: the sub-attributes of SCIM multi-valued attributes.
json multi_valued_subs(const char* what, json types = nullptr) {
  json subs = json::array({
      attribute({.name = "value", .description = what}),
      attribute({.name = "display", .description = "A human-readable name, for display only"}),
      attribute({.name = "type", .description = "A label such as work, home or other"}),
      attribute({.name = "primary", .type = "boolean", .description = "The preferred value"}),
  });
  if (!types.is_null()) subs[2]["canonicalValues"] = std::move(types);
  return subs;
}

json schema_document(const char* id, const char* name, const char* description, json attributes) {
  return {{"schemas", json::array({"urn:ietf:params:scim:schemas:core:2.0:Schema"})},
          {"id", id},
          {"name", name},
          {"description", description},
          {"attributes", std::move(attributes)},
          {"meta", {{"resourceType", "Schema"}, {"location", std::string("/scim/v2/Schemas/") + id}}}};
}

json user_schema() {
  json name_subs = json::array({
      attribute({.name = "formatted", .description = "The full name, formatted for display"}),
      attribute({.name = "familyName", .description = "Family name (surname)"}),
      attribute({.name = "givenName", .description = "Given (first) name"}),
      attribute({.name = "middleName", .description = "Middle name or patronymic"}),
      attribute({.name = "honorificPrefix", .description = "e.g. Dr."}),
      attribute({.name = "honorificSuffix", .description = "e.g. Jr."}),
  });
  json group_subs = json::array({
      attribute({.name = "value", .mutability = "readOnly", .description = "The group's id"}),
      attribute({.name = "$ref", .type = "reference", .mutability = "readOnly",
                 .description = "The group's URI"}),
      attribute({.name = "display", .mutability = "readOnly", .description = "The group's displayName"}),
      attribute({.name = "type", .mutability = "readOnly", .description = "direct"}),
  });
  json attrs = json::array({
      attribute({.name = "userName", .required = true, .uniqueness = "server",
                 .description = "Unique login name; compared case-insensitively"}),
      attribute({.name = "name", .type = "complex", .description = "The components of the user's name"},
                name_subs),
      attribute({.name = "displayName", .description = "The name shown in the platform"}),
      attribute({.name = "nickName", .description = "Casual name"}),
      attribute({.name = "title", .description = "Job title"}),
      attribute({.name = "userType", .description = "e.g. Employee, Contractor"}),
      attribute({.name = "preferredLanguage", .description = "RFC 7231 language tag"}),
      attribute({.name = "locale", .description = "e.g. ru-RU"}),
      attribute({.name = "timezone", .description = "IANA time zone, e.g. Europe/Moscow"}),
      attribute({.name = "active", .type = "boolean",
                 .description = "false blocks login (the account is kept)"}),
      attribute({.name = "password", .mutability = "writeOnly", .returned = "never",
                 .description = "Accepted and discarded by the simulator"}),
      attribute({.name = "emails", .type = "complex", .multi = true, .description = "E-mail addresses"},
                multi_valued_subs("The e-mail address", json::array({"work", "home", "other"}))),
      attribute({.name = "phoneNumbers", .type = "complex", .multi = true, .description = "Phone numbers"},
                multi_valued_subs("The phone number", json::array({"work", "mobile", "home", "other"}))),
      attribute({.name = "photos", .type = "complex", .multi = true, .description = "Photo URLs"},
                multi_valued_subs("The photo URL")),
      attribute({.name = "addresses", .type = "complex", .multi = true, .description = "Postal addresses"},
                json::array({attribute({.name = "formatted"}), attribute({.name = "streetAddress"}),
                             attribute({.name = "locality"}), attribute({.name = "region"}),
                             attribute({.name = "postalCode"}), attribute({.name = "country"}),
                             attribute({.name = "type"})})),
      attribute({.name = "groups", .type = "complex", .multi = true, .mutability = "readOnly",
                 .description = "Groups the user belongs to; change them through Groups"},
                group_subs),
  });
  return schema_document(kUserSchema, "User", "User Account", std::move(attrs));
}

json enterprise_schema() {
  json attrs = json::array({
      attribute({.name = "employeeNumber", .description = "Personnel number from the HR system"}),
      attribute({.name = "costCenter", .description = "Cost center"}),
      attribute({.name = "organization", .description = "Organization (legal entity)"}),
      attribute({.name = "division", .description = "Division"}),
      attribute({.name = "department", .description = "Department name (display only; the tree "
                                                      "position is the profile's departmentId)"}),
      attribute({.name = "manager", .type = "complex", .description = "The user's manager"},
                json::array({attribute({.name = "value", .description = "The manager's user id"}),
                             attribute({.name = "$ref", .type = "reference"}),
                             attribute({.name = "displayName", .mutability = "readOnly"})})),
  });
  return schema_document(kEnterpriseSchema, "EnterpriseUser", "Enterprise User", std::move(attrs));
}

json profile_schema() {
  json attrs = json::array({
      attribute({.name = "skills", .multi = true, .description = "Skills and tags shown on the profile"}),
      attribute({.name = "location", .description = "Office or city"}),
      attribute({.name = "birthday", .description = "YYYY-MM-DD"}),
      attribute({.name = "hireDate", .description = "YYYY-MM-DD"}),
      attribute({.name = "departmentId", .description = "Id of the user's department (/api/v1/departments)"}),
      attribute({.name = "photo", .type = "reference", .mutability = "readOnly",
                 .description = "URL of the profile photo (/api/v1/users/{id}/photo); set by uploading one"}),
      attribute({.name = "photoSha256", .mutability = "readOnly", .case_exact = true,
                 .description = "Lower-case hex SHA-256 of the profile photo's bytes (its ETag), so a "
                                "client can compare photos without downloading them"}),
      attribute({.name = "managedBy", .description = "The tool that provisions this account, e.g. daoctl"}),
  });
  return schema_document(kProfileSchema, "DaOfficeProfile", "DaOffice employee profile",
                         std::move(attrs));
}

json group_schema() {
  json attrs = json::array({
      attribute({.name = "displayName", .required = true, .uniqueness = "server",
                 .description = "Unique group name"}),
      attribute({.name = "members", .type = "complex", .multi = true, .description = "Group members"},
                json::array({attribute({.name = "value", .mutability = "immutable",
                                        .description = "The member's user id"}),
                             attribute({.name = "$ref", .type = "reference", .mutability = "immutable"}),
                             attribute({.name = "display", .mutability = "readOnly"}),
                             attribute({.name = "type", .mutability = "immutable",
                                        .description = "User"})})),
  });
  return schema_document(kGroupSchema, "Group", "Group", std::move(attrs));
}

}  // namespace

json service_provider_config() {
  return {
      {"schemas", json::array({"urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"})},
      {"documentationUri", "https://daoffice.example/docs/scim"},
      {"patch", {{"supported", true}}},
      {"bulk", {{"supported", false}, {"maxOperations", 0}, {"maxPayloadSize", 0}}},
      {"filter", {{"supported", true}, {"maxResults", 1000}}},
      {"changePassword", {{"supported", false}}},
      {"sort", {{"supported", false}}},
      {"etag", {{"supported", true}}},
      {"authenticationSchemes",
       json::array({{{"type", "oauthbearertoken"},
                     {"name", "OAuth Bearer Token"},
                     {"description", "An admin API token in the Authorization header"},
                     {"primary", true}}})},
      {"urn:daoffice:scim:config:1.0", {{"maxPatchOperations", kMaxMemberOperations}}},
      {"meta", {{"resourceType", "ServiceProviderConfig"}, {"location", "/scim/v2/ServiceProviderConfig"}}},
  };
}

json resource_types() {
  json user = {
      {"schemas", json::array({"urn:ietf:params:scim:schemas:core:2.0:ResourceType"})},
      {"id", "User"},
      {"name", "User"},
      {"endpoint", "/Users"},
      {"description", "User Account"},
      {"schema", kUserSchema},
      {"schemaExtensions", json::array({{{"schema", kEnterpriseSchema}, {"required", false}},
                                        {{"schema", kProfileSchema}, {"required", false}}})},
      {"meta", {{"resourceType", "ResourceType"}, {"location", "/scim/v2/ResourceTypes/User"}}}};
  json group = {
      {"schemas", json::array({"urn:ietf:params:scim:schemas:core:2.0:ResourceType"})},
      {"id", "Group"},
      {"name", "Group"},
      {"endpoint", "/Groups"},
      {"description", "Group"},
      {"schema", kGroupSchema},
      {"meta", {{"resourceType", "ResourceType"}, {"location", "/scim/v2/ResourceTypes/Group"}}}};
  return json::array({user, group});
}

json schema_documents() {
  return json::array({user_schema(), enterprise_schema(), profile_schema(), group_schema()});
}

}  // namespace daoctl::sim::scim
