#include "commands/env/env_file.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <CLI/CLI.hpp>

#include "commands/branding/branding.hpp"
#include "connectors/local/files.hpp"

namespace daoctl::commands::env_verbs {

namespace fs = std::filesystem;

LoadedEnv load_env_file(const std::string& path, CommandContext& ctx) {
  auto text = local::read_file(path);
  if (!text) {
    Error e = text.error();
    e.kind = ErrorKind::Config;
    throw CommandError(std::move(e));
  }
  LoadedEnv loaded{value_or_throw(env::load_env(*text, path)), {}};
  for (const auto& w : loaded.spec.warnings) ctx.io().err() << w << '\n';
  // Images: relative to the file's directory, checked by content.
  const json& doc = loaded.spec.doc;
  if (doc.contains("branding")) {
    const fs::path base = fs::path(path).parent_path();
    for (const char* slot : {"logo", "favicon"}) {
      if (!doc["branding"].contains(slot)) continue;
      const std::string given = doc["branding"][slot].get<std::string>();
      const fs::path image = fs::path(given).is_absolute() ? fs::path(given) : base / given;
      const std::string place = loaded.spec.where(fmt::format("/branding/{}", slot));
      const std::string shown = fmt::format("{}: branding.{} {}", place, slot, given);
      std::string bytes;
      try {
        bytes = read_checked_image(image.string(), slot, shown);
      } catch (const CommandError& e) {
        // Said once, at the key's place: "env.yaml:3:9: cannot read the logo
        // image ./logo.png: No such file or directory"; an unfit image's
        // problems each start at that place already (Error::describe).
        Error err = e.error();
        if (err.kind == ErrorKind::Io) {
          err.kind = ErrorKind::Config;
          err.message = fmt::format("cannot read the {} image {}", slot, given);
        }
        err.object = place;
        throw CommandError(std::move(err));
      }
      (std::string_view(slot) == "logo" ? loaded.images.logo : loaded.images.favicon) =
          std::move(bytes);
    }
  }
  return loaded;
}

void print_plan(const env::EnvPlan& plan, CommandContext& ctx, std::ostream& out) {
  if (ctx.format() == output::Format::Json) {
    output::render_json(out, env::plan_json(plan));
    return;
  }
  out << env::plan_text(plan);
}

bool file_has_posts(const env::EnvSpec& spec) {
  const json& doc = spec.doc;
  return doc.contains("seed") && doc["seed"].contains("posts") && !doc["seed"]["posts"].empty();
}

void add_env_file_flags(CLI::App& cmd, std::string& file, bool& prune) {
  cmd.add_option("-f,--file", file, "The environment file (schemas/env.schema.json)")
      ->required();
  cmd.add_flag("--prune", prune,
               "Also remove departments, communities and badges (and keyword rules) the file "
               "does not name");
}

}  // namespace daoctl::commands::env_verbs
