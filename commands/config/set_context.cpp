#include <CLI/CLI.hpp>
#include "commands/config/config_commands.hpp"

#include "commands/common/command_doc.hpp"
#include "commands/common/dry_run.hpp"
#include "commands/config/verbs.hpp"
#include "connectors/local/config_writer.hpp"

namespace daoctl::commands {

using namespace config_verbs;

int run_config_set_context(const SetContextOptions& opts, CommandContext& ctx) {
  if (!opts.token_file.empty() && !opts.token_command.empty()) {
    throw CommandError(ErrorKind::Usage, "--token-file and --token-command exclude each other",
                       "context " + opts.name);
  }
  if (!opts.url.empty() && opts.url.rfind("http://", 0) != 0 &&
      opts.url.rfind("https://", 0) != 0) {
    throw CommandError(ErrorKind::Usage, "invalid --url", "context " + opts.name,
                       "'" + opts.url + "' is not an http:// or https:// URL");
  }
  config::ConfigFile file = ctx.config_file().value_or(config::ConfigFile{});
  config::ContextEntry* entry = file.find(opts.name);
  const bool created = entry == nullptr;
  if (created) {
    file.contexts.push_back(config::ContextEntry{});
    entry = &file.contexts.back();
    entry->name = opts.name;
    if (opts.url.empty()) {
      throw CommandError(ErrorKind::Usage, "a new context needs --url", "context " + opts.name);
    }
  }
  if (!opts.url.empty()) entry->url = opts.url;
  if (!opts.token_file.empty() || !opts.token_command.empty()) {
    entry->token.clear();
    entry->token_file = opts.token_file;
    entry->token_command = opts.token_command;
  }
  if (!opts.ca_file.empty()) entry->ca_file = opts.ca_file;
  if (opts.insecure) entry->insecure = opts.insecure;
  if (opts.timeout_seconds) entry->timeout_seconds = opts.timeout_seconds;
  if (opts.use || file.current_context.empty()) file.current_context = opts.name;
  const std::string path = ctx.config_path();
  const std::string rest = " context " + opts.name + " in " + path +
                           (file.current_context == opts.name && (!ctx.config_file() || ctx.config_file()->current_context != opts.name)
                                ? " and make it current"
                                : "");
  if (opts.dry_run) return report_dry_run(ctx, (created ? "create" : "update") + rest, change_json(path, file, entry));
  value_or_throw(local::write_config_file(path, file));
  ctx.info((created ? "created" : "updated") + rest);
  print_change(ctx, change_json(path, file, file.find(opts.name)));
  return exit_code::ok;
}

void register_config_set_context(CLI::App& group, CommandContext& ctx) {
  auto set = std::make_shared<SetContextOptions>();
  auto& set_cmd = add_command(
      group, {"set-context", "Create or update a context (file written 0600)",
              "daoctl config set-context prod --url https://intranet.example.com "
              "--token-file ~/.config/daoctl/prod.token"});
  set_cmd.add_option("name", set->name, "Context name")->required();
  set_cmd.add_option("--url", set->url, "Platform base URL");
  set_cmd.add_option("--token-file", set->token_file, "File holding the API token (mode 0600)");
  set_cmd.add_option("--token-command", set->token_command,
                     "Shell command printing the API token");
  set_cmd.add_option("--ca-file", set->ca_file, "PEM bundle to verify the server with");
  set_cmd.add_option("--insecure-skip-verify", set->insecure,
                     "true to skip TLS verification for this context");
  set_cmd.add_option("--timeout", set->timeout_seconds, "Time limit of a whole command in seconds (as --timeout)")
      ->check(CLI::PositiveNumber);
  set_cmd.add_flag("--use", set->use, "Also make it the current context");
  set_cmd.add_flag("--dry-run", set->dry_run, "Only say what would be written");
  set_cmd.callback([set, &ctx] { ctx.exit_status = run_config_set_context(*set, ctx); });
}

}  // namespace daoctl::commands
