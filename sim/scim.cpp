#include "sim/scim.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "sim/text.hpp"

namespace daoctl::sim::scim {

using nlohmann::json;

namespace {

// Canonical spellings: SCIM attribute names are case-insensitive (RFC 7643
// §2.1), the stored documents use these.
const std::vector<std::string>& core_user_attributes() {
  static const std::vector<std::string> names = {
      "schemas",   "id",          "externalId",        "meta",     "userName",     "name",
      "displayName", "nickName",  "profileUrl",        "title",    "userType",     "preferredLanguage",
      "locale",    "timezone",    "active",            "password", "emails",       "phoneNumbers",
      "ims",       "photos",      "addresses",         "groups",   "entitlements", "roles",
      "x509Certificates"};
  return names;
}
const std::vector<std::string>& enterprise_attributes() {
  static const std::vector<std::string> names = {"employeeNumber", "costCenter", "organization",
                                                 "division", "department", "manager"};
  return names;
}
const std::vector<std::string>& profile_attributes() {
  static const std::vector<std::string> names = {"skills",       "location", "birthday",    "hireDate",
                                                 "departmentId", "photo",    "photoSha256", "managedBy"};
  return names;
}
const std::vector<std::string>& sub_attributes() {
  static const std::vector<std::string> names = {
      "formatted", "familyName", "givenName", "middleName", "honorificPrefix", "honorificSuffix",
      "value", "display", "type", "primary", "displayName", "$ref"};
  return names;
}

std::string canonical(std::string_view name, const std::vector<std::string>& known) {
  auto lower = utf8_lower(name);
  for (const auto& k : known)
    if (utf8_lower(k) == lower) return k;
  return std::string(name);
}

// "" for the core schema, the extension URN otherwise; nullopt if unknown.
std::optional<std::string> canonical_schema(std::string_view urn) {
  auto lower = utf8_lower(urn);
  for (const char* s : {kUserSchema, kEnterpriseSchema, kProfileSchema})
    if (utf8_lower(s) == lower) return std::string(s) == kUserSchema ? "" : std::string(s);
  return std::nullopt;
}

const std::vector<std::string>& attributes_of(const std::string& schema) {
  if (schema == kEnterpriseSchema) return enterprise_attributes();
  if (schema == kProfileSchema) return profile_attributes();
  return core_user_attributes();
}

void canonicalize_object(json& object, const std::vector<std::string>& known) {
  if (!object.is_object()) return;
  json out = json::object();
  for (auto& [key, value] : object.items()) {
    auto name = canonical(key, known);
    if (value.is_object()) canonicalize_object(value, sub_attributes());
    if (value.is_array())
      for (auto& item : value) canonicalize_object(item, sub_attributes());
    out[name] = std::move(value);
  }
  object = std::move(out);
}

std::unexpected<ApiError> invalid(std::string detail, const char* type = "invalidValue") {
  return api_fail(400, std::move(detail), type);
}

std::optional<bool> as_boolean(const json& v) {
  if (v.is_boolean()) return v.get<bool>();
  // Some provisioning clients (Azure AD among them) send "True"/"False".
  if (v.is_string()) {
    auto s = utf8_lower(v.get<std::string>());
    if (s == "true") return true;
    if (s == "false") return false;
  }
  return std::nullopt;
}

ApiStatus expect_string(const json& doc, const char* name, const std::string& where) {
  auto it = doc.find(name);
  if (it != doc.end() && !it->is_string())
    return invalid(fmt::format("{}{} must be a string", where, name));
  return {};
}

}  // namespace

// ---------------------------------------------------------------- users

ApiResult<UserRecord> user_record(json doc) {
  if (!doc.is_object()) return invalid("a User must be a JSON object", "invalidSyntax");
  json out = json::object();
  for (auto& [key, value] : doc.items()) {
    if (utf8_lower(key).starts_with("urn:")) {
      auto schema = canonical_schema(key);
      if (!schema) return invalid(fmt::format("unknown schema extension \"{}\"", key));
      if (schema->empty()) continue;  // attributes under the core URN key are not used
      if (!value.is_object()) return invalid(fmt::format("{} must be an object", *schema));
      canonicalize_object(value, attributes_of(*schema));
      if (*schema == kProfileSchema) {
        // Read-only (RFC 7643 §2.2: ignored when sent): the stored photo
        // decides them (Store::with_photo_attributes).
        value.erase("photo");
        value.erase("photoSha256");
      }
      if (!value.empty()) out[*schema] = std::move(value);
      continue;
    }
    auto name = canonical(key, core_user_attributes());
    if (name == "id" || name == "meta" || name == "groups" || name == "schemas") continue;
    // Write-only and never stored: the simulator does not authenticate users.
    if (name == "password") continue;
    if (value.is_null()) continue;
    if (value.is_object()) canonicalize_object(value, sub_attributes());
    if (value.is_array())
      for (auto& item : value) canonicalize_object(item, sub_attributes());
    out[name] = std::move(value);
  }

  UserRecord rec;
  auto user_name = out.find("userName");
  if (user_name == out.end() || !user_name->is_string() || user_name->get<std::string>().empty())
    return invalid("userName is required and must be a non-empty string");
  rec.user_name = user_name->get<std::string>();
  for (const char* name : {"externalId", "displayName", "title", "nickName", "userType", "locale",
                           "timezone", "preferredLanguage", "profileUrl"})
    if (auto ok = expect_string(out, name, ""); !ok) return std::unexpected(ok.error());
  if (auto it = out.find("externalId"); it != out.end()) rec.external_id = it->get<std::string>();
  if (auto it = out.find("active"); it != out.end()) {
    auto b = as_boolean(*it);
    if (!b) return invalid("active must be true or false");
    *it = *b;
    rec.active = *b;
  }
  if (auto it = out.find("name"); it != out.end() && !it->is_object())
    return invalid("name must be an object");
  for (const char* multi : {"emails", "phoneNumbers", "addresses", "photos", "ims", "roles",
                            "entitlements", "x509Certificates"}) {
    auto it = out.find(multi);
    if (it == out.end()) continue;
    if (!it->is_array()) return invalid(fmt::format("{} must be an array", multi));
    for (const auto& item : *it)
      if (!item.is_object()) return invalid(fmt::format("every item of {} must be an object", multi));
  }
  if (auto it = out.find("emails"); it != out.end()) {
    for (const auto& e : *it) {
      auto v = e.find("value");
      if (v == e.end() || !v->is_string() || v->get<std::string>().empty())
        return invalid("every item of emails needs a non-empty string value");
      rec.emails.push_back(v->get<std::string>());
    }
  }
  if (auto it = out.find("displayName"); it != out.end()) {
    rec.display_name = it->get<std::string>();
  } else if (auto name = out.find("name"); name != out.end() && name->contains("formatted") &&
                                           (*name)["formatted"].is_string()) {
    rec.display_name = (*name)["formatted"].get<std::string>();
  } else {
    rec.display_name = rec.user_name;
  }
  if (auto ext = out.find(kEnterpriseSchema); ext != out.end()) {
    for (const char* name : {"employeeNumber", "costCenter", "organization", "division", "department"})
      if (auto ok = expect_string(*ext, name, std::string(kEnterpriseSchema) + ":"); !ok)
        return std::unexpected(ok.error());
    if (auto m = ext->find("manager"); m != ext->end()) {
      if (!m->is_object() || (m->contains("value") && !(*m)["value"].is_string()))
        return invalid(std::string(kEnterpriseSchema) + ":manager must be an object with a string value");
    }
  }
  if (auto ext = out.find(kProfileSchema); ext != out.end()) {
    for (const char* name : {"location", "birthday", "hireDate", "photo", "managedBy"})
      if (auto ok = expect_string(*ext, name, std::string(kProfileSchema) + ":"); !ok)
        return std::unexpected(ok.error());
    if (auto s = ext->find("skills"); s != ext->end()) {
      if (!s->is_array() || !std::all_of(s->begin(), s->end(), [](const json& v) { return v.is_string(); }))
        return invalid(std::string(kProfileSchema) + ":skills must be an array of strings");
    }
    if (auto d = ext->find("departmentId"); d != ext->end()) {
      if (d->is_number_unsigned()) *d = std::to_string(d->get<std::uint64_t>());
      if (!d->is_null()) {
        auto id = d->is_string() ? parse_id(d->get<std::string>()) : std::nullopt;
        if (!id)
          return invalid(fmt::format("{}:departmentId must be a department id, got {}", kProfileSchema,
                                     d->dump()));
        rec.department_id = *id;
      } else {
        ext->erase("departmentId");
      }
    }
  }
  json schemas = json::array({kUserSchema});
  if (out.contains(kEnterpriseSchema)) schemas.push_back(kEnterpriseSchema);
  if (out.contains(kProfileSchema)) schemas.push_back(kProfileSchema);
  out["schemas"] = std::move(schemas);
  rec.body = out.dump();
  return rec;
}

json user_document(const StoredUser& user) { return json::parse(user.body); }

std::string render_user(const StoredUser& user, const std::vector<GroupRef>& groups) {
  std::string out;
  out.reserve(user.body.size() + 256);
  out += R"({"id":")";
  out += std::to_string(user.id);
  out += "\",";
  if (!groups.empty()) {
    out += R"("groups":[)";
    for (std::size_t i = 0; i < groups.size(); ++i) {
      if (i) out += ',';
      out += R"({"value":")";
      out += std::to_string(groups[i].id);
      out += R"(","display":)";
      out += json(groups[i].display_name).dump();
      out += R"(,"$ref":"/scim/v2/Groups/)";
      out += std::to_string(groups[i].id);
      out += R"(","type":"direct"})";
    }
    out += "],";
  }
  out += R"("meta":{"resourceType":"User","created":")";
  out += user.created_at;
  out += R"(","lastModified":")";
  out += user.updated_at;
  out += R"(","version":"W/\")";
  out += std::to_string(user.version);
  out += R"(\"","location":"/scim/v2/Users/)";
  out += std::to_string(user.id);
  out += "\"},";
  out.append(user.body, 1);  // the stored body is a non-empty object: "{...}"
  return out;
}

// ---------------------------------------------------------------- PATCH

namespace {

struct PatchPath {
  std::string schema;     // "" for core attributes, else an extension URN
  std::string attribute;  // "" addresses the whole extension object
  std::optional<std::vector<FilterTerm>> filter;
  std::string sub_attribute;
};

ApiResult<PatchPath> parse_path(std::string_view path) {
  PatchPath out;
  std::string_view rest = path;
  if (utf8_lower(path).starts_with("urn:")) {
    bool matched = false;
    for (const char* s : {kEnterpriseSchema, kProfileSchema, kUserSchema}) {
      std::string_view urn(s);
      if (path.size() >= urn.size() && utf8_lower(path.substr(0, urn.size())) == utf8_lower(urn) &&
          (path.size() == urn.size() || path[urn.size()] == ':')) {
        out.schema = urn == kUserSchema ? "" : std::string(urn);
        rest = path.size() == urn.size() ? std::string_view() : path.substr(urn.size() + 1);
        matched = true;
        break;
      }
    }
    if (!matched) return invalid(fmt::format("path \"{}\" names an unknown schema", path));
    if (rest.empty()) {
      if (out.schema.empty()) return invalid(fmt::format("path \"{}\" names no attribute", path));
      return out;
    }
  }
  auto bracket = rest.find('[');
  auto dot = rest.find('.');
  if (bracket != std::string_view::npos && (dot == std::string_view::npos || bracket < dot)) {
    auto close = rest.rfind(']');
    if (close == std::string_view::npos || close < bracket)
      return invalid(fmt::format("path \"{}\": '[' without ']'", path));
    out.attribute = std::string(rest.substr(0, bracket));
    auto terms = parse_filter(rest.substr(bracket + 1, close - bracket - 1));
    if (!terms) return invalid(fmt::format("path \"{}\": {}", path, terms.error().detail));
    out.filter = std::move(*terms);
    auto after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != '.' || after.size() < 2)
        return invalid(fmt::format("path \"{}\": expected '.subAttribute' after ']'", path));
      out.sub_attribute = canonical(after.substr(1), sub_attributes());
    }
  } else if (dot != std::string_view::npos) {
    out.attribute = std::string(rest.substr(0, dot));
    out.sub_attribute = canonical(rest.substr(dot + 1), sub_attributes());
  } else {
    out.attribute = std::string(rest);
  }
  if (out.attribute.empty()) return invalid(fmt::format("path \"{}\" names no attribute", path));
  out.attribute = canonical(out.attribute, attributes_of(out.schema));
  return out;
}

bool element_matches(const json& element, const std::vector<FilterTerm>& terms) {
  if (!element.is_object()) return false;
  for (const auto& t : terms) {
    auto key = canonical(t.attribute, sub_attributes());
    auto it = element.find(key);
    if (it == element.end()) return false;
    if (it->is_string() && t.value.is_string()) {
      const std::string have = utf8_lower(it->get<std::string>()), want = utf8_lower(t.value.get<std::string>());
      if (t.prefix ? !have.starts_with(want) : have != want) return false;
    } else if (t.prefix) {
      return false;
    } else if (*it != t.value) {
      return false;
    }
  }
  return true;
}

// add/replace of an object into an object merges sub-attributes (RFC 7644 §3.5.2.1/.3).
void merge_into(json& target, const json& value) {
  if (!target.is_object()) target = json::object();
  for (auto& [k, v] : value.items()) target[k] = v;
}

ApiStatus apply_operation(json& doc, const std::string& op, const PatchPath& path, const json& value,
                          const std::string& raw_path) {
  if (path.schema.empty() && (path.attribute == "id" || path.attribute == "meta" ||
                              path.attribute == "groups" || path.attribute == "schemas"))
    return invalid(fmt::format("attribute \"{}\" is read-only", raw_path), "mutability");
  json* container = &doc;
  if (!path.schema.empty()) {
    if (!doc.contains(path.schema)) {
      if (op == "remove") return {};
      doc[path.schema] = json::object();
    }
    container = &doc[path.schema];
    if (path.attribute.empty()) {
      if (op == "remove") {
        doc.erase(path.schema);
        return {};
      }
      if (!value.is_object()) return invalid(fmt::format("value for \"{}\" must be an object", raw_path));
      merge_into(*container, value);
      return {};
    }
  }
  json& c = *container;
  if (path.filter) {
    auto it = c.find(path.attribute);
    std::vector<std::size_t> hits;
    if (it != c.end() && it->is_array())
      for (std::size_t i = 0; i < it->size(); ++i)
        if (element_matches((*it)[i], *path.filter)) hits.push_back(i);
    if (hits.empty()) return invalid(fmt::format("no value matches \"{}\"", raw_path), "noTarget");
    json& array = *it;
    if (op == "remove") {
      for (auto i = hits.rbegin(); i != hits.rend(); ++i) {
        if (path.sub_attribute.empty())
          array.erase(*i);
        else
          array[*i].erase(path.sub_attribute);
      }
      return {};
    }
    for (auto i : hits) {
      if (!path.sub_attribute.empty())
        array[i][path.sub_attribute] = value;
      else if (value.is_object())
        merge_into(array[i], value);
      else
        return invalid(fmt::format("value for \"{}\" must be an object", raw_path));
    }
    return {};
  }
  if (!path.sub_attribute.empty()) {
    if (op == "remove") {
      if (auto it = c.find(path.attribute); it != c.end() && it->is_object()) it->erase(path.sub_attribute);
      return {};
    }
    json& target = c[path.attribute];
    if (!target.is_object()) target = json::object();
    target[path.sub_attribute] = value;
    return {};
  }
  if (op == "remove") {
    auto it = c.find(path.attribute);
    if (it == c.end()) return {};
    // Removing listed values from a multi-valued attribute (the form Azure AD sends).
    if (value.is_array() && it->is_array()) {
      json kept = json::array();
      for (const auto& item : *it)
        if (std::find(value.begin(), value.end(), item) == value.end()) kept.push_back(item);
      *it = std::move(kept);
    } else {
      c.erase(it);
    }
    return {};
  }
  auto it = c.find(path.attribute);
  if (op == "add" && it != c.end() && it->is_array()) {
    for (const auto& item : value.is_array() ? value : json::array({value}))
      if (std::find(it->begin(), it->end(), item) == it->end()) it->push_back(item);
    return {};
  }
  if (it != c.end() && it->is_object() && value.is_object()) {
    merge_into(*it, value);
    return {};
  }
  c[path.attribute] = value;
  return {};
}

struct Operation {
  std::string op;
  std::optional<std::string> path;
  json value;
};

ApiResult<std::vector<Operation>> read_operations(const json& request) {
  if (!request.is_object()) return invalid("a PatchOp request must be a JSON object", "invalidSyntax");
  const json* ops = nullptr;
  for (auto& [k, v] : request.items())
    if (utf8_lower(k) == "operations") ops = &v;
  if (!ops || !ops->is_array() || ops->empty())
    return invalid("PatchOp needs a non-empty Operations array", "invalidSyntax");
  std::vector<Operation> out;
  for (const auto& raw : *ops) {
    if (!raw.is_object()) return invalid("every operation must be an object", "invalidSyntax");
    Operation o;
    for (auto& [k, v] : raw.items()) {
      auto key = utf8_lower(k);
      if (key == "op" && v.is_string()) o.op = utf8_lower(v.get<std::string>());
      if (key == "path" && v.is_string()) o.path = v.get<std::string>();
      if (key == "value") o.value = v;
    }
    if (o.op != "add" && o.op != "remove" && o.op != "replace")
      return invalid(fmt::format("unknown op {} (expected add, remove or replace)", raw.value("op", json()).dump()),
                     "invalidSyntax");
    if (o.op == "remove" && !o.path) return invalid("remove needs a path", "noTarget");
    if (o.op != "remove" && o.value.is_null())
      return invalid(fmt::format("{} needs a value", o.op), "invalidSyntax");
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace

ApiResult<json> patch_user(json doc, const json& request) {
  auto ops = read_operations(request);
  if (!ops) return std::unexpected(ops.error());
  for (const auto& o : *ops) {
    if (o.path) {
      auto path = parse_path(*o.path);
      if (!path) return std::unexpected(path.error());
      if (auto ok = apply_operation(doc, o.op, *path, o.value, *o.path); !ok)
        return std::unexpected(ok.error());
      continue;
    }
    if (!o.value.is_object())
      return invalid(fmt::format("{} without a path needs an object value", o.op));
    // Keys may themselves be paths ("name.givenName", "urn:…:User:department").
    for (auto& [key, value] : o.value.items()) {
      auto path = parse_path(key);
      if (!path) return std::unexpected(path.error());
      if (auto ok = apply_operation(doc, o.op, *path, value, key); !ok) return std::unexpected(ok.error());
    }
  }
  return doc;
}

// ---------------------------------------------------------------- groups

json render_group(const StoredGroup& group, bool with_members) {
  json out = {{"schemas", json::array({kGroupSchema})},
              {"id", std::to_string(group.id)},
              {"displayName", group.display_name}};
  if (group.external_id) out["externalId"] = *group.external_id;
  if (with_members && !group.members.empty()) {
    json members = json::array();
    for (const auto& m : group.members) {
      auto id = std::to_string(m.user_id);
      members.push_back({{"value", id},
                         {"display", m.display_name},
                         {"type", "User"},
                         {"$ref", "/scim/v2/Users/" + id}});
    }
    out["members"] = std::move(members);
  }
  out["meta"] = {{"resourceType", "Group"},
                 {"created", group.created_at},
                 {"lastModified", group.updated_at},
                 {"version", fmt::format("W/\"{}\"", group.version)},
                 {"location", fmt::format("/scim/v2/Groups/{}", group.id)}};
  return out;
}

namespace {
ApiResult<std::vector<std::int64_t>> member_ids(const json& value, std::string_view where) {
  std::vector<std::int64_t> ids;
  const json items = value.is_array() ? value : json::array({value});
  for (const auto& item : items) {
    const json* v = nullptr;
    if (item.is_object()) {
      for (auto& [k, x] : item.items())
        if (utf8_lower(k) == "value") v = &x;
    }
    if (!v || !v->is_string())
      return invalid(fmt::format("{}: every member needs a string value (a user id)", where));
    auto id = parse_id(v->get<std::string>());
    if (!id) return invalid(fmt::format("{}: member \"{}\" names no user", where, v->get<std::string>()));
    ids.push_back(*id);
  }
  return ids;
}

const json* find_ci(const json& object, std::string_view name) {
  for (auto& [k, v] : object.items())
    if (utf8_lower(k) == utf8_lower(name)) return &v;
  return nullptr;
}
}  // namespace

ApiResult<GroupDocument> group_document(const json& document) {
  if (!document.is_object()) return invalid("a Group must be a JSON object", "invalidSyntax");
  GroupDocument out;
  const json* name = find_ci(document, "displayName");
  if (!name || !name->is_string() || name->get<std::string>().empty())
    return invalid("displayName is required and must be a non-empty string");
  out.display_name = name->get<std::string>();
  if (const json* ext = find_ci(document, "externalId"); ext && !ext->is_null()) {
    if (!ext->is_string()) return invalid("externalId must be a string");
    out.external_id = ext->get<std::string>();
  }
  if (const json* members = find_ci(document, "members"); members && !members->is_null()) {
    if (!members->is_array()) return invalid("members must be an array");
    if (members->size() > static_cast<std::size_t>(kMaxMemberOperations) * 100)
      return invalid("members has too many entries", "tooMany");
    auto ids = member_ids(*members, "members");
    if (!ids) return std::unexpected(ids.error());
    out.members = std::move(*ids);
  }
  return out;
}

ApiResult<GroupChange> group_change(const json& request) {
  auto ops = read_operations(request);
  if (!ops) return std::unexpected(ops.error());
  GroupChange change;
  std::set<std::int64_t> add, remove;
  std::size_t member_values = 0;
  auto do_add = [&](const std::vector<std::int64_t>& ids) {
    for (auto id : ids) {
      remove.erase(id);
      add.insert(id);
    }
  };
  auto do_remove = [&](const std::vector<std::int64_t>& ids) {
    for (auto id : ids) {
      add.erase(id);
      remove.insert(id);
    }
  };
  auto do_replace = [&](const std::vector<std::int64_t>& ids) {
    change.replace_members = ids;
    change.remove_all_members = false;
    add.clear();
    remove.clear();
  };
  auto set_attribute = [&](const std::string& attr, const json& value) -> ApiStatus {
    if (attr == "displayname") {
      if (!value.is_string() || value.get<std::string>().empty())
        return invalid("displayName must be a non-empty string");
      change.display_name = value.get<std::string>();
    } else if (attr == "externalid") {
      if (!value.is_string() && !value.is_null()) return invalid("externalId must be a string");
      change.external_id = value.is_null() ? std::optional<std::string>() : value.get<std::string>();
    } else if (attr == "id" || attr == "meta" || attr == "schemas") {
      return invalid(fmt::format("attribute \"{}\" is read-only", attr), "mutability");
    } else {
      return invalid(fmt::format("Groups have no attribute \"{}\"", attr));
    }
    return {};
  };
  for (const auto& o : *ops) {
    if (!o.path) {
      if (!o.value.is_object()) return invalid(fmt::format("{} without a path needs an object value", o.op));
      for (auto& [key, value] : o.value.items()) {
        auto attr = utf8_lower(key);
        if (attr == "members") {
          auto ids = member_ids(value, "members");
          if (!ids) return std::unexpected(ids.error());
          member_values += ids->size();
          if (o.op == "add")
            do_add(*ids);
          else
            do_replace(*ids);
        } else if (auto ok = set_attribute(attr, value); !ok) {
          return std::unexpected(ok.error());
        }
      }
      continue;
    }
    auto raw = *o.path;
    auto lower = utf8_lower(raw);
    if (lower.starts_with(utf8_lower(kGroupSchema) + ":")) {
      lower = lower.substr(std::string_view(kGroupSchema).size() + 1);
      raw = raw.substr(std::string_view(kGroupSchema).size() + 1);
    }
    if (lower.starts_with("members[")) {
      auto path = parse_path(raw);
      if (!path) return std::unexpected(path.error());
      if (o.op != "remove" || !path->sub_attribute.empty())
        return invalid(fmt::format("only remove is supported on \"{}\"", *o.path));
      for (const auto& t : *path->filter) {
        if (t.attribute != "value" || !t.value.is_string())
          return invalid(fmt::format("\"{}\": members can only be selected by value", *o.path));
        auto id = parse_id(t.value.get<std::string>());
        if (!id) return invalid(fmt::format("\"{}\": member \"{}\" names no user", *o.path, t.value.get<std::string>()), "noTarget");
        ++member_values;
        do_remove({*id});
      }
      continue;
    }
    if (lower == "members") {
      if (o.op == "remove" && o.value.is_null()) {
        change.remove_all_members = true;
        change.replace_members.reset();
        add.clear();
        remove.clear();
        continue;
      }
      auto ids = member_ids(o.value, *o.path);
      if (!ids) return std::unexpected(ids.error());
      member_values += ids->size();
      if (o.op == "add")
        do_add(*ids);
      else if (o.op == "remove")
        do_remove(*ids);
      else
        do_replace(*ids);
      continue;
    }
    if (o.op == "remove") {
      if (lower == "externalid") {
        change.external_id = std::optional<std::string>();
        continue;
      }
      return invalid(fmt::format("cannot remove \"{}\" from a Group", *o.path), "mutability");
    }
    if (auto ok = set_attribute(lower, o.value); !ok) return std::unexpected(ok.error());
  }
  if (member_values > static_cast<std::size_t>(kMaxMemberOperations))
    return invalid(fmt::format("the request changes {} members; at most {} member operations are "
                               "allowed per PATCH (split it)",
                               member_values, kMaxMemberOperations),
                   "tooMany");
  change.add_members.assign(add.begin(), add.end());
  change.remove_members.assign(remove.begin(), remove.end());
  return change;
}

// ---------------------------------------------------------------- filters

namespace {
std::string strip_core_urn(const std::string& attribute, const char* schema) {
  auto prefix = utf8_lower(schema) + ":";
  if (attribute.starts_with(prefix)) return attribute.substr(prefix.size());
  return attribute;
}

// `column >= prefix AND column < prefix + U+10FFFF`: a prefix match the
// column's index serves (LIKE would not, on a column without NOCASE).
void add_prefix(std::vector<std::string>& parts, SqlCondition& c, const char* column, const std::string& lowered) {
  parts.push_back(fmt::format("({0} >= ? AND {0} < ?)", column));
  c.params.emplace_back(lowered);
  c.params.emplace_back(lowered + "\xF4\x8F\xBF\xBF");
}

std::unexpected<ApiError> no_prefix(const FilterTerm& t, const char* supported) {
  return invalid(fmt::format("'sw' on \"{}\" is not supported (only on {})", t.attribute, supported), "invalidFilter");
}

ApiResult<std::string> string_value(const FilterTerm& t) {
  if (!t.value.is_string())
    return invalid(fmt::format("{} must be compared with a string", t.attribute), "invalidFilter");
  return t.value.get<std::string>();
}
}  // namespace

ApiResult<SqlCondition> user_condition(const std::vector<FilterTerm>& terms) {
  SqlCondition c;
  std::vector<std::string> parts;
  for (const auto& t : terms) {
    auto attr = strip_core_urn(t.attribute, kUserSchema);
    if (attr == "active") {
      if (!t.value.is_boolean()) return invalid("active must be compared with true or false", "invalidFilter");
      parts.push_back("active = ?");
      c.params.emplace_back(std::int64_t{t.value.get<bool>() ? 1 : 0});
      continue;
    }
    auto v = string_value(t);
    if (!v) return std::unexpected(v.error());
    if (t.prefix && attr != "username") return no_prefix(t, "userName");
    if (attr == "username" && t.prefix) {
      add_prefix(parts, c, "user_name_lower", utf8_lower(*v));
    } else if (attr == "username") {
      parts.push_back("user_name_lower = ?");
      c.params.emplace_back(utf8_lower(*v));
    } else if (attr == "externalid") {
      parts.push_back("external_id = ?");
      c.params.emplace_back(*v);
    } else if (attr == "emails.value" || attr == "emails") {
      parts.push_back("id IN (SELECT user_id FROM user_emails WHERE email_lower = ?)");
      c.params.emplace_back(utf8_lower(*v));
    } else if (attr == "id") {
      parts.push_back("id = ?");
      c.params.emplace_back(parse_id(*v).value_or(-1));
    } else if (attr == "displayname") {
      parts.push_back("display_name = ?");
      c.params.emplace_back(*v);
    } else {
      return invalid(fmt::format("filtering Users on \"{}\" is not supported (supported: userName, "
                                 "externalId, emails.value, id, active, displayName)",
                                 t.attribute),
                     "invalidFilter");
    }
  }
  if (!parts.empty()) {
    c.where.clear();
    for (std::size_t i = 0; i < parts.size(); ++i) c.where += (i ? " AND " : "") + parts[i];
  }
  return c;
}

ApiResult<SqlCondition> group_condition(const std::vector<FilterTerm>& terms) {
  SqlCondition c;
  std::vector<std::string> parts;
  for (const auto& t : terms) {
    auto attr = strip_core_urn(t.attribute, kGroupSchema);
    auto v = string_value(t);
    if (!v) return std::unexpected(v.error());
    if (t.prefix && attr != "displayname") return no_prefix(t, "displayName");
    if (attr == "displayname" && t.prefix) {
      add_prefix(parts, c, "display_name_lower", utf8_lower(*v));
    } else if (attr == "displayname") {
      parts.push_back("display_name_lower = ?");
      c.params.emplace_back(utf8_lower(*v));
    } else if (attr == "externalid") {
      parts.push_back("external_id = ?");
      c.params.emplace_back(*v);
    } else if (attr == "id") {
      parts.push_back("id = ?");
      c.params.emplace_back(parse_id(*v).value_or(-1));
    } else if (attr == "members.value" || attr == "members") {
      parts.push_back("id IN (SELECT group_id FROM group_members WHERE user_id = ?)");
      c.params.emplace_back(parse_id(*v).value_or(-1));
    } else {
      return invalid(fmt::format("filtering Groups on \"{}\" is not supported (supported: "
                                 "displayName, externalId, id, members.value)",
                                 t.attribute),
                     "invalidFilter");
    }
  }
  if (!parts.empty()) {
    c.where.clear();
    for (std::size_t i = 0; i < parts.size(); ++i) c.where += (i ? " AND " : "") + parts[i];
  }
  return c;
}

}  // namespace daoctl::sim::scim
