// daoctl sync: the group registers its verbs (validate.cpp, plan.cpp,
// apply.cpp, status.cpp); engine.cpp is what they share with deprovision.
#include <CLI/CLI.hpp>

#include "commands/common/command_doc.hpp"
#include "commands/sync/sync.hpp"
#include "commands/sync/watch.hpp"

namespace daoctl::commands {

void register_sync(CLI::App& root, CommandContext& ctx) {
  auto& group = add_command(root, {"sync", "Sync employees from LDAP and HR sources into the platform",
                                   "daoctl sync plan -f /etc/daoctl/nightly.yaml"});
  group.require_subcommand(1);
  register_sync_validate(group, ctx);
  register_sync_plan(group, ctx);
  register_sync_apply(group, ctx);
  register_sync_status(group, ctx);
  register_sync_watch(group, ctx);
}

}  // namespace daoctl::commands
