#include <CLI/CLI.hpp>
#include "commands/config/config_commands.hpp"

#include "commands/common/command_doc.hpp"
#include "commands/config/verbs.hpp"

namespace daoctl::commands {

using namespace config_verbs;

int run_config_view(CommandContext& ctx) {
  const auto& file = ctx.config_file();
  if (!file) {
    ctx.info("no config file at " + ctx.config_path());
    return exit_code::ok;
  }
  switch (ctx.format()) {
    case output::Format::Table:
    case output::Format::Yaml:
      ctx.io().out() << config::serialize_config(*file, /*redact_secrets=*/true);
      break;
    case output::Format::Json:
    case output::Format::Csv: {
      json contexts = json::array();
      for (const auto& c : file->contexts) {
        json entry = context_json(c, false);
        entry.erase("current");
        entry.erase("auth");
        contexts.push_back(entry);
      }
      output::render_json(ctx.io().out(),
                          {{"current-context", file->current_context}, {"contexts", contexts}});
      break;
    }
  }
  return exit_code::ok;
}

void register_config_view(CLI::App& group, CommandContext& ctx) {
  add_command(group, {"view", "Print the config file with secrets redacted",
                      "daoctl config view"})
      .callback([&ctx] { ctx.exit_status = run_config_view(ctx); });
}

}  // namespace daoctl::commands
