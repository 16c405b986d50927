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

int run_groups_get(const GroupsGetOptions& opts, CommandContext& ctx) {
  ctx.print_item(find_group(ctx, opts.ref), group_columns());
  return exit_code::ok;
}

void register_groups_get(CLI::App& group, CommandContext& ctx) {
  auto get = std::make_shared<GroupsGetOptions>();
  auto& get_cmd = add_command(group, {"get", "Show one group by id or name",
                                       "daoctl groups get intranet-admins -o json"});
  get_cmd.add_option("group", get->ref, "Group id or displayName")->required();
  get_cmd.callback([get, &ctx] { ctx.exit_status = run_groups_get(*get, ctx); });
}

}  // namespace daoctl::commands
