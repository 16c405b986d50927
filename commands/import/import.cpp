// daoctl import: the group registers its verbs (validate.cpp, plan.cpp, apply.cpp).
#include <CLI/CLI.hpp>

#include "commands/common/command_doc.hpp"
#include "commands/import/import.hpp"

namespace daoctl::commands {

void register_import(CLI::App& root, CommandContext& ctx) {
  auto& group = add_command(root, {"import", "Import content: native manifests, Slack, Mattermost, WordPress",
                                   "daoctl import apply slack-export.zip --fallback-author admin"});
  group.require_subcommand(1);
  register_import_validate(group, ctx);
  register_import_plan(group, ctx);
  register_import_apply(group, ctx);
}

}  // namespace daoctl::commands
