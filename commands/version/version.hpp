// daoctl version: the client version, and the server's when it is reachable.
#pragma once

#include "commands/common/cli_fwd.hpp"

#include "commands/common/context.hpp"

namespace daoctl::commands {

// Never fails because of the server: an unconfigured or unreachable platform
// is reported in the output ("server: unreachable (...)") with exit 0.
int run_version(CommandContext& ctx);
void register_version(CLI::App& root, CommandContext& ctx);

}  // namespace daoctl::commands
