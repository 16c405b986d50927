#include <CLI/CLI.hpp>
#include "commands/config/config_commands.hpp"

#include "commands/common/command_doc.hpp"
#include "commands/config/verbs.hpp"

namespace daoctl::commands {

using namespace config_verbs;

int run_config_get_contexts(CommandContext& ctx) {
  const auto& file = ctx.config_file();
  std::vector<json> rows;
  if (file) {
    for (const auto& c : file->contexts) {
      rows.push_back(context_json(c, c.name == file->current_context));
    }
  }
  ctx.print_list(rows, {{"CURRENT", "", [](const json& r) {
                           return r.value("current", false) ? std::string("*") : std::string();
                         }},
                        {"NAME", "/name", {}},
                        {"URL", "/url", {}},
                        {"AUTH", "/auth", {}}});
  return exit_code::ok;
}

void register_config_get_contexts(CLI::App& group, CommandContext& ctx) {
  add_command(group, {"get-contexts", "List contexts; * marks the current one",
                      "daoctl config get-contexts -o json"})
      .callback([&ctx] { ctx.exit_status = run_config_get_contexts(ctx); });
}

}  // namespace daoctl::commands
