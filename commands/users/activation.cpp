#include <CLI/CLI.hpp>
#include "commands/common/command_doc.hpp"
#include "commands/common/dry_run.hpp"
#include "commands/common/scim_lookup.hpp"
#include "commands/users/users.hpp"
#include "connectors/platform/users_api.hpp"

namespace daoctl::commands {

int run_users_set_active(const UsersActivationOptions& opts, CommandContext& ctx) {
  const json user = find_user(ctx, opts.ref);
  const platform::Answer found(user, "user " + opts.ref);
  const std::string id = found.required<std::string>("/id");
  const std::string name = found.value("/userName", opts.ref);
  const std::string object = "user " + name;
  const json body = {
      {"schemas", json::array({kPatchOp})},
      {"Operations", json::array({{{"op", "replace"}, {"path", "active"}, {"value", opts.active}}})}};
  if (opts.dry_run) {
    json requests = json::array({platform::UsersApi::patch_request(id, body).describe()});
    if (!opts.active)
      for (const char* what : {"sessions", "tokens"})
        requests.push_back(platform::UsersApi::revoke_request(id, what).describe());
    // -o json|yaml: the account as it is now, and the requests of the real run.
    return report_dry_run(ctx,
                          std::string(opts.active ? "reactivate user " : "deactivate user ") + name + " (id " + id +
                              ")" + (opts.active ? "" : " and revoke its sessions and tokens"),
                          {{"user", user}, {"requests", requests}});
  }
  platform::UsersApi users(ctx.client());
  auto updated = value_or_throw(users.patch(id, body, object));
  if (opts.active) {
    ctx.info("reactivated user " + name);
  } else {
    // Disabling login does not end existing sessions or API tokens; revoke both
    // so a deactivated account loses access at once.
    int revoked_sessions = 0;
    int revoked_tokens = 0;
    for (const char* what : {"sessions", "tokens"}) {
      auto reply = value_or_throw(users.revoke(id, what, std::string(what) + " of " + object));
      const int n = reply.is_object() ? platform::Answer(reply, std::string(what) + " of " + object).value("/revoked", 0) : 0;
      (std::string_view(what) == "sessions" ? revoked_sessions : revoked_tokens) = n;
    }
    ctx.info("deactivated user " + name + "; revoked " + std::to_string(revoked_sessions) +
             " session(s) and " + std::to_string(revoked_tokens) + " token(s)");
  }
  if (!updated.is_null()) check_user(platform::Answer(updated, object));
  ctx.print_item(updated, user_columns());
  return exit_code::ok;
}

void register_users_deactivate(CLI::App& parent, CommandContext& ctx,
                               Runner<UsersActivationOptions> run) {
  auto opts = std::make_shared<UsersActivationOptions>();
  auto& cmd = add_command(parent, {"deactivate", "Block login and revoke sessions and tokens",
                                   "daoctl users deactivate ivanov.i"});
  cmd.add_option("user", opts->ref, "User id, userName or e-mail")->required();
  cmd.add_flag("--dry-run", opts->dry_run, "Only say what would change");
  cmd.callback([opts, run, &ctx] {
    opts->active = false;
    ctx.exit_status = run(*opts, ctx);
  });
}

void register_users_reactivate(CLI::App& parent, CommandContext& ctx,
                               Runner<UsersActivationOptions> run) {
  auto opts = std::make_shared<UsersActivationOptions>();
  auto& cmd = add_command(parent, {"reactivate", "Allow a deactivated user to log in again",
                                   "daoctl users reactivate ivanov.i"});
  cmd.add_option("user", opts->ref, "User id, userName or e-mail")->required();
  cmd.add_flag("--dry-run", opts->dry_run, "Only say what would change");
  cmd.callback([opts, run, &ctx] {
    opts->active = true;
    ctx.exit_status = run(*opts, ctx);
  });
}

}  // namespace daoctl::commands
