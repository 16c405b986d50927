// daoctl deprovision: the group registers its verbs (plan.cpp, apply.cpp,
// user.cpp, reactivate.cpp); engine.cpp is what they and sync apply share.
#include <CLI/CLI.hpp>

#include "commands/common/command_doc.hpp"
#include "commands/deprovision/deprovision.hpp"

namespace daoctl::commands {

void register_deprovision(CLI::App& root, CommandContext& ctx) {
  auto& group = add_command(root, {"deprovision", "Block dismissed staff at once and clean up after a grace period",
                                   "daoctl deprovision plan -f /etc/daoctl/nightly.yaml"});
  group.require_subcommand(1);
  register_deprovision_plan(group, ctx);
  register_deprovision_apply(group, ctx);
  register_deprovision_user(group, ctx);
  register_deprovision_reactivate(group, ctx);
}

}  // namespace daoctl::commands
