#include "cli/usage_help.hpp"

#include <CLI/CLI.hpp>

#include "core/text/suggest.hpp"

namespace daoctl::cli {

namespace {

std::string path_of(const CLI::App* app) {
  std::string path;
  for (const CLI::App* a = app; a != nullptr; a = a->get_parent())
    path = a->get_name() + (path.empty() ? "" : " " + path);
  return path;
}

// Subcommands a user can type (hidden ones, such as __complete, have no group).
std::vector<const CLI::App*> visible_commands(const CLI::App* app) {
  return app->get_subcommands([](const CLI::App* sub) { return !sub->get_group().empty(); });
}

bool is_group(const CLI::App* app) {
  return !app->get_subcommands({}).empty() &&
         app->get_options([](const CLI::Option* o) { return !o->nonpositional(); }).empty();
}

// The option named `name` ("--filter", "-o") in `app` or, since global flags
// fall through, in one of its parents.
const CLI::Option* find_option(const CLI::App* app, const std::string& name) {
  for (const CLI::App* a = app; a != nullptr; a = a->get_parent())
    for (const CLI::Option* o : a->get_options())
      if (o->nonpositional() && o->check_name(name)) return o;
  return nullptr;
}

// The flags valid where `app` is: its own and its parents' (--long first).
std::vector<std::string> flags_in_scope(const CLI::App* app) {
  std::vector<std::string> names;
  for (const CLI::App* a = app; a != nullptr; a = a->get_parent())
    for (const CLI::Option* o : a->get_options()) {
      if (!o->nonpositional()) continue;
      for (const auto& l : o->get_lnames()) names.push_back("--" + l);
      for (const auto& s : o->get_snames()) names.push_back("-" + s);
    }
  return names;
}

std::string did_you_mean(const std::vector<std::string>& near) {
  if (near.empty()) return "";
  std::vector<std::string> first(near.begin(), near.begin() + static_cast<long>(std::min<std::size_t>(near.size(), 3)));
  return "; did you mean " + text::quoted_alternatives(first) + "?";
}

std::string hint_for(const CLI::App* app) { return "hint: see '" + path_of(app) + " --help'\n"; }

}  // namespace

std::optional<std::string> diagnose_usage(const CLI::App& root, const std::vector<std::string>& args) {
  const CLI::App* current = &root;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") break;
    if (arg.size() > 1 && arg[0] == '-') {
      if (current->get_allow_extras()) continue;
      std::string name = arg;
      bool inline_value = false;
      if (arg.starts_with("--")) {
        if (auto eq = arg.find('='); eq != std::string::npos) {
          name = arg.substr(0, eq);
          inline_value = true;
        }
      } else if (arg.size() > 2) {
        name = arg.substr(0, 2);  // -ojson, or -qy
        inline_value = true;
      }
      const CLI::Option* option = find_option(current, name);
      if (option == nullptr) {
        return "daoctl: error: unknown flag '" + name + "' for '" + path_of(current) + "'" +
               did_you_mean(text::suggestions(name, flags_in_scope(current))) + "\n" + hint_for(current);
      }
      if (option->get_type_size_max() > 0 && !inline_value) ++i;  // its value
      continue;
    }
    if (!is_group(current)) continue;  // an argument of a command
    const CLI::App* next = nullptr;
    for (const CLI::App* sub : current->get_subcommands({}))
      if (sub->check_name(arg)) next = sub;
    if (next == nullptr) {
      std::vector<std::string> names;
      for (const CLI::App* sub : visible_commands(current)) names.push_back(sub->get_name());
      return "daoctl: error: unknown command '" + arg + "' for '" + path_of(current) + "'" +
             did_you_mean(text::suggestions(arg, names)) + "\n" + hint_for(current);
    }
    current = next;
  }
  if (is_group(current) && current->get_require_subcommand_min() > 0) {
    const std::string parent = current->get_parent() ? path_of(current->get_parent()) : std::string();
    return current->help(parent) + "\ndaoctl: error: '" + path_of(current) + "' needs a command (listed above)\n";
  }
  return std::nullopt;
}

}  // namespace daoctl::cli
