#include "core/sync/scim_mapping.hpp"

#include <algorithm>
#include <cctype>

namespace daoctl::sync {

using nlohmann::json;

namespace {

std::string ascii_lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

void set_string(Fields& f, std::string_view field, const json& obj, const char* key) {
  if (obj.is_object() && obj.contains(key) && obj[key].is_string() &&
      !obj[key].get_ref<const std::string&>().empty())
    f[std::string(field)] = obj[key].get<std::string>();
}

bool is_enterprise(std::string_view field) {
  return field == "employeeNumber" || field == "organization" || field == "division" ||
         field == "costCenter";
}

bool is_profile(std::string_view field) {
  return field == "skills" || field == "location" || field == "birthday" || field == "hireDate";
}

// Canonical comparable form: null -> empty list, string -> [s], list -> list, bool -> ["true"|"false"].
std::vector<std::string> canonical(const mapping::Value& v) {
  if (v.is_null()) return {};
  if (const auto* s = v.string()) return s->empty() ? std::vector<std::string>{} : std::vector{*s};
  if (const auto* l = v.list()) return *l;
  const bool* b = v.boolean();
  return {b != nullptr && *b ? "true" : "false"};
}

}  // namespace

PlatformUser user_from_scim(const json& r, const std::map<std::string, std::string>& department_paths) {
  PlatformUser u;
  u.id = r.value("id", "");
  u.external_id = r.value("externalId", "");
  u.user_name = r.value("userName", "");
  u.active = r.value("active", true);
  if (r.contains("meta")) u.version = r["meta"].value("version", "");
  Fields& f = u.fields;
  if (r.contains("emails") && r["emails"].is_array() && !r["emails"].empty()) {
    const json* chosen = &r["emails"][0];
    for (const auto& e : r["emails"])
      if (e.value("primary", false)) chosen = &e;
    set_string(f, "email", *chosen, "value");
  }
  if (r.contains("name")) {
    set_string(f, "name.givenName", r["name"], "givenName");
    set_string(f, "name.familyName", r["name"], "familyName");
    set_string(f, "name.middleName", r["name"], "middleName");
  }
  set_string(f, "displayName", r, "displayName");
  set_string(f, "title", r, "title");
  if (r.contains("phoneNumbers") && r["phoneNumbers"].is_array())
    for (const auto& p : r["phoneNumbers"])
      if (p.value("type", "work") == "work") set_string(f, "phone", p, "value");
  f["active"] = u.active;
  const std::string ent(kEnterpriseUrn), prof(kProfileUrn);
  if (r.contains(ent)) {
    const json& e = r[ent];
    for (const char* k : {"employeeNumber", "organization", "division", "costCenter"})
      set_string(f, k, e, k);
    if (e.contains("manager") && e["manager"].is_object()) u.manager_id = e["manager"].value("value", "");
    set_string(f, "department", e, "department");  // scim target: the name; replaced below by a path
  }
  if (r.contains(prof)) {
    const json& p = r[prof];
    for (const char* k : {"location", "birthday", "hireDate"}) set_string(f, k, p, k);
    if (p.contains("skills") && p["skills"].is_array() && !p["skills"].empty())
      f["skills"] = p["skills"].get<std::vector<std::string>>();
    u.department_id = p.value("departmentId", "");
    u.managed_by = p.value("managedBy", "");
    if (!u.department_id.empty()) {
      auto it = department_paths.find(u.department_id);
      if (it != department_paths.end()) f["department"] = it->second;
    }
  }
  if (r.contains("groups") && r["groups"].is_array())
    for (const auto& g : r["groups"]) u.group_ids.push_back(g.value("value", ""));
  return u;
}

std::string scim_path_of(std::string_view field, TargetKind target) {
  if (field == "email") return "emails";
  if (field == "phone") return "phoneNumbers";
  if (field == "department" || field == "manager" || field == "photo") return "";
  if (is_enterprise(field)) return std::string(kEnterpriseUrn) + ":" + std::string(field);
  if (is_profile(field)) return target == TargetKind::Platform
                                    ? std::string(kProfileUrn) + ":" + std::string(field)
                                    : "";
  return std::string(field);  // userName, externalId, name.*, displayName, title, active
}

json scim_value_of(std::string_view field, const mapping::Value& value) {
  if (field == "active") return mapping::truthy(value);
  if (field == "skills") return canonical(value);
  auto c = canonical(value);
  if (c.empty()) return nullptr;
  if (field == "email") return json::array({{{"value", c[0]}, {"type", "work"}, {"primary", true}}});
  if (field == "phone") return json::array({{{"value", c[0]}, {"type", "work"}}});
  return c[0];
}

bool same_value(std::string_view field, const mapping::Value& a, const mapping::Value& b) {
  if (field == "active") return mapping::truthy(a) == mapping::truthy(b);
  auto ca = canonical(a), cb = canonical(b);
  if (field == "email" || field == "userName") {
    for (auto& s : ca) s = ascii_lower(s);
    for (auto& s : cb) s = ascii_lower(s);
  }
  return ca == cb;
}

json scim_resource_for(const DesiredUser& u, TargetKind target, const std::string& managed_by,
                       const std::string& department_id, const std::string& department_name) {
  json r;
  r["schemas"] = json::array({"urn:ietf:params:scim:schemas:core:2.0:User",
                              std::string(kEnterpriseUrn)});
  if (target == TargetKind::Platform) r["schemas"].push_back(std::string(kProfileUrn));
  r["externalId"] = u.external_id;
  r["userName"] = u.user_name;
  r["active"] = u.active;
  json ent = json::object(), prof = json::object();
  for (const auto& [field, value] : u.fields) {
    auto c = canonical(value);
    if (c.empty() && field != "skills") continue;
    if (field == "email") r["emails"] = scim_value_of(field, value);
    else if (field.starts_with("name.")) r["name"][field.substr(5)] = c[0];
    else if (field == "displayName" || field == "title") r[field] = c[0];
    else if (field == "phone") r["phoneNumbers"] = scim_value_of(field, value);
    else if (is_enterprise(field)) ent[field] = c[0];
    else if (is_profile(field) && target == TargetKind::Platform) prof[field] = scim_value_of(field, value);
  }
  if (!department_name.empty()) ent["department"] = department_name;
  if (target == TargetKind::Platform) {
    if (!department_id.empty()) prof["departmentId"] = department_id;
    prof["managedBy"] = managed_by;
    r[std::string(kProfileUrn)] = prof;
  }
  if (!ent.empty()) r[std::string(kEnterpriseUrn)] = ent;
  return r;
}

}  // namespace daoctl::sync
