// Documentation generated from the command tree, so help, man pages and shell
// completions cannot drift from the commands: daoctl(1) and one page per
// command group, and completion scripts for bash, zsh and fish.
#pragma once

#include "commands/common/cli_fwd.hpp"

namespace CLI {
class Option;
}  // namespace CLI
#include <map>
#include <string>
#include <vector>

namespace daoctl::cli {

// File name -> roff text: "daoctl.1", "daoctl-sync.1", ... `date` is the
// page date (yyyy-MM-dd), `version` the program version.
std::map<std::string, std::string> man_pages(const CLI::App& root, const std::string& version,
                                             const std::string& date);

// Completion scripts. They complete commands, subcommands and flags from the
// tree, flag values with fixed choices, and context names (`--context`) by
// asking `daoctl config get-contexts -q -o csv` at completion time.
std::string bash_completion(const CLI::App& root);
std::string zsh_completion(const CLI::App& root);
std::string fish_completion(const CLI::App& root);

// The fixed choices of an option, read from its type name
// ("TEXT:{table,json,yaml,csv}" -> table, json, yaml, csv); empty if none.
// The completion scripts and `daoctl __complete` offer the same list.
std::vector<std::string> choices_of(const CLI::Option& o);

}  // namespace daoctl::cli
