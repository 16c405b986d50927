#include "commands/common/output_formats.hpp"

#include <fmt/format.h>

#include <map>
#include <CLI/CLI.hpp>

#include "core/error.hpp"

namespace daoctl::commands {

namespace {

using Formats = std::vector<std::string>;

// Commands whose output is not a list or an item rendered by print_list /
// print_item. Each entry is what the command's code really prints; a command
// that prints nothing on stdout (only status lines on stderr) has none.
const std::map<std::string, Formats>& table() {
  static const std::map<std::string, Formats> t = {
      {"api", {"json"}},  // the answer as the server sent it (JSON pretty-printed)
      {"apply", {"table", "json"}},
      {"diff", {"table", "json"}},
      {"export-env", {"yaml"}},  // an environment file; -O names where it goes
      {"backup run", {"table", "json"}},
      {"completion", {}},
      {"config view", {"table", "yaml", "json"}},  // table is the file itself (YAML)
      // A change of the file: nothing on stdout for table; -o json|yaml print
      // the file, the current context and the changed context (or, with
      // --dry-run, what would be written).
      {"config set-context", {"table", "json", "yaml"}},
      {"config use-context", {"table", "json", "yaml"}},
      {"config delete-context", {"table", "json", "yaml"}},
      {"departments tree", {"table", "json", "yaml"}},
      {"deprovision plan", {"table", "json"}},
      {"deprovision apply", {"table"}},
      {"deprovision user", {"table", "json"}},
      {"deprovision reactivate", {"table", "json"}},
      {"doctor", {"table", "json", "yaml"}},
      // Nothing on stdout for table (the sentence is on stderr); json|yaml
      // print what was deleted, or with --dry-run what would be.
      {"groups delete", {"table", "json", "yaml"}},
      {"users delete", {"table", "json", "yaml"}},
      {"policy password set", {"table", "json", "yaml"}},
      {"policy registration set", {"table", "json", "yaml"}},
      {"policy keywords set", {"table", "json", "yaml"}},
      {"branding set", {"table", "json", "yaml"}},
      {"policy password diff", {"table", "json"}},
      {"policy registration diff", {"table", "json"}},
      {"policy keywords diff", {"table", "json"}},
      {"branding diff", {"table", "json"}},
      {"stats export", {"csv", "json", "ndjson", "xlsx", "prometheus"}},
      {"sync validate", {"table", "json"}},
      {"sync plan", {"table", "json"}},
      {"sync apply", {"table"}},
      {"sync status", {"table", "json"}},
      {"version", {"table", "json", "yaml"}},
  };
  return t;
}

}  // namespace

const std::vector<std::string>& default_output_formats() {
  static const Formats d = {"table", "json", "yaml", "csv"};
  return d;
}

const std::vector<std::string>& output_formats(const std::string& command_path) {
  const auto& t = table();
  auto it = t.find(command_path);
  return it == t.end() ? default_output_formats() : it->second;
}

std::vector<std::string> declared_output_format_paths() {
  std::vector<std::string> out;
  for (const auto& [path, formats] : table()) out.push_back(path);
  return out;
}

std::string selected_command_path(const CLI::App& root) {
  std::string path;
  const CLI::App* app = &root;
  for (;;) {
    auto chosen = app->get_subcommands();
    if (chosen.empty()) break;
    app = chosen.front();
    path += (path.empty() ? "" : " ") + app->get_name();
  }
  return path;
}

void check_output_format(const CLI::App& root, const std::string& output) {
  if (output.empty()) return;
  const std::string path = selected_command_path(root);
  if (path.empty()) return;
  const auto& formats = output_formats(path);
  for (const auto& f : formats)
    if (f == output) return;
  const std::string object;  // the message names the command and the format already
  // `export-env -o env.yaml` was a file once: say where files go now.
  const bool looks_like_file = output.find_first_of("./") != std::string::npos;
  const std::string file_hint = looks_like_file ? "; to write to a file, use -O/--output-file FILE" : "";
  if (formats.empty())
    throw CommandError(ErrorKind::Usage, "'daoctl " + path + "' prints no data, so it takes no -o/--output",
                       object, "", "leave out -o; its status lines go to stderr" + file_hint);
  throw CommandError(ErrorKind::Usage, "'daoctl " + path + "' cannot print " + output, object,
                     fmt::format("it prints {}", fmt::join(formats, ", ")),
                     fmt::format("use -o {}{}", fmt::join(formats, "|"), file_hint));
}

}  // namespace daoctl::commands
