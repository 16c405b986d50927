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

void register_groups_list(CLI::App& group, CommandContext& ctx) {
  auto list = std::make_shared<GroupsListOptions>();
  auto& list_cmd = add_command(group, {"list", "List all groups", "daoctl groups list -o csv"});
  list_cmd.add_option("--filter", list->filter, "SCIM filter, e.g. 'displayName eq \"hr\"'");
  list_cmd.add_option("--page-size", list->page_size, "Groups per request (1..1000)")
      ->check(CLI::Range(1, 1000));
  list_cmd.callback([list, &ctx] { ctx.exit_status = run_groups_list(*list, ctx); });
}

}  // namespace daoctl::commands
