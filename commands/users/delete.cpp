#include <CLI/CLI.hpp>
#include "commands/common/command_doc.hpp"
#include "commands/common/confirm.hpp"
#include "commands/common/dry_run.hpp"
#include "commands/common/scim_lookup.hpp"
#include "commands/users/users.hpp"
#include "connectors/platform/users_api.hpp"

namespace daoctl::commands {

int run_users_delete(const UsersDeleteOptions& opts, CommandContext& ctx) {
  const json user = find_user(ctx, opts.ref);
  const platform::Answer found(user, "user " + opts.ref);
  const std::string id = found.required<std::string>("/id");
  const std::string name = found.value("/userName", opts.ref);
  if (opts.dry_run)
    return report_dry_run(ctx, "delete user " + name + " (id " + id + ")",
                          {{"user", user}, {"request", platform::UsersApi::remove_request(id).describe()}});
  confirm_by_typing(ctx, "delete user " + name, "user " + name, name,
                    "Deleting removes user " + name + " (id " + id +
                        ") from the platform for good: the account and its group memberships go, its content "
                        "stays, shown as a former employee. To only block the login, use `daoctl users "
                        "deactivate`.");
  value_or_throw(platform::UsersApi(ctx.client()).remove(id, "user " + name));
  ctx.info("deleted user " + name + " (id " + id + ")");
  print_deleted(ctx, "user", id, "userName", name);
  return exit_code::ok;
}

void register_users_delete(CLI::App& parent, CommandContext& ctx, Runner<UsersDeleteOptions> run) {
  auto opts = std::make_shared<UsersDeleteOptions>();
  auto& cmd = add_command(parent, {"delete", "Delete a user (content stays, shown as former)",
                                   "daoctl users delete ivanov.i --yes"});
  cmd.add_option("user", opts->ref, "User id, userName or e-mail")->required();
  cmd.add_flag("--dry-run", opts->dry_run, "Only say which account would be deleted");
  cmd.callback([opts, run, &ctx] { ctx.exit_status = run(*opts, ctx); });
}

}  // namespace daoctl::commands
