// The environment verbs (diff.cpp, apply.cpp, export.cpp) and the
// platform-configuration groups, registered.
#include "commands/env/env_commands.hpp"

#include "commands/branding/branding.hpp"
#include "commands/policy/policy.hpp"

namespace daoctl::commands {

void register_env(CLI::App& root, CommandContext& ctx) {
  register_env_diff(root, ctx);
  register_env_apply(root, ctx);
  register_export_env(root, ctx);
}

void register_environment_commands(CLI::App& root, CommandContext& ctx) {
  register_policy(root, ctx);
  register_branding(root, ctx);
  register_env(root, ctx);
}

}  // namespace daoctl::commands
