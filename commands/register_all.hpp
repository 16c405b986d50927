// The whole command tree below the root: the one list of command groups.
#pragma once

#include "commands/common/cli_fwd.hpp"

#include "commands/common/context.hpp"

namespace daoctl::commands {

void register_all_commands(CLI::App& root, CommandContext& ctx);

}  // namespace daoctl::commands
