#include <fmt/format.h>

#include "commands/backup/backup.hpp"

namespace daoctl::commands {

const std::vector<output::Column>& backup_columns() {
  static const std::vector<output::Column> columns = {{"ID", "/id", {}},         {"CREATED", "/created_at", {}},
                                                      {"STATE", "/state", {}},   {"KIND", "/kind", {}},
                                                      {"SIZE", "/size", {}},     {"SHA256", "/sha256", {}},
                                                      {"NOTE", "/note", {}}};
  return columns;
}

int run_backup_list(const BackupListOptions& opts, CommandContext& ctx) {
  std::vector<json> rows;
  for (auto& b : value_or_throw(backup_api(ctx).list(opts.kind, opts.state))) rows.push_back(std::move(b.raw));
  ctx.print_list(rows, backup_columns());
  return exit_code::ok;
}

int run_backup_show(const BackupShowOptions& opts, CommandContext& ctx) {
  ctx.print_item(fetch_backup(ctx, opts.id).raw, backup_columns());
  return exit_code::ok;
}

}  // namespace daoctl::commands
