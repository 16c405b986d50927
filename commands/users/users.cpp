#include <CLI/CLI.hpp>
#include "commands/users/users.hpp"

#include "commands/common/command_doc.hpp"

namespace daoctl::commands {

void register_users(CLI::App& root, CommandContext& ctx) {
  auto& users = add_command(root, {"users", "Manage platform users (SCIM)", "daoctl users list"});
  users.require_subcommand(1);
  register_users_list(users, ctx);
  register_users_get(users, ctx);
  register_users_create(users, ctx);
  register_users_update(users, ctx);
  register_users_deactivate(users, ctx);
  register_users_reactivate(users, ctx);
  register_users_delete(users, ctx);
}

}  // namespace daoctl::commands
