// daoctl diff -f env.yaml: how the platform differs from an environment file.
#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "commands/common/command_doc.hpp"
#include "commands/env/env_commands.hpp"
#include "commands/env/env_file.hpp"

namespace daoctl::commands {

int run_env_diff(const EnvDiffOptions& opts, CommandContext& ctx) {
  auto loaded = env_verbs::load_env_file(opts.file, ctx);
  auto state = fetch_platform_state(ctx, env_verbs::file_has_posts(loaded.spec));
  auto plan = env::plan_env(loaded.spec, loaded.images, state, opts.prune);
  for (const auto& note : plan.notes) ctx.warn(note);
  env_verbs::print_plan(plan, ctx, ctx.io().out());
  if (plan.empty()) ctx.info(fmt::format("no changes: the platform matches {}", opts.file));
  return plan.empty() ? exit_code::ok : exit_code::changes_pending;
}

void register_env_diff(CLI::App& root, CommandContext& ctx, EnvRunner<EnvDiffOptions> run) {
  auto opts = std::make_shared<EnvDiffOptions>();
  auto& cmd = add_command(root, {"diff", "Show how the platform differs from an environment file (exit 8 when it does)",
                                 "daoctl diff -f env.yaml"});
  env_verbs::add_env_file_flags(cmd, opts->file, opts->prune);
  cmd.callback([&ctx, opts, run] { ctx.exit_status = run(*opts, ctx); });
}

}  // namespace daoctl::commands
