#include "commands/config/verbs.hpp"

namespace daoctl::commands::config_verbs {

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

json change_json(const std::string& path, const config::ConfigFile& file, const config::ContextEntry* entry) {
  json j = {{"file", path}, {"current-context", file.current_context}};
  if (entry != nullptr) j["context"] = context_json(*entry, entry->name == file.current_context);
  return j;
}

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

}  // namespace daoctl::commands::config_verbs
