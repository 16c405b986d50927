// daoctl import validate: read and check a source without the network.
#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "commands/common/command_doc.hpp"
#include "commands/import/source.hpp"

namespace daoctl::commands {

namespace {

std::vector<output::Column> count_columns() {
  return {{"KIND", "/kind", nullptr}, {"COUNT", "/count", nullptr}};
}

}  // namespace

int run_import_validate(const ImportValidateOptions& opts, CommandContext& ctx) {
  auto read = import_source::load(opts.src, ctx);
  ctx.info(fmt::format("{} ({}) is valid: {} user(s) known to the source", opts.src.source, read.set.source_kind,
                       read.set.users.size()));
  ctx.print_list(import_source::count_rows(content::count_content(read.set)), count_columns());
  return exit_code::ok;
}

void register_import_validate(CLI::App& group, CommandContext& ctx, ImportRunner<ImportValidateOptions> run) {
  auto opts = std::make_shared<ImportValidateOptions>();
  auto& cmd = add_command(group, {"validate", "Check an import source without sending anything",
                                  "daoctl import validate content.yaml"});
  import_source::add_source_flags(cmd, opts->src);
  cmd.callback([opts, run, &ctx] { ctx.exit_status = run(*opts, ctx); });
}

}  // namespace daoctl::commands
