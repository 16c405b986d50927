#include <CLI/CLI.hpp>
#include "commands/config/config_commands.hpp"

#include "commands/common/command_doc.hpp"
#include "commands/common/dry_run.hpp"
#include "commands/config/verbs.hpp"
#include "connectors/local/config_writer.hpp"

namespace daoctl::commands {

using namespace config_verbs;

int run_config_use_context(const UseContextOptions& opts, CommandContext& ctx) {
  const auto& loaded = ctx.config_file();
  if (!loaded || loaded->find(opts.name) == nullptr) unknown_context(ctx, opts.name, loaded);
  config::ConfigFile file = *loaded;
  file.current_context = opts.name;
  const json change = change_json(ctx.config_path(), file, file.find(opts.name));
  if (opts.dry_run) return report_dry_run(ctx, "switch to context " + opts.name, change);
  value_or_throw(local::write_config_file(ctx.config_path(), file));
  ctx.info("switched to context " + opts.name);
  print_change(ctx, change);
  return exit_code::ok;
}

void register_config_use_context(CLI::App& group, CommandContext& ctx) {
  auto use = std::make_shared<UseContextOptions>();
  auto& use_cmd =
      add_command(group, {"use-context", "Set the current context", "daoctl config use-context prod"});
  use_cmd.add_option("name", use->name, "Context name")->required();
  use_cmd.add_flag("--dry-run", use->dry_run, "Only say what would be written");
  use_cmd.callback([use, &ctx] { ctx.exit_status = run_config_use_context(*use, ctx); });
}

}  // namespace daoctl::commands
