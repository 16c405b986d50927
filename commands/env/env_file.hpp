// What the env verbs share: reading an environment file with its images,
// printing a plan, and the diff/apply flags.
#pragma once

#include "commands/common/cli_fwd.hpp"
#include <ostream>
#include <string>

#include "commands/common/context.hpp"
#include "core/env/env.hpp"

namespace daoctl::commands::env_verbs {

struct LoadedEnv {
  env::EnvSpec spec;
  env::EnvImages images;
};

// The file (Config error naming file:line:column) and its branding images,
// relative to the file's directory and checked by content.
LoadedEnv load_env_file(const std::string& path, CommandContext& ctx);

// The plan as text, or as JSON under -o json.
void print_plan(const env::EnvPlan& plan, CommandContext& ctx, std::ostream& out);

// Whether the file seeds posts (then the platform's posts are read too).
bool file_has_posts(const env::EnvSpec& spec);

// -f/--file and --prune, for diff and apply.
void add_env_file_flags(CLI::App& cmd, std::string& file, bool& prune);

}  // namespace daoctl::commands::env_verbs
