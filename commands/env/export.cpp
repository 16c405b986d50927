// daoctl export-env -O env.yaml: the platform's environment as a file apply accepts.
#include <fmt/format.h>

#include <filesystem>
#include <sstream>
#include <CLI/CLI.hpp>

#include "commands/common/command_doc.hpp"
#include "commands/env/env_commands.hpp"
#include "connectors/local/files.hpp"
#include "core/policy/image.hpp"
#include "core/text/ascii.hpp"

namespace daoctl::commands {

namespace fs = std::filesystem;

int run_export_env(const ExportEnvOptions& opts, CommandContext& ctx) {
  auto state = fetch_platform_state(ctx, true);
  const fs::path out(opts.output);
  const fs::path dir = out.parent_path();
  const std::string stem = out.stem().string();
  std::optional<std::string> logo_path, favicon_path;
  if (opts.output != "-" && !dir.empty()) value_or_throw(local::make_dirs(dir.string()));
  for (auto [slot, bytes, rel] : {std::tuple{"logo", &state.logo, &logo_path},
                                  std::tuple{"favicon", &state.favicon, &favicon_path}}) {
    if (!*bytes) continue;
    const auto format = policy::inspect_image(**bytes).format;
    const std::string ext = text::lower_ascii(policy::to_string(format));
    const std::string name = fmt::format("{}.{}.{}", stem, slot, ext);
    value_or_throw(local::write_file_atomic((dir / name).string(), **bytes));
    *rel = "./" + name;
  }
  std::vector<std::string> skipped;
  json doc = env::export_env(state, logo_path, favicon_path, skipped);
  for (const auto& s : skipped) ctx.warn(fmt::format("not exported: {}", s));
  std::ostringstream yaml;
  yaml << "# daoctl export-env: apply with `daoctl apply -f " << out.filename().string() << "`\n";
  output::render_yaml(yaml, doc);
  if (opts.output == "-") {
    ctx.io().out() << yaml.str();
  } else {
    value_or_throw(local::write_file_atomic(opts.output, yaml.str()));
    ctx.info(fmt::format("wrote {}", opts.output));
  }
  return exit_code::ok;
}

void register_export_env(CLI::App& root, CommandContext& ctx, EnvRunner<ExportEnvOptions> run) {
  auto opts = std::make_shared<ExportEnvOptions>();
  auto& cmd = add_command(root, {"export-env", "Write the platform's environment as a file apply accepts",
                                 "daoctl export-env -O env.yaml"});
  cmd.add_option("-O,--output-file", opts->output, "Where to write env.yaml (- for stdout); images go beside it");
  cmd.callback([&ctx, opts, run] {
    // Checked here, not by CLI11, so that `-o env.yaml` gets the -o/-O hint first.
    if (opts->output.empty())
      throw CommandError(ErrorKind::Usage, "export-env needs -O FILE", "daoctl export-env", "",
                         "daoctl export-env -O env.yaml (or -O - for stdout)");
    ctx.exit_status = run(*opts, ctx);
  });
}

}  // namespace daoctl::commands
