// The composition root: builds the command tree and global flags, resolves the
// real Io and platform client, runs one command, and is the one place that
// turns errors into "daoctl: error: ..." and exit codes.
#pragma once

#include "commands/common/cli_fwd.hpp"
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "commands/common/context.hpp"
#include "core/config/config.hpp"

namespace daoctl::cli {

// Process entry (cli/main.cpp): real terminal, real environment, libcurl.
int main(int argc, char** argv);

using CommandRegistrar = std::function<void(CLI::App& root, commands::CommandContext& ctx)>;

struct AppDependencies {
  commands::Io* io = nullptr;
  config::Env env;
  commands::ClientFactory client_factory;
  // Adds the commands below the root; default: commands::register_all_commands.
  CommandRegistrar register_commands;
  std::string version = "0.0.0";
};

// Runs one command line (`args` without argv[0]) and returns the exit code:
// 0 ok; CLI11 usage errors 2; CommandError -> exit_code_for(kind); any other
// exception -> 1 with "internal error". Help and --version print and return 0.
int run(const std::vector<std::string>& args, AppDependencies deps);

// The root command with global flags bound to ctx.global and every command
// registered; exposed so tests can walk the tree.
// A usage error's text with the values of secret-looking options of `args`
// (`--token X`, `--password=X`) replaced by <redacted>.
std::string redact_secret_arguments(std::string text, const std::vector<std::string>& args);

std::unique_ptr<CLI::App> make_app(commands::CommandContext& ctx, const CommandRegistrar& registrar,
                                   const std::string& version);

// Colour policy: CLICOLOR_FORCE (non-empty, not "0") forces it on; otherwise
// only on a terminal, never with NO_COLOR set or TERM=dumb.
bool colour_enabled(bool is_tty, const config::Env& env);

// The libcurl-backed client factory used by the real binary. Prints a loud
// warning on the Io's stderr when TLS verification is off.
commands::ClientFactory curl_client_factory(std::string user_agent);

}  // namespace daoctl::cli
