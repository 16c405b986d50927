#include <fmt/format.h>

#include <set>
#include <CLI/CLI.hpp>
#include "commands/groups/groups.hpp"

#include "commands/common/command_doc.hpp"
#include "commands/common/confirm.hpp"
#include "commands/common/dry_run.hpp"
#include "commands/common/scim_lookup.hpp"
#include "connectors/platform/groups_api.hpp"
#include "core/text/ascii.hpp"

namespace daoctl::commands {

using platform::GroupsApi;

int run_groups_list(const GroupsListOptions& opts, CommandContext& ctx) {
  std::vector<json> groups;
  long long page_number = 0;
  value_or_throw(GroupsApi(ctx.client()).list(opts.filter, opts.page_size, [&](const json& page) {
    check_page(page, "page " + std::to_string(++page_number) + " of " + GroupsApi::kPath, "/Resources",
               check_group);
    for (const auto& g : page) groups.push_back(g);
  }));
  ctx.print_list(groups, group_columns());
  return exit_code::ok;
}

int run_groups_get(const GroupsGetOptions& opts, CommandContext& ctx) {
  ctx.print_item(find_group(ctx, opts.ref), group_columns());
  return exit_code::ok;
}

int run_groups_create(const GroupsCreateOptions& opts, CommandContext& ctx) {
  json body = {{"schemas", json::array({"urn:ietf:params:scim:schemas:core:2.0:Group"})},
               {"displayName", opts.name},
               {"members", json::array()}};
  if (!opts.external_id.empty()) body["externalId"] = opts.external_id;
  if (opts.dry_run) {
    refuse_taken_name([&] { return find_group(ctx, opts.name); }, "group", opts.name, "displayName");
    return report_dry_run(ctx, "create group " + opts.name,
                          {{"request", GroupsApi::create_request(body).describe()}});
  }
  auto created = value_or_throw(GroupsApi(ctx.client()).create(body, "group " + opts.name));
  check_group(platform::Answer(created, "group " + opts.name));
  ctx.info("created group " + opts.name + " (id " + created.value("id", "?") + ")");
  ctx.print_item(created, group_columns());
  return exit_code::ok;
}

int run_groups_delete(const GroupsDeleteOptions& opts, CommandContext& ctx) {
  const json group = find_group(ctx, opts.ref);
  const platform::Answer found(group, "group " + opts.ref);
  const std::string id = found.required<std::string>("/id");
  const std::string name = found.value("/displayName", opts.ref);
  const std::string members = group.contains("members") && group["members"].is_array()
                                  ? ", " + std::to_string(group["members"].size()) + " member(s)"
                                  : std::string();
  if (opts.dry_run)
    return report_dry_run(ctx, "delete group " + name + " (id " + id + members + ")",
                          {{"group", group}, {"request", GroupsApi::remove_request(id).describe()}});
  confirm_by_typing(ctx, "delete group " + name, "group " + name, name,
                    "Deleting removes group " + name + " (id " + id + members +
                        ") for good; the members' accounts stay.");
  value_or_throw(GroupsApi(ctx.client()).remove(id, "group " + name));
  ctx.info("deleted group " + name + " (id " + id + ")");
  print_deleted(ctx, "group", id, "displayName", name);
  return exit_code::ok;
}

std::vector<json> membership_patches(const std::vector<std::string>& user_ids, bool add,
                                     std::size_t max_operations) {
  std::vector<json> patches;
  for (std::size_t begin = 0; begin < user_ids.size(); begin += max_operations) {
    const std::size_t end = std::min(user_ids.size(), begin + max_operations);
    json ops = json::array();
    if (add) {
      json values = json::array();
      for (std::size_t i = begin; i < end; ++i) values.push_back({{"value", user_ids[i]}});
      ops.push_back({{"op", "add"}, {"path", "members"}, {"value", values}});
    } else {
      for (std::size_t i = begin; i < end; ++i) {
        ops.push_back({{"op", "remove"},
                       {"path", "members[value eq " + scim_quote(user_ids[i]) + "]"}});
      }
    }
    patches.push_back({{"schemas", json::array({kPatchOp})}, {"Operations", ops}});
  }
  return patches;
}

int run_groups_membership(const GroupsMembershipOptions& opts, CommandContext& ctx) {
  const json group = find_group(ctx, opts.group);
  const platform::Answer found(group, "group " + opts.group);
  const std::string id = found.required<std::string>("/id");
  const std::string name = found.value("/displayName", opts.group);
  // Who is a member now, when the server says (a SCIM group may leave members out).
  const bool known = group.contains("members") && group["members"].is_array();
  std::set<std::string> before;
  if (known)
    for (const auto& m : group["members"])
      if (m.is_object() && m.contains("value") && m["value"].is_string()) before.insert(m["value"].get<std::string>());
  std::vector<std::string> change_ids, change_names, unchanged_names;
  std::set<std::string> seen;
  for (const auto& ref : opts.users) {
    const json user = find_user(ctx, ref);
    const platform::Answer u(user, "user " + ref);
    const std::string uid = u.required<std::string>("/id");
    const std::string uname = u.value("/userName", ref);
    if (!seen.insert(uid).second) continue;  // named twice
    const bool member = before.count(uid) != 0;
    if (known && member == opts.add) {
      unchanged_names.push_back(uname);
      continue;
    }
    change_ids.push_back(uid);
    change_names.push_back(uname);
  }
  if (opts.dry_run) {
    if (!change_names.empty())
      ctx.io().err() << fmt::format("dry run: would {} {} member(s) {} group {}: {}{}\n", opts.add ? "add" : "remove",
                                    change_names.size(), opts.add ? "to" : "from", name, fmt::join(change_names, ", "),
                                    known ? "" : " (the server did not list the members: some may be no-ops)");
    for (const auto& u : unchanged_names)
      ctx.io().err() << fmt::format("dry run: {} {} a member of group {}\n", u, opts.add ? "is already" : "is not", name);
    ctx.io().err() << "dry run: nothing was changed\n";
    json patches = json::array();
    for (const auto& patch : membership_patches(change_ids, opts.add))
      patches.push_back(GroupsApi::patch_request(id, patch).describe());
    print_dry_run_data(ctx,
                       fmt::format("{} {} member(s) {} group {}", opts.add ? "add" : "remove", change_names.size(),
                                   opts.add ? "to" : "from", name),
                       {{"group", group},
                        {opts.add ? "adding" : "removing", change_names},
                        {opts.add ? "already_members" : "not_members", unchanged_names},
                        {"requests", patches}});
    return exit_code::ok;
  }
  json last = group;
  GroupsApi api(ctx.client());
  for (const auto& patch : membership_patches(change_ids, opts.add)) {
    json answer = value_or_throw(api.patch(id, patch, "members of group " + name));
    if (answer.is_object() && !answer.empty()) last = std::move(answer);
  }
  if (last.is_object() && !last.empty() && !change_ids.empty()) check_group(platform::Answer(last, "group " + name));
  // What really changed: when the server answers with the members, trust that
  // over what was asked (a remove of someone who was not a member changes nothing).
  if (!known && last.contains("members") && last["members"].is_array()) {
    std::set<std::string> after;
    for (const auto& m : last["members"])
      if (m.is_object() && m.contains("value") && m["value"].is_string()) after.insert(m["value"].get<std::string>());
    std::vector<std::string> ids, names;
    for (std::size_t i = 0; i < change_ids.size(); ++i) {
      if ((after.count(change_ids[i]) != 0) == opts.add) {
        ids.push_back(change_ids[i]);
        names.push_back(change_names[i]);
      } else {
        unchanged_names.push_back(change_names[i]);
      }
    }
    change_ids = std::move(ids);
    change_names = std::move(names);
  }
  if (!change_names.empty())
    ctx.info(fmt::format("{} {} member(s) {} group {}: {}", opts.add ? "added" : "removed", change_names.size(),
                         opts.add ? "to" : "from", name, fmt::join(change_names, ", ")));
  for (const auto& u : unchanged_names)
    ctx.info(fmt::format("{} {} a member of group {}; {}", u, opts.add ? "is already" : "was not",
                         name, opts.add ? "not added again" : "nothing to remove"));
  if (last.is_object() && !last.empty()) ctx.print_item(last, group_columns());
  return exit_code::ok;
}

void register_groups(CLI::App& root, CommandContext& ctx) {
  auto& groups = add_command(root, {"groups", "Manage groups and membership (SCIM)",
                                    "daoctl groups add-member intranet-admins ivanov.i"});
  groups.require_subcommand(1);

  auto list = std::make_shared<GroupsListOptions>();
  auto& list_cmd = add_command(groups, {"list", "List all groups", "daoctl groups list -o csv"});
  list_cmd.add_option("--filter", list->filter, "SCIM filter, e.g. 'displayName eq \"hr\"'");
  list_cmd.add_option("--page-size", list->page_size, "Groups per request (1..1000)")
      ->check(CLI::Range(1, 1000));
  list_cmd.callback([list, &ctx] { ctx.exit_status = run_groups_list(*list, ctx); });

  auto get = std::make_shared<GroupsGetOptions>();
  auto& get_cmd = add_command(groups, {"get", "Show one group by id or name",
                                       "daoctl groups get intranet-admins -o json"});
  get_cmd.add_option("group", get->ref, "Group id or displayName")->required();
  get_cmd.callback([get, &ctx] { ctx.exit_status = run_groups_get(*get, ctx); });

  auto create = std::make_shared<GroupsCreateOptions>();
  auto& create_cmd =
      add_command(groups, {"create", "Create a group", "daoctl groups create backend-devs"});
  create_cmd.add_option("name", create->name, "Group displayName (unique)")->required();
  create_cmd.add_option("--external-id", create->external_id, "Id in the source system");
  create_cmd.add_flag("--dry-run", create->dry_run, "Only check and say what would be created");
  create_cmd.callback([create, &ctx] { ctx.exit_status = run_groups_create(*create, ctx); });

  auto del = std::make_shared<GroupsDeleteOptions>();
  auto& del_cmd = add_command(groups, {"delete", "Delete a group",
                                       "daoctl groups delete intranet-admins --yes"});
  del_cmd.add_option("group", del->ref, "Group id or displayName")->required();
  del_cmd.add_flag("--dry-run", del->dry_run, "Only say which group would be deleted");
  del_cmd.callback([del, &ctx] { ctx.exit_status = run_groups_delete(*del, ctx); });

  for (const bool add : {true, false}) {
    auto opts = std::make_shared<GroupsMembershipOptions>();
    opts->add = add;
    auto& cmd = add_command(
        groups, add ? CommandDoc{"add-member", "Add users to a group",
                                 "daoctl groups add-member intranet-admins ivanov.i petrov.p"}
                    : CommandDoc{"remove-member", "Remove users from a group",
                                 "daoctl groups remove-member intranet-admins ivanov.i"});
    cmd.add_option("group", opts->group, "Group id or displayName")->required();
    cmd.add_option("users", opts->users, "User ids, userNames or e-mails")->required();
    cmd.add_flag("--dry-run", opts->dry_run, add ? "Only say whom it would add" : "Only say whom it would remove");
    cmd.callback([opts, &ctx] { ctx.exit_status = run_groups_membership(*opts, ctx); });
  }
}

}  // namespace daoctl::commands
