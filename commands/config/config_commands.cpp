#include <CLI/CLI.hpp>
#include "commands/config/config_commands.hpp"

#include "commands/common/command_doc.hpp"
#include "commands/common/dry_run.hpp"
#include "connectors/local/config_writer.hpp"
#include "core/config/config_files.hpp"

namespace daoctl::commands {

namespace {

std::string token_kind(const config::ContextEntry& c) {
  if (!c.token.empty()) return "token (inline)";
  if (!c.token_file.empty()) return "token_file";
  if (!c.token_command.empty()) return "token_command";
  return "none";
}

json context_json(const config::ContextEntry& c, bool current) {
  json j = {{"current", current}, {"name", c.name}, {"url", c.url}, {"auth", token_kind(c)}};
  if (!c.token_file.empty()) j["token_file"] = c.token_file;
  if (!c.token_command.empty()) j["token_command"] = c.token_command;
  if (!c.token.empty()) j["token"] = "REDACTED";
  if (!c.ca_file.empty()) j["ca_file"] = c.ca_file;
  if (c.insecure) j["insecure"] = *c.insecure;
  if (c.timeout_seconds) j["timeout"] = *c.timeout_seconds;
  return j;
}

// What a change of the file did (or would do), for -o json|yaml.
json change_json(const std::string& path, const config::ConfigFile& file, const config::ContextEntry* entry) {
  json j = {{"file", path}, {"current-context", file.current_context}};
  if (entry != nullptr) j["context"] = context_json(*entry, entry->name == file.current_context);
  return j;
}

// The real run's machine form: the same fields as a dry run's, without
// dry_run; table prints nothing on stdout (the status line is on stderr).
void print_change(CommandContext& ctx, const json& change) {
  if (ctx.format() == output::Format::Json) output::render_json(ctx.io().out(), change);
  if (ctx.format() == output::Format::Yaml) output::render_yaml(ctx.io().out(), change);
}

[[noreturn]] void unknown_context(CommandContext& ctx, const std::string& name,
                                  const std::optional<config::ConfigFile>& loaded) {
  throw CommandError(ErrorKind::NotFound, "unknown context '" + name + "'", ctx.config_path(),
                     "known contexts: " + (loaded ? loaded->context_names() : "(none)"),
                     "create it with: daoctl config set-context " + name + " --url URL");
}

}  // namespace

int run_config_view(CommandContext& ctx) {
  const auto& file = ctx.config_file();
  if (!file) {
    ctx.info("no config file at " + ctx.config_path());
    return exit_code::ok;
  }
  switch (ctx.format()) {
    case output::Format::Table:
    case output::Format::Yaml:
      ctx.io().out() << config::serialize_config(*file, /*redact_secrets=*/true);
      break;
    case output::Format::Json:
    case output::Format::Csv: {
      json contexts = json::array();
      for (const auto& c : file->contexts) {
        json entry = context_json(c, false);
        entry.erase("current");
        entry.erase("auth");
        contexts.push_back(entry);
      }
      output::render_json(ctx.io().out(),
                          {{"current-context", file->current_context}, {"contexts", contexts}});
      break;
    }
  }
  return exit_code::ok;
}

int run_config_get_contexts(CommandContext& ctx) {
  const auto& file = ctx.config_file();
  std::vector<json> rows;
  if (file) {
    for (const auto& c : file->contexts) {
      rows.push_back(context_json(c, c.name == file->current_context));
    }
  }
  ctx.print_list(rows, {{"CURRENT", "", [](const json& r) {
                           return r.value("current", false) ? std::string("*") : std::string();
                         }},
                        {"NAME", "/name", {}},
                        {"URL", "/url", {}},
                        {"AUTH", "/auth", {}}});
  return exit_code::ok;
}

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

int run_config_use_context(const UseContextOptions& opts, CommandContext& ctx) {
  const auto& loaded = ctx.config_file();
  if (!loaded || loaded->find(opts.name) == nullptr) unknown_context(ctx, opts.name, loaded);
  config::ConfigFile file = *loaded;
  file.current_context = opts.name;
  const json change = change_json(ctx.config_path(), file, file.find(opts.name));
  if (opts.dry_run) return report_dry_run(ctx, "switch to context " + opts.name, change);
  value_or_throw(local::write_config_file(ctx.config_path(), file));
  ctx.info("switched to context " + opts.name);
  print_change(ctx, change);
  return exit_code::ok;
}

int run_config_delete_context(const DeleteContextOptions& opts, CommandContext& ctx) {
  const auto& loaded = ctx.config_file();
  if (!loaded || loaded->find(opts.name) == nullptr) unknown_context(ctx, opts.name, loaded);
  config::ConfigFile file = *loaded;
  std::erase_if(file.contexts, [&](const config::ContextEntry& c) { return c.name == opts.name; });
  const bool was_current = file.current_context == opts.name;
  if (was_current) file.current_context.clear();
  const std::string path = ctx.config_path();
  const std::string what = "context " + opts.name + " from " + path + (was_current ? " (it was the current one)" : "");
  json change = change_json(path, file, nullptr);
  change["deleted"] = opts.name;
  if (opts.dry_run) return report_dry_run(ctx, "delete " + what, change);
  value_or_throw(local::write_config_file(path, file));
  ctx.info("deleted " + what);
  if (was_current && !file.contexts.empty())
    ctx.info("no context is current now; pick one with: daoctl config use-context " + file.contexts.front().name);
  print_change(ctx, change);
  return exit_code::ok;
}

void register_config(CLI::App& root, CommandContext& ctx) {
  auto& group = add_command(root, {"config", "View and edit contexts in the config file",
                                   "daoctl config get-contexts"});
  group.require_subcommand(1);

  add_command(group, {"view", "Print the config file with secrets redacted",
                      "daoctl config view"})
      .callback([&ctx] { ctx.exit_status = run_config_view(ctx); });
  add_command(group, {"get-contexts", "List contexts; * marks the current one",
                      "daoctl config get-contexts -o json"})
      .callback([&ctx] { ctx.exit_status = run_config_get_contexts(ctx); });

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

  auto use = std::make_shared<UseContextOptions>();
  auto& use_cmd =
      add_command(group, {"use-context", "Set the current context", "daoctl config use-context prod"});
  use_cmd.add_option("name", use->name, "Context name")->required();
  use_cmd.add_flag("--dry-run", use->dry_run, "Only say what would be written");
  use_cmd.callback([use, &ctx] { ctx.exit_status = run_config_use_context(*use, ctx); });

  auto del = std::make_shared<DeleteContextOptions>();
  auto& del_cmd = add_command(group, {"delete-context", "Remove a context from the config file",
                                      "daoctl config delete-context staging"});
  del_cmd.add_option("name", del->name, "Context name")->required();
  del_cmd.add_flag("--dry-run", del->dry_run, "Only say what would be removed");
  del_cmd.callback([del, &ctx] { ctx.exit_status = run_config_delete_context(*del, ctx); });
}

}  // namespace daoctl::commands
