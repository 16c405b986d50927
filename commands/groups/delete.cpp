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

void register_groups_delete(CLI::App& group, CommandContext& ctx) {
  auto del = std::make_shared<GroupsDeleteOptions>();
  auto& del_cmd = add_command(group, {"delete", "Delete a group",
                                       "daoctl groups delete intranet-admins --yes"});
  del_cmd.add_option("group", del->ref, "Group id or displayName")->required();
  del_cmd.add_flag("--dry-run", del->dry_run, "Only say which group would be deleted");
  del_cmd.callback([del, &ctx] { ctx.exit_status = run_groups_delete(*del, ctx); });
}

}  // namespace daoctl::commands
