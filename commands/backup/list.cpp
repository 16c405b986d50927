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
  std::string query;
  auto add = [&](const char* name, const std::string& value) {
    if (value.empty()) return;
    query += (query.empty() ? "?" : "&") + std::string(name) + "=" + platform::url_encode_query(value);
  };
  add("kind", opts.kind);
  add("state", opts.state);
  ctx.print_list(list_backups(ctx, query), backup_columns());
  return exit_code::ok;
}

int run_backup_show(const BackupShowOptions& opts, CommandContext& ctx) {
  ctx.print_item(fetch_backup(ctx, opts.id), backup_columns());
  return exit_code::ok;
}

}  // namespace daoctl::commands
