#include "commands/common/command_doc.hpp"
#include "commands/common/scim_lookup.hpp"
#include "commands/users/users.hpp"

namespace daoctl::commands {

int run_users_list(const UsersListOptions& opts, CommandContext& ctx) {
  std::vector<json> users;
  value_or_throw(ctx.client().scim_list("/scim/v2/Users", opts.filter, opts.page_size,
                                        [&](const json& page) {
                                          for (const auto& u : page) users.push_back(u);
                                        }));
  ctx.print_list(users, user_columns());
  return exit_code::ok;
}

void register_users_list(CLI::App& parent, CommandContext& ctx, Runner<UsersListOptions> run) {
  auto opts = std::make_shared<UsersListOptions>();
  auto& cmd = add_command(parent, {"list", "List all users (every page)",
                                   "daoctl users list --filter 'userName eq \"jdoe\"' -o json"});
  cmd.add_option("--filter", opts->filter, "SCIM filter, e.g. 'active eq false'");
  cmd.add_option("--page-size", opts->page_size, "Users per request (1..1000)")
      ->check(CLI::Range(1, 1000));
  cmd.callback([opts, run, &ctx] { ctx.exit_status = run(*opts, ctx); });
}

}  // namespace daoctl::commands
