#include <CLI/CLI.hpp>
#include "commands/common/command_doc.hpp"
#include "commands/common/dry_run.hpp"
#include "commands/common/scim_lookup.hpp"
#include "commands/users/users.hpp"
#include "connectors/platform/users_api.hpp"

namespace daoctl::commands {

json user_patch_body(const std::vector<std::string>& assignments) {
  json ops = json::array();
  for (const auto& a : assignments) {
    const auto eq = a.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw CommandError(ErrorKind::Usage, "invalid --set argument", "--set " + a,
                         "expected attr=value", "e.g. --set title=Engineer");
    }
    const std::string path = a.substr(0, eq);
    const std::string text = a.substr(eq + 1);
    json value = text;
    if (text == "true" || text == "false") {
      value = text == "true";
    } else if (!text.empty() && (text[0] == '{' || text[0] == '[' || text[0] == '"')) {
      value = json::parse(text, nullptr, false);
      if (value.is_discarded()) {
        throw CommandError(ErrorKind::Usage, "invalid JSON value in --set", "--set " + path,
                           "the value starts like JSON but does not parse",
                           "quote plain text that starts with { [ or \"");
      }
    }
    ops.push_back({{"op", "replace"}, {"path", path}, {"value", value}});
  }
  return {{"schemas", json::array({kPatchOp})}, {"Operations", ops}};
}

int run_users_update(const UsersUpdateOptions& opts, CommandContext& ctx) {
  const json body = user_patch_body(opts.assignments);
  const json user = find_user(ctx, opts.ref);
  const platform::Answer found(user, "user " + opts.ref);
  const std::string id = found.required<std::string>("/id");
  const std::string object = "user " + found.value("/userName", opts.ref);
  if (opts.dry_run) {
    std::string changes;
    for (const auto& op : body["Operations"])
      changes += (changes.empty() ? "" : ", ") + op["path"].get<std::string>() + "=" +
                 (op["value"].is_string() ? op["value"].get<std::string>() : op["value"].dump());
    return report_dry_run(ctx, "update " + object + " (id " + id + "): " + changes,
                          {{"request", platform::UsersApi::patch_request(id, body).describe()}});
  }
  auto updated = value_or_throw(platform::UsersApi(ctx.client()).patch(id, body, object));
  if (!updated.is_null()) check_user(platform::Answer(updated, object));
  ctx.info("updated " + object);
  ctx.print_item(updated, user_columns());
  return exit_code::ok;
}

void register_users_update(CLI::App& parent, CommandContext& ctx,
                           Runner<UsersUpdateOptions> run) {
  auto opts = std::make_shared<UsersUpdateOptions>();
  auto& cmd = add_command(parent, {"update", "Change user attributes (SCIM PATCH replace)",
                                   "daoctl users update ivanov.i --set title=Engineer "
                                   "--set name.familyName=Petrov"});
  cmd.add_option("user", opts->ref, "User id, userName or e-mail")->required();
  cmd.add_option("--set", opts->assignments, "attr=value (repeatable; SCIM attribute path)")
      ->required()
      ->allow_extra_args(false);
  cmd.add_flag("--dry-run", opts->dry_run, "Only say what would change");
  cmd.callback([opts, run, &ctx] { ctx.exit_status = run(*opts, ctx); });
}

}  // namespace daoctl::commands
