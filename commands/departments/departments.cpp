#include "commands/departments/departments.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <CLI/CLI.hpp>

#include "commands/common/command_doc.hpp"
#include "commands/common/scim_lookup.hpp"
#include "connectors/platform/departments_api.hpp"

namespace daoctl::commands {

namespace {

std::string text_field(const json& object, const char* key) {
  if (!object.contains(key) || object[key].is_null()) return "";
  const auto& v = object[key];
  return v.is_string() ? v.get<std::string>() : v.dump();
}

const std::vector<output::Column>& department_columns() {
  static const std::vector<output::Column> columns = {
      {"ID", "/id", {}},
      {"NAME", "/name", {}},
      {"PARENT", "/parent_id", {}},
      {"MEMBERS", "/member_count", {}},
      {"PATH", "/path", {}},
  };
  return columns;
}

}  // namespace

std::vector<json> fetch_departments(CommandContext& ctx) {
  std::vector<json> departments;
  long long page = 0;
  value_or_throw(platform::DepartmentsApi(ctx.client()).list([&](const json& items) {
    check_page(items, "page " + std::to_string(++page) + " of " + platform::DepartmentsApi::kPath, "/items",
               check_department);
    for (const auto& d : items) departments.push_back(d);
  }));
  return departments;
}

json department_forest(const std::vector<json>& departments) {
  std::set<std::string> ids;
  for (const auto& d : departments) ids.insert(text_field(d, "id"));
  std::map<std::string, std::vector<const json*>> children;  // parent id ("" = root)
  for (const auto& d : departments) {
    std::string parent = text_field(d, "parent_id");
    if (!ids.count(parent) || parent == text_field(d, "id")) parent.clear();
    children[parent].push_back(&d);
  }
  // The visited set stops a parent cycle (a server-side bug) from recursing
  // forever; departments only reachable through a cycle are appended as roots.
  std::set<std::string> visited;
  std::function<json(const std::string&)> build = [&](const std::string& parent) {
    json level = json::array();
    auto it = children.find(parent);
    if (it == children.end()) return level;
    auto nodes = it->second;
    std::sort(nodes.begin(), nodes.end(), [](const json* a, const json* b) {
      const auto an = text_field(*a, "name");
      const auto bn = text_field(*b, "name");
      return an != bn ? an < bn : text_field(*a, "id") < text_field(*b, "id");
    });
    for (const json* d : nodes) {
      const std::string id = text_field(*d, "id");
      if (!visited.insert(id).second) continue;
      level.push_back({{"id", id},
                       {"name", text_field(*d, "name")},
                       {"member_count", platform::Answer(*d, "department " + id).value("/member_count", 0L)},
                       {"children", build(id)}});
    }
    return level;
  };
  json forest = build("");
  for (const auto& d : departments) {
    const std::string id = text_field(d, "id");
    if (visited.count(id)) continue;
    children[""] = {&d};
    for (auto& node : build("")) forest.push_back(std::move(node));
  }
  return forest;
}

std::string department_tree_text(const json& forest) {
  std::string text;
  std::function<void(const json&, int)> print = [&](const json& level, int depth) {
    for (const auto& node : level) {
      text += std::string(static_cast<std::size_t>(depth) * 2, ' ');
      text += node.value("name", "") + " (" + std::to_string(node.value("member_count", 0)) +
              ")\n";
      print(node["children"], depth + 1);
    }
  };
  print(forest, 0);
  return text;
}

int run_departments_list(CommandContext& ctx) {
  ctx.print_list(fetch_departments(ctx), department_columns());
  return exit_code::ok;
}

int run_departments_tree(CommandContext& ctx) {
  const json forest = department_forest(fetch_departments(ctx));
  switch (ctx.format()) {
    case output::Format::Json:
      output::render_json(ctx.io().out(), forest);
      break;
    case output::Format::Yaml:
      output::render_yaml(ctx.io().out(), forest);
      break;
    case output::Format::Csv:
      throw CommandError(ErrorKind::Usage, "a tree cannot be printed as CSV",
                         "daoctl departments tree", "",
                         "use -o json, or `daoctl departments list -o csv`");
    case output::Format::Table:
      ctx.io().out() << department_tree_text(forest);
      break;
  }
  return exit_code::ok;
}

void register_departments(CLI::App& root, CommandContext& ctx) {
  auto& group = add_command(root, {"departments", "Show the department tree",
                                    "daoctl departments tree"});
  group.require_subcommand(1);
  add_command(group, {"list", "List all departments", "daoctl departments list -o csv"})
      .callback([&ctx] { ctx.exit_status = run_departments_list(ctx); });
  add_command(group, {"tree", "Print departments as an indented tree with member counts",
                      "daoctl departments tree -o json"})
      .callback([&ctx] { ctx.exit_status = run_departments_tree(ctx); });
}

}  // namespace daoctl::commands
