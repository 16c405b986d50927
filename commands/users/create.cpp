#include <CLI/CLI.hpp>
#include "commands/common/command_doc.hpp"
#include "commands/common/dry_run.hpp"
#include "commands/common/scim_lookup.hpp"
#include "commands/users/users.hpp"
#include "connectors/platform/users_api.hpp"
#include "core/text/ascii.hpp"

namespace daoctl::commands {

json user_create_body(const UsersCreateOptions& opts) {
  json body = {
      {"schemas", json::array({"urn:ietf:params:scim:schemas:core:2.0:User"})},
      {"userName", opts.user_name},
      {"name", {{"givenName", opts.given_name}, {"familyName", opts.family_name}}},
      {"displayName", opts.display_name.empty() ? opts.given_name + " " + opts.family_name
                                                : opts.display_name},
      {"active", opts.active},
      {"emails", json::array({{{"value", opts.email}, {"type", "work"}, {"primary", true}}})},
  };
  if (!opts.title.empty()) body["title"] = opts.title;
  if (!opts.external_id.empty()) body["externalId"] = opts.external_id;
  if (!opts.department_id.empty()) {
    body["schemas"].push_back(kProfileUser);
    body[kProfileUser] = {{"departmentId", opts.department_id}};
  }
  return body;
}

int run_users_create(const UsersCreateOptions& opts, CommandContext& ctx) {
  if (opts.dry_run) {
    refuse_taken_name([&] { return find_user(ctx, opts.user_name); }, "user", opts.user_name, "userName",
                      "change it with `daoctl users update`");
    return report_dry_run(ctx, "create user " + opts.user_name,
                          {{"request", platform::UsersApi::create_request(user_create_body(opts)).describe()}});
  }
  auto created =
      value_or_throw(platform::UsersApi(ctx.client()).create(user_create_body(opts), "user " + opts.user_name));
  check_user(platform::Answer(created, "user " + opts.user_name));
  ctx.info("created user " + opts.user_name + " (id " + created.value("id", "?") + ")");
  ctx.print_item(created, user_columns());
  return exit_code::ok;
}

void register_users_create(CLI::App& parent, CommandContext& ctx,
                           Runner<UsersCreateOptions> run) {
  auto opts = std::make_shared<UsersCreateOptions>();
  auto& cmd = add_command(
      parent, {"create", "Create a user",
               "daoctl users create --user-name sidorov.s --email sidorov@corp.example "
               "--given-name Сергей --family-name Сидоров"});
  cmd.add_option("--user-name", opts->user_name, "Login name (unique)")->required();
  cmd.add_option("--email", opts->email, "Work e-mail address")->required();
  cmd.add_option("--given-name", opts->given_name, "Given name")->required();
  cmd.add_option("--family-name", opts->family_name, "Family name")->required();
  cmd.add_option("--display-name", opts->display_name, "Display name (default: given family)");
  cmd.add_option("--title", opts->title, "Job title");
  cmd.add_option("--external-id", opts->external_id, "Id in the source system");
  cmd.add_option("--department-id", opts->department_id, "Platform department id");
  cmd.add_flag("--active,!--inactive", opts->active,
               "Create the account enabled (default) or disabled");
  cmd.add_flag("--dry-run", opts->dry_run, "Only check and say what would be created");
  cmd.callback([opts, run, &ctx] { ctx.exit_status = run(*opts, ctx); });
}

}  // namespace daoctl::commands
