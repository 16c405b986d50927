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

int run_groups_create(const GroupsCreateOptions& opts, CommandContext& ctx) {
  json body = {{"schemas", json::array({"urn:ietf:params:scim:schemas:core:2.0:Group"})},
               {"displayName", opts.name},
               {"members", json::array()}};
  if (!opts.external_id.empty()) body["externalId"] = opts.external_id;
  if (opts.dry_run) {
    refuse_taken_name([&] { return find_group(ctx, opts.name); }, "group", opts.name, "displayName");
    return report_dry_run(ctx, "create group " + opts.name,
                          {{"request", GroupsApi::create_request(body).describe()}});
  }
  auto created = value_or_throw(GroupsApi(ctx.client()).create(body, "group " + opts.name));
  check_group(platform::Answer(created, "group " + opts.name));
  ctx.info("created group " + opts.name + " (id " + created.value("id", "?") + ")");
  ctx.print_item(created, group_columns());
  return exit_code::ok;
}

void register_groups_create(CLI::App& group, CommandContext& ctx) {
  auto create = std::make_shared<GroupsCreateOptions>();
  auto& create_cmd =
      add_command(group, {"create", "Create a group", "daoctl groups create backend-devs"});
  create_cmd.add_option("name", create->name, "Group displayName (unique)")->required();
  create_cmd.add_option("--external-id", create->external_id, "Id in the source system");
  create_cmd.add_flag("--dry-run", create->dry_run, "Only check and say what would be created");
  create_cmd.callback([create, &ctx] { ctx.exit_status = run_groups_create(*create, ctx); });
}

}  // namespace daoctl::commands
