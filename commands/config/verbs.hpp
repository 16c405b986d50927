// What the config verbs share: how a context is shown (secrets redacted),
// what a change of the file did, and the error for an unknown context.
#pragma once

#include <optional>
#include <string>

#include "commands/common/context.hpp"
#include "core/config/config_files.hpp"

namespace daoctl::commands::config_verbs {

// token (inline), token_file, token_command or none.
std::string token_kind(const config::ContextEntry& c);
// A context as -o json shows it; an inline token is "REDACTED".
json context_json(const config::ContextEntry& c, bool current);
// What a change of the file did (or would do), for -o json|yaml.
json change_json(const std::string& path, const config::ConfigFile& file, const config::ContextEntry* entry);
// The real run's machine form: the same fields as a dry run's, without
// dry_run; table prints nothing on stdout (the status line is on stderr).
void print_change(CommandContext& ctx, const json& change);
// NotFound naming the known contexts, with the set-context command to create it.
[[noreturn]] void unknown_context(CommandContext& ctx, const std::string& name,
                                  const std::optional<config::ConfigFile>& loaded);

}  // namespace daoctl::commands::config_verbs
