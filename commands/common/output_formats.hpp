// The one grammar of -o/--output: a format name, checked per command.
//
// -o/--output is a global flag (it may come before or after the command), so
// the formats each command really prints are declared here, in one table, by
// command path. The cli/ layer checks the selected command's -o before the
// command runs (a format it does not print is exit 2 naming the ones it does),
// and docs.cpp offers each command's own formats in completion and man pages.
// -O/--output-file is always a file.
#pragma once

#include <string>
#include <vector>

#include "commands/common/cli_fwd.hpp"

namespace daoctl::commands {

// table, json, yaml, csv: what print_list/print_item render.
const std::vector<std::string>& default_output_formats();

// The formats `-o` accepts for a command path below the root ("users list",
// "stats export"); empty for a command that prints no data on stdout.
const std::vector<std::string>& output_formats(const std::string& command_path);

// Every path the table names explicitly (the rest take the defaults), so a
// test can check each still exists in the command tree.
std::vector<std::string> declared_output_format_paths();

// The path below the root of the deepest command selected by the last parse
// ("" when none was).
std::string selected_command_path(const CLI::App& root);

// Throws a Usage CommandError when `output` is set and the selected command
// does not print it, naming the formats it does.
void check_output_format(const CLI::App& root, const std::string& output);

}  // namespace daoctl::commands
