// Help for mistakes on the command line: an unknown or misspelled command or
// flag gets "did you mean ...?" (edit distance over the command tree, as gh and
// kubectl do) and the nearest command's help; a group named without a command
// (`daoctl`, `daoctl users`) prints its usage. All of them exit 2.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "commands/common/cli_fwd.hpp"

namespace daoctl::cli {

// The whole stderr text for a usage error in `args` (argv without argv[0]),
// or nullopt when the command line names only known commands and flags (then
// CLI11's own message is the right one: a bad value, a missing argument...).
std::optional<std::string> diagnose_usage(const CLI::App& root, const std::vector<std::string>& args);

}  // namespace daoctl::cli
