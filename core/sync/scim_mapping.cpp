#include "core/sync/scim_mapping.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

#include <simdjson.h>

#include "core/sync/page_parser.hpp"
#include "core/text/ascii.hpp"

namespace daoctl::sync {

using nlohmann::json;

namespace {


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

namespace {

using simdjson::ondemand::object;
using simdjson::ondemand::value;

std::string_view string_or_empty(value v) {
  std::string_view s;
  if (v.get_string().get(s) != simdjson::SUCCESS) return {};
  return s;
}

void put(Fields& f, std::string_view field, std::string_view text) {
  if (!text.empty()) f[std::string(field)] = std::string(text);
}

// One user object of a ListResponse. Unknown attributes are skipped.
Status read_user(object user, const std::map<std::string, std::string>& department_paths, PlatformUser& u) {
  Fields& f = u.fields;
  f.reserve(8);  // room for the usual fields at once, trimmed to what was read at the end
  for (auto field : user) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return fail(ErrorKind::Remote, "malformed SCIM user", "", "bad key");
    value v = field.value();
    if (key == "id") u.id = string_or_empty(v);
    else if (key == "externalId") u.external_id = string_or_empty(v);
    else if (key == "userName") u.user_name = string_or_empty(v);
    else if (key == "active") {
      bool b = true;
      if (v.get_bool().get(b) == simdjson::SUCCESS) u.active = b;
    } else if (key == "displayName" || key == "title") put(f, key, string_or_empty(v));
    else if (key == "meta") {
      object meta;
      if (v.get_object().get(meta) == simdjson::SUCCESS)
        for (auto m : meta) {
          std::string_view mk;
          if (m.unescaped_key().get(mk) == simdjson::SUCCESS && mk == "version") u.version = string_or_empty(m.value());
        }
    } else if (key == "name") {
      object name;
      if (v.get_object().get(name) == simdjson::SUCCESS)
        for (auto n : name) {
          std::string_view nk;
          if (n.unescaped_key().get(nk) != simdjson::SUCCESS) continue;
          if (nk == "givenName" || nk == "familyName" || nk == "middleName")
            put(f, "name." + std::string(nk), string_or_empty(n.value()));
        }
    } else if (key == "emails" || key == "phoneNumbers") {
      simdjson::ondemand::array items;
      if (v.get_array().get(items) != simdjson::SUCCESS) continue;
      std::string first, primary, work_phone;
      for (auto item : items) {
        object o;
        if (item.get_object().get(o) != simdjson::SUCCESS) continue;
        std::string val, type = "work";
        bool is_primary = false;
        for (auto e : o) {
          std::string_view ek;
          if (e.unescaped_key().get(ek) != simdjson::SUCCESS) continue;
          if (ek == "value") val = string_or_empty(e.value());
          else if (ek == "type") type = string_or_empty(e.value());
          else if (ek == "primary") {
            bool b = false;
            if (e.value().get_bool().get(b) == simdjson::SUCCESS) is_primary = b;
          }
        }
        if (first.empty()) first = val;
        if (is_primary && primary.empty()) primary = val;
        if (type == "work" && work_phone.empty()) work_phone = val;
      }
      if (key == "emails") put(f, "email", primary.empty() ? first : primary);
      else put(f, "phone", work_phone);
    } else if (key == "groups") {
      simdjson::ondemand::array items;
      if (v.get_array().get(items) != simdjson::SUCCESS) continue;
      for (auto item : items) {
        object o;
        if (item.get_object().get(o) != simdjson::SUCCESS) continue;
        for (auto e : o) {
          std::string_view ek;
          if (e.unescaped_key().get(ek) == simdjson::SUCCESS && ek == "value")
            u.group_ids.emplace_back(string_or_empty(e.value()));
        }
      }
    } else if (key == kEnterpriseUrn) {
      object e;
      if (v.get_object().get(e) != simdjson::SUCCESS) continue;
      for (auto a : e) {
        std::string_view ak;
        if (a.unescaped_key().get(ak) != simdjson::SUCCESS) continue;
        if (ak == "manager") {
          object m;
          if (a.value().get_object().get(m) == simdjson::SUCCESS)
            for (auto mv : m) {
              std::string_view mk;
              if (mv.unescaped_key().get(mk) == simdjson::SUCCESS && mk == "value") u.manager_id = string_or_empty(mv.value());
            }
        } else if (is_enterprise(ak) || ak == "department") {
          // department: the scim target's name; replaced below by a path on the platform
          if (ak != "department" || !f.count("department")) put(f, ak, string_or_empty(a.value()));
        }
      }
    } else if (key == kProfileUrn) {
      object p;
      if (v.get_object().get(p) != simdjson::SUCCESS) continue;
      for (auto a : p) {
        std::string_view ak;
        if (a.unescaped_key().get(ak) != simdjson::SUCCESS) continue;
        if (ak == "skills") {
          simdjson::ondemand::array items;
          if (a.value().get_array().get(items) != simdjson::SUCCESS) continue;
          mapping::List skills;
          for (auto s : items) {
            std::string_view sv;
            if (s.get_string().get(sv) == simdjson::SUCCESS) skills.emplace_back(sv);
          }
          if (!skills.empty()) f["skills"] = std::move(skills);
        } else if (ak == "location" || ak == "birthday" || ak == "hireDate") {
          put(f, ak, string_or_empty(a.value()));
        } else if (ak == "departmentId") {
          u.department_id = string_or_empty(a.value());
        } else if (ak == "managedBy") {
          u.managed_by = string_or_empty(a.value());
        } else if (ak == "photoSha256") {
          u.photo_sha256 = string_or_empty(a.value());
        }
      }
    }
  }
  f["active"] = u.active;
  if (!u.department_id.empty()) {
    auto it = department_paths.find(u.department_id);
    if (it != department_paths.end()) f["department"] = it->second;
  }
  f.shrink_to_fit();
  return {};
}

}  // namespace

Status users_from_scim_page(std::string& body, const std::map<std::string, std::string>& department_paths,
                            std::vector<PlatformUser>& out) {
  auto bad = [](const std::string& why) {
    return fail(ErrorKind::Remote, "cannot read a page of SCIM users", "", why);
  };
  const std::size_t size = body.size();
  body.reserve(size + simdjson::SIMDJSON_PADDING);
  auto& parser = page_parser();
  auto doc = parser.iterate(body.data(), size, body.capacity());
  object root;
  if (auto err = doc.get_object().get(root)) return bad(simdjson::error_message(err));
  for (auto field : root) {
    std::string_view key;
    if (auto err = field.unescaped_key().get(key)) return bad(simdjson::error_message(err));
    // The first page's totalResults sizes the list once: a vector doubling
    // to 100k users held the old and the new array at once.
    if (key == "totalResults" && out.empty()) {
      int64_t total = 0;
      if (field.value().get_int64().get(total) == simdjson::SUCCESS && total > 0)
        out.reserve(static_cast<std::size_t>(std::min<int64_t>(total, 10'000'000)));
      continue;
    }
    if (key != "Resources") continue;
    simdjson::ondemand::array resources;
    if (field.value().get_array().get(resources)) return bad("\"Resources\" is not an array");
    for (auto item : resources) {
      object user;
      if (item.get_object().get(user)) return bad("a resource is not an object");
      PlatformUser u;
      if (auto st = read_user(user, department_paths, u); !st) return st;
      out.push_back(std::move(u));
    }
  }
  return {};
}

PlatformUser user_from_scim(const json& r, const std::map<std::string, std::string>& department_paths) {
  // One parser for both paths: the single-user form wraps the resource in a
  // ListResponse and reads it like a page.
  std::string body = json{{"Resources", json::array({r})}}.dump();
  std::vector<PlatformUser> users;
  (void)users_from_scim_page(body, department_paths, users);
  return users.empty() ? PlatformUser{} : std::move(users.front());
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

namespace {

// A value that is at most one string, as a view: null and "" are empty, a
// one-element list is its element. nullopt for several values or a bool.
std::optional<std::string_view> single_of(const mapping::Value& v) {
  if (v.is_null()) return std::string_view();
  if (const auto* s = v.string()) return std::string_view(*s);
  if (const auto* l = v.list()) {
    if (l->empty()) return std::string_view();
    if (l->size() == 1) return std::string_view(l->front());
  }
  return std::nullopt;
}


}  // namespace

bool same_value(std::string_view field, const mapping::Value& a, const mapping::Value& b) {
  if (field == "active") return mapping::truthy(a) == mapping::truthy(b);
  const bool caseless = field == "email" || field == "userName";
  // The common case - two single strings - compares without allocating: a
  // no-op plan over 100k users makes about a million of these comparisons.
  auto sa = single_of(a), sb = single_of(b);
  if (sa && sb) return caseless ? text::iequals(*sa, *sb) : *sa == *sb;
  auto ca = canonical(a), cb = canonical(b);
  if (field == "email" || field == "userName") {
    for (auto& s : ca) s = text::lower_ascii(s);
    for (auto& s : cb) s = text::lower_ascii(s);
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
  for (const auto& [name, value] : u.fields) {
    const std::string& field = name;
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
