#include "commands/common/scim_lookup.hpp"

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

namespace {

json find_resource(CommandContext& ctx, const std::string& collection, const std::string& kind,
                   const std::string& ref, const std::string& filter) {
  auto& client = ctx.client();
  const std::string object = kind + " " + ref;
  auto by_id = client.get_json("/scim/v2/" + collection + "/" + platform::url_encode_segment(ref),
                               object);
  if (by_id) return *by_id;
  if (by_id.error().kind != ErrorKind::NotFound) throw CommandError(std::move(by_id.error()));
  std::vector<json> found;
  value_or_throw(client.scim_list("/scim/v2/" + collection, filter, 2, [&](const json& page) {
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
  return find_resource(ctx, "Users", "user", ref, attribute + " eq " + scim_quote(ref));
}

json find_group(CommandContext& ctx, const std::string& ref) {
  return find_resource(ctx, "Groups", "group", ref, "displayName eq " + scim_quote(ref));
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
