// daoctl apply -f env.yaml: make the platform match an environment file.
#include <fmt/format.h>

#include <algorithm>
#include <CLI/CLI.hpp>

#include "commands/common/command_doc.hpp"
#include "commands/common/confirm.hpp"
#include "commands/env/applier.hpp"
#include "commands/env/env_commands.hpp"
#include "commands/env/env_file.hpp"

namespace daoctl::commands {

int run_env_apply(const EnvApplyOptions& opts, CommandContext& ctx) {
  auto loaded = env_verbs::load_env_file(opts.file, ctx);
  std::map<std::string, std::string> etags;
  auto state = fetch_platform_state(ctx, env_verbs::file_has_posts(loaded.spec), &etags);
  auto plan = env::plan_env(loaded.spec, loaded.images, state, opts.prune);
  for (const auto& note : plan.notes) ctx.warn(note);
  if (plan.empty()) {
    ctx.info(fmt::format("no changes: the platform matches {}", opts.file));
    if (ctx.format() == output::Format::Json)
      output::render_json(ctx.io().out(), env::plan_json(plan));
    return exit_code::ok;
  }
  const auto deletions =
      std::count_if(plan.changes.begin(), plan.changes.end(),
                    [](const env::Change& c) { return c.action == env::Action::Delete; });
  if (!ctx.global.quiet) ctx.io().err() << env::plan_text(plan);
  if (deletions > 0)
    confirm_by_typing(
        ctx,
        fmt::format("delete {} object(s) that {} does not name (--prune)", deletions, opts.file),
        opts.file, "delete");
  const std::size_t done = env_verbs::apply_env_changes(ctx, loaded, state, std::move(etags), plan);
  ctx.info(fmt::format("applied {} change{} from {}", done, done == 1 ? "" : "s", opts.file));
  if (ctx.format() == output::Format::Json)
    output::render_json(ctx.io().out(), env::plan_json(plan));
  return exit_code::ok;
}

void register_env_apply(CLI::App& root, CommandContext& ctx, EnvRunner<EnvApplyOptions> run) {
  auto opts = std::make_shared<EnvApplyOptions>();
  auto& cmd = add_command(root, {"apply", "Make the platform match an environment file (env.yaml)",
                                 "daoctl apply -f env.yaml"});
  env_verbs::add_env_file_flags(cmd, opts->file, opts->prune);
  add_job_report_flags(cmd, opts->report_files);
  cmd.callback([&ctx, opts, run] {
    JobReport report("apply", "env_apply");
    report.extra["file"] = opts->file;
    ctx.exit_status = run_reported(ctx, opts->report_files, report, [&](JobReport&) { return run(*opts, ctx); });
  });
}

}  // namespace daoctl::commands
