#include "commands/common/dry_run.hpp"

#include <optional>

#include "core/text/ascii.hpp"

namespace daoctl::commands {

json dry_run_json(const std::string& would, const json& details) {
  json out = {{"dry_run", true}, {"would", would}};
  if (details.is_object())
    for (const auto& [k, v] : details.items()) out[k] = v;
  return out;
}

void refuse_taken_name(const std::function<json()>& lookup, const std::string& what, const std::string& name,
                       const char* name_field, const std::string& hint) {
  std::optional<json> taken;
  try {
    taken = lookup();
  } catch (const CommandError& e) {
    if (e.error().kind != ErrorKind::NotFound) throw;
  }
  if (taken && taken->is_object() && text::iequals(taken->value(name_field, ""), name))
    throw CommandError(ErrorKind::Conflict, "the " + what + " exists already", what + " " + name,
                       "id " + taken->value("id", std::string("?")), hint);
}

int report_dry_run(CommandContext& ctx, const std::string& would, const json& details) {
  ctx.io().err() << "dry run: would " << would << "; nothing was changed\n";
  print_dry_run_data(ctx, would, details);
  return exit_code::ok;
}

void print_deleted(CommandContext& ctx, const std::string& kind, const std::string& id, const char* name_field,
                   const std::string& name) {
  const json out = {{"deleted", kind}, {"id", id}, {name_field, name}};
  if (ctx.format() == output::Format::Json) output::render_json(ctx.io().out(), out);
  else if (ctx.format() == output::Format::Yaml) output::render_yaml(ctx.io().out(), out);
  ctx.io().out().flush();
}

void print_dry_run_data(CommandContext& ctx, const std::string& would, const json& details) {
  switch (ctx.format()) {
    case output::Format::Json:
      output::render_json(ctx.io().out(), dry_run_json(would, details));
      break;
    case output::Format::Yaml:
      output::render_yaml(ctx.io().out(), dry_run_json(would, details));
      break;
    case output::Format::Table:
    case output::Format::Csv:
      break;
  }
  ctx.io().out().flush();
}

}  // namespace daoctl::commands
