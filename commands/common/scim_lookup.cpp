#include "commands/common/scim_lookup.hpp"

#include "connectors/platform/groups_api.hpp"
#include "connectors/platform/users_api.hpp"

namespace daoctl::commands {

std::string scim_quote(std::string_view value) {
  std::string quoted = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

using platform::JsonKind;

namespace {

// A SCIM multi-valued attribute (RFC 7643 2.4): an array of objects whose
// "value" is a string.
void check_multi_valued(const platform::Answer& a, const std::string& pointer) {
  const json& items = a.array(pointer);
  for (std::size_t i = 0; i < items.size(); ++i) {
    a.check(pointer + "/" + std::to_string(i), JsonKind::Object);
    a.check(pointer + "/" + std::to_string(i) + "/value", JsonKind::String);
  }
}

}  // namespace

void check_user(const platform::Answer& a) {
  a.required<std::string>("/id");
  for (const char* field : {"/userName", "/displayName", "/externalId"}) a.check(field, JsonKind::String);
  a.check("/active", JsonKind::Boolean);
  a.check("/name", JsonKind::Object);
  check_multi_valued(a, "/emails");
  a.check(std::string("/") + kEnterpriseUser, JsonKind::Object);
  a.check(std::string("/") + kEnterpriseUser + "/department", JsonKind::String);
}

void check_group(const platform::Answer& a) {
  a.required<std::string>("/id");
  a.check("/displayName", JsonKind::String);
  a.check("/externalId", JsonKind::String);
  check_multi_valued(a, "/members");
}

void check_department(const platform::Answer& a) {
  a.required<std::string>("/id");
  for (const char* field : {"/name", "/parent_id", "/path", "/external_id"}) a.check(field, JsonKind::String);
  a.check("/member_count", JsonKind::Integer);
}

void check_page(const json& items, const std::string& object, const std::string& member,
                void (*check)(const platform::Answer&)) {
  const platform::Answer page(items, object, member);
  for (std::size_t i = 0; i < items.size(); ++i) {
    page.check("/" + std::to_string(i), JsonKind::Object);
    check(page.element(i, items[i]));
  }
}

namespace {

// `api`: platform::UsersApi or platform::GroupsApi.
template <class Api>
json find_resource(Api api, const std::string& kind, const std::string& ref, const std::string& filter,
                   void (*check)(const platform::Answer&)) {
  const std::string object = kind + " " + ref;
  auto by_id = api.get(ref, object);
  if (by_id) {
    platform::Answer(*by_id, object).check("", JsonKind::Object);
    check(platform::Answer(*by_id, object));
    return *by_id;
  }
  if (by_id.error().kind != ErrorKind::NotFound) throw CommandError(std::move(by_id.error()));
  std::vector<json> found;
  value_or_throw(api.list(filter, 2, [&](const json& page) {
    check_page(page, object + " (by " + filter + ")", "/Resources", check);
    for (const auto& r : page) found.push_back(r);
  }));
  if (found.empty()) {
    throw CommandError(ErrorKind::NotFound, kind + " not found", object,
                       "no " + kind + " has this id or " + filter,
                       "list them with: daoctl " + kind + "s list");
  }
  if (found.size() > 1) {
    throw CommandError(ErrorKind::Conflict, "ambiguous " + kind + " reference", object,
                       std::to_string(found.size()) + " " + kind + "s match " + filter,
                       "use the id instead");
  }
  return found.front();
}

}  // namespace

json find_user(CommandContext& ctx, const std::string& ref) {
  const std::string attribute = ref.find('@') != std::string::npos ? "emails.value" : "userName";
  return find_resource(platform::UsersApi(ctx.client()), "user", ref, attribute + " eq " + scim_quote(ref), check_user);
}

json find_group(CommandContext& ctx, const std::string& ref) {
  return find_resource(platform::GroupsApi(ctx.client()), "group", ref, "displayName eq " + scim_quote(ref), check_group);
}

const std::vector<output::Column>& user_columns() {
  static const std::vector<output::Column> columns = {
      {"ID", "/id", {}},
      {"USERNAME", "/userName", {}},
      {"NAME", "/displayName", {}},
      {"EMAIL", "/emails/0/value", {}},
      {"ACTIVE", "/active", {}},
      {"DEPARTMENT", std::string("/") + kEnterpriseUser + "/department", {}},
  };
  return columns;
}

const std::vector<output::Column>& group_columns() {
  static const std::vector<output::Column> columns = {
      {"ID", "/id", {}},
      {"NAME", "/displayName", {}},
      {"MEMBERS", "",
       [](const json& g) {
         return std::to_string(g.contains("members") && g["members"].is_array()
                                   ? g["members"].size()
                                   : 0);
       }},
      {"EXTERNAL ID", "/externalId", {}},
  };
  return columns;
}

}  // namespace daoctl::commands
