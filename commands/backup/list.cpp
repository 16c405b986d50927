#include <fmt/format.h>

#include "commands/backup/backup.hpp"
#include "core/output/progress.hpp"

namespace daoctl::commands {

const std::vector<output::Column>& backup_columns() {
  static const std::vector<output::Column> columns = {{"ID", "/id", {}},         {"CREATED", "/created_at", {}},
                                                      {"STATE", "/state", {}},   {"KIND", "/kind", {}},
                                                      {"SIZE", "/size", {}},     {"SHA256", "/sha256", {}},
                                                      {"NOTE", "/note", {}}};
  return columns;
}

namespace {

// A table on a terminal is read by a person: sizes in KiB/MiB/GiB and the
// first 12 hex digits of the digest (enough to tell backups apart and to
// find one with grep). Piped or redirected, and in -o json|yaml|csv, the
// values stay exact, as scripts expect.
std::vector<output::Column> list_columns(CommandContext& ctx) {
  if (ctx.format() != output::Format::Table || !ctx.io().stdout_is_tty()) return backup_columns();
  std::vector<output::Column> columns = backup_columns();
  for (auto& c : columns) {
    if (c.pointer == "/size") {
      c.extract = [](const json& b) -> std::string {
        const auto it = b.find("size");
        if (it == b.end() || !it->is_number_integer()) return "";
        return output::format_amount(it->get<std::int64_t>(), output::ProgressUnit::Bytes);
      };
    } else if (c.pointer == "/sha256") {
      c.extract = [](const json& b) -> std::string {
        const auto it = b.find("sha256");
        if (it == b.end() || !it->is_string()) return "";
        const auto& digest = it->get_ref<const std::string&>();
        return digest.size() > 12 ? digest.substr(0, 12) + "\u2026" : digest;
      };
    }
  }
  return columns;
}

}  // namespace

int run_backup_list(const BackupListOptions& opts, CommandContext& ctx) {
  std::vector<json> rows;
  for (auto& b : value_or_throw(backup_api(ctx).list(opts.kind, opts.state))) rows.push_back(std::move(b.raw));
  ctx.print_list(rows, list_columns(ctx));
  return exit_code::ok;
}

int run_backup_show(const BackupShowOptions& opts, CommandContext& ctx) {
  ctx.print_item(fetch_backup(ctx, opts.id).raw, list_columns(ctx));
  return exit_code::ok;
}

}  // namespace daoctl::commands
