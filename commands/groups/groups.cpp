#include <CLI/CLI.hpp>
#include "commands/groups/groups.hpp"

#include "commands/common/command_doc.hpp"

namespace daoctl::commands {

void register_groups(CLI::App& root, CommandContext& ctx) {
  auto& groups = add_command(root, {"groups", "Manage groups and membership (SCIM)",
                                    "daoctl groups add-member intranet-admins ivanov.i"});
  groups.require_subcommand(1);
  register_groups_list(groups, ctx);
  register_groups_get(groups, ctx);
  register_groups_create(groups, ctx);
  register_groups_delete(groups, ctx);
  register_groups_membership(groups, ctx);
}

}  // namespace daoctl::commands
