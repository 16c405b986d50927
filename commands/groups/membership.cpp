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

void register_groups_membership(CLI::App& group, CommandContext& ctx) {
  for (const bool add : {true, false}) {
    auto opts = std::make_shared<GroupsMembershipOptions>();
    opts->add = add;
    auto& cmd = add_command(
        group, add ? CommandDoc{"add-member", "Add users to a group",
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
