#include <CLI/CLI.hpp>
#include "commands/config/config_commands.hpp"

#include "commands/common/command_doc.hpp"

namespace daoctl::commands {

void register_config(CLI::App& root, CommandContext& ctx) {
  auto& group = add_command(root, {"config", "View and edit contexts in the config file",
                                   "daoctl config get-contexts"});
  group.require_subcommand(1);
  register_config_view(group, ctx);
  register_config_get_contexts(group, ctx);
  register_config_set_context(group, ctx);
  register_config_use_context(group, ctx);
  register_config_delete_context(group, ctx);
}

}  // namespace daoctl::commands
