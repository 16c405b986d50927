// daoctl departments: the native department tree (/api/v1/departments).
#pragma once

#include "commands/common/cli_fwd.hpp"
#include <vector>

#include "commands/common/context.hpp"

namespace daoctl::commands {

// Every department, all cursor pages.
std::vector<json> fetch_departments(CommandContext& ctx);

// Nests flat departments by parent_id: each node is {id, name, member_count,
// children: [...]}, siblings sorted by name then id. A department whose parent
// is missing from the list becomes a root, so nothing is silently dropped.
json department_forest(const std::vector<json>& departments);

// "Company (3)\n  IT (5)\n    Backend (2)\n": two spaces per level, the
// department's own member count in parentheses.
std::string department_tree_text(const json& forest);

int run_departments_list(CommandContext& ctx);
int run_departments_tree(CommandContext& ctx);
void register_departments(CLI::App& root, CommandContext& ctx);

}  // namespace daoctl::commands
