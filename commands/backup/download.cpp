#include <fmt/format.h>

#include <filesystem>

#include "commands/backup/backup.hpp"
#include "connectors/local/files.hpp"

namespace daoctl::commands {

int run_backup_download(const BackupDownloadOptions& opts, CommandContext& ctx) {
  if (!opts.output.empty() && !opts.dir.empty())
    throw CommandError(ErrorKind::Usage, "-O and --dir exclude each other", "backup download",
                       "-O names the file, --dir a directory where the default name is used");
  auto keys = trusted_backup_keys(ctx, opts.trusted_keys);
  auto backup_info = fetch_backup(ctx, opts.id);
  std::string path = opts.output;
  if (path.empty()) {
    std::string dir = opts.dir.empty() ? "." : opts.dir;
    value_or_throw(local::make_dirs(dir));
    path = (std::filesystem::path(dir) / local::local_backup_name(opts.id, backup_info.created_at)).string();
  }
  auto recipients = age_recipients(opts.encrypt_to);
  if (!recipients.empty() && !path.ends_with(".age")) path += ".age";
  auto signed_download = download_signed_backup(ctx, backup_info, path, keys, recipients);
  const auto& result = signed_download.download;
  std::optional<crypto::TimestampInfo> stamp;
  if (!opts.timestamp_url.empty()) stamp = timestamp_backup(ctx, result.path, opts.timestamp_url, opts.timestamp_ca);
  double mib = static_cast<double>(result.size) / (1 << 20);
  ctx.info(fmt::format("downloaded backup {} to {} ({:.1f} MiB in {:.2f} s, sha256 verified{})", opts.id, result.path,
                       mib, result.seconds, recipients.empty() ? "" : ", encrypted with age"));
  ctx.print_item({{"id", opts.id},
                  {"path", result.path},
                  {"size", result.size},
                  {"sha256", result.sha256},
                  {"resumed_from", result.resumed_from},
                  {"seconds", result.seconds},
                  {"origin", signed_download.origin.status},
                  {"encrypted", !recipients.empty()},
                  {"timestamp", stamp ? json(stamp->time) : json(nullptr)},
                  {"signed_by", signed_download.origin.key_id.empty() ? json(nullptr) : json(signed_download.origin.key_id)}},
                 {{"ID", "/id", {}}, {"PATH", "/path", {}}, {"SIZE", "/size", {}}, {"SHA256", "/sha256", {}},
                  {"ORIGIN", "/origin", {}}});
  return exit_code::ok;
}

}  // namespace daoctl::commands
