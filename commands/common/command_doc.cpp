#include <CLI/CLI.hpp>
#include "commands/common/command_doc.hpp"

namespace daoctl::commands {

namespace {
constexpr std::string_view kExamplePrefix = "Example:\n  ";

CommandNode walk(const CLI::App& app, const std::string& parent_path) {
  CommandNode node;
  node.name = app.get_name();
  node.path = parent_path.empty() ? node.name : parent_path + " " + node.name;
  node.summary = app.get_description();
  const std::string footer = app.get_footer();
  if (auto at = footer.find(kExamplePrefix); at != std::string::npos) {
    const auto begin = at + kExamplePrefix.size();
    node.example = footer.substr(begin, footer.find('\n', begin) - begin);
  }
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    node.children.push_back(walk(*sub, node.path));
  }
  return node;
}
}  // namespace

CLI::App& add_command(CLI::App& parent, const CommandDoc& doc) {
  CLI::App* sub = parent.add_subcommand(doc.name, doc.summary);
  sub->footer(std::string(kExamplePrefix) + doc.example);
  return *sub;
}

CommandNode command_tree(const CLI::App& root) { return walk(root, ""); }

}  // namespace daoctl::commands
