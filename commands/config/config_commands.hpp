// daoctl config: view and edit the config file's contexts.
#pragma once

#include "commands/common/cli_fwd.hpp"
#include <optional>
#include <string>

#include "commands/common/context.hpp"

namespace daoctl::commands {

struct SetContextOptions {
  std::string name;
  std::string url;
  std::string token_file;
  std::string token_command;
  std::string ca_file;
  std::optional<bool> insecure;
  std::optional<int> timeout_seconds;
  bool use = false;  // also make it the current context
};
// Creates or updates a context (only the given settings change; a new token
// source replaces the old one) and writes the file 0600 atomically. The first
// context of a file becomes current.
int run_config_set_context(const SetContextOptions& opts, CommandContext& ctx);

struct UseContextOptions {
  std::string name;
};
int run_config_use_context(const UseContextOptions& opts, CommandContext& ctx);
int run_config_view(CommandContext& ctx);
int run_config_get_contexts(CommandContext& ctx);

void register_config(CLI::App& root, CommandContext& ctx);

}  // namespace daoctl::commands
