#include <CLI/CLI.hpp>
#include "commands/config/config_commands.hpp"

#include "commands/common/command_doc.hpp"
#include "commands/common/dry_run.hpp"
#include "commands/config/verbs.hpp"
#include "connectors/local/config_writer.hpp"

namespace daoctl::commands {

using namespace config_verbs;

int run_config_delete_context(const DeleteContextOptions& opts, CommandContext& ctx) {
  const auto& loaded = ctx.config_file();
  if (!loaded || loaded->find(opts.name) == nullptr) unknown_context(ctx, opts.name, loaded);
  config::ConfigFile file = *loaded;
  std::erase_if(file.contexts, [&](const config::ContextEntry& c) { return c.name == opts.name; });
  const bool was_current = file.current_context == opts.name;
  if (was_current) file.current_context.clear();
  const std::string path = ctx.config_path();
  const std::string what = "context " + opts.name + " from " + path + (was_current ? " (it was the current one)" : "");
  json change = change_json(path, file, nullptr);
  change["deleted"] = opts.name;
  if (opts.dry_run) return report_dry_run(ctx, "delete " + what, change);
  value_or_throw(local::write_config_file(path, file));
  ctx.info("deleted " + what);
  if (was_current && !file.contexts.empty())
    ctx.info("no context is current now; pick one with: daoctl config use-context " + file.contexts.front().name);
  print_change(ctx, change);
  return exit_code::ok;
}

void register_config_delete_context(CLI::App& group, CommandContext& ctx) {
  auto del = std::make_shared<DeleteContextOptions>();
  auto& del_cmd = add_command(group, {"delete-context", "Remove a context from the config file",
                                      "daoctl config delete-context staging"});
  del_cmd.add_option("name", del->name, "Context name")->required();
  del_cmd.add_flag("--dry-run", del->dry_run, "Only say what would be removed");
  del_cmd.callback([del, &ctx] { ctx.exit_status = run_config_delete_context(*del, ctx); });
}

}  // namespace daoctl::commands
