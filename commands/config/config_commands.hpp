// daoctl config: view and edit the config file's contexts. One verb per
// file (view.cpp, get_contexts.cpp, set_context.cpp, use_context.cpp,
// delete_context.cpp), each with its run_* and register_*; what they share
// is in verbs.hpp; config_commands.cpp only registers the group.
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
  bool dry_run = false;  // say what would be written, write nothing
};
// Creates or updates a context (only the given settings change; a new token
// source replaces the old one) and writes the file 0600 atomically. The first
// context of a file becomes current.
int run_config_set_context(const SetContextOptions& opts, CommandContext& ctx);

struct UseContextOptions {
  std::string name;
  bool dry_run = false;
};
int run_config_use_context(const UseContextOptions& opts, CommandContext& ctx);

struct DeleteContextOptions {
  std::string name;
  bool dry_run = false;
};
// Removes a context from the file (its comments kept where the edit allows);
// the current context is unset when it is the one removed. An unknown name is
// NotFound naming the known ones.
int run_config_delete_context(const DeleteContextOptions& opts, CommandContext& ctx);
int run_config_view(CommandContext& ctx);
int run_config_get_contexts(CommandContext& ctx);

void register_config(CLI::App& root, CommandContext& ctx);
void register_config_view(CLI::App& group, CommandContext& ctx);
void register_config_get_contexts(CLI::App& group, CommandContext& ctx);
void register_config_set_context(CLI::App& group, CommandContext& ctx);
void register_config_use_context(CLI::App& group, CommandContext& ctx);
void register_config_delete_context(CLI::App& group, CommandContext& ctx);

}  // namespace daoctl::commands
