#include <CLI/CLI.hpp>
#include "commands/common/command_doc.hpp"
#include "commands/common/scim_lookup.hpp"
#include "commands/users/users.hpp"

namespace daoctl::commands {

int run_users_get(const UsersGetOptions& opts, CommandContext& ctx) {
  ctx.print_item(find_user(ctx, opts.ref), user_columns());
  return exit_code::ok;
}

void register_users_get(CLI::App& parent, CommandContext& ctx, Runner<UsersGetOptions> run) {
  auto opts = std::make_shared<UsersGetOptions>();
  auto& cmd = add_command(parent, {"get", "Show one user by id, userName or e-mail",
                                   "daoctl users get ivanov.i -o yaml"});
  cmd.add_option("user", opts->ref, "User id, userName or e-mail")->required();
  cmd.callback([opts, run, &ctx] { ctx.exit_status = run(*opts, ctx); });
}

}  // namespace daoctl::commands
