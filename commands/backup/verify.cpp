#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>

#include "commands/backup/backup.hpp"

namespace daoctl::commands {

namespace fs = std::filesystem;

namespace {

void print_report(CommandContext& ctx, const local::ArchiveReport& report, const local::OriginCheck& origin,
                  const std::optional<crypto::TimestampInfo>& stamp) {
  auto item = local::archive_report_json(report);
  item["timestamp"] = stamp ? json(stamp->time) : json(nullptr);
  item["timestamp_signature_checked"] = stamp ? json(stamp->signature_checked) : json(nullptr);
  item["origin"] = origin.status;
  item["signed_by"] = origin.key_id.empty() ? json(nullptr) : json(origin.key_id);
  item["trusted_comment"] = origin.trusted_comment.empty() ? json(nullptr) : json(origin.trusted_comment);
  ctx.print_item(item, {{"PATH", "/path", {}},
                                               {"OK", "/ok", {}},
                                               {"ORIGIN", "/origin", {}},
                                               {"BACKUP", "/backup_id", {}},
                                               {"MEMBERS", "/members", {}},
                                               {"SHA256", "/sha256", {}},
                                               {"READ DATA", "/read_data", {}}});
}

}  // namespace

int run_backup_verify(const BackupVerifyOptions& opts, CommandContext& ctx) {
  std::error_code ec;
  auto keys = trusted_backup_keys(ctx, opts.trusted_keys);
  if (fs::is_regular_file(opts.target, ec)) {
    // The signature first: a changed or foreign manifest stops before the archive is read.
    auto origin = check_local_origin(ctx, opts.target, keys);
    std::optional<std::string> signed_sha256;
    if (origin.manifest) signed_sha256 = origin.manifest->archive_sha256;
    auto stamp = check_backup_timestamp(ctx, opts.target, opts.timestamp_ca);
    auto report = check_any_archive(opts.target, opts.read_data, signed_sha256, opts.identity);
    if (!report.expected_sha256)
      ctx.warn(fmt::format("{} has no {}.sha256 beside it: the archive checksum is computed but not compared",
                           opts.target, fs::path(opts.target).filename().string()));
    print_report(ctx, report, origin, stamp);
    throw_if_damaged(report);
    require_origin_matches(origin, report);
    return exit_code::ok;
  }
  // A backup id: download into a private temporary directory, verify, delete.
  auto backup_info = fetch_backup(ctx, opts.target);
  auto tmp = fs::temp_directory_path() / fmt::format("daoctl-verify-{}-{}", ::getpid(), opts.target.size());
  fs::create_directories(tmp);
  struct Cleanup {
    fs::path dir;
    ~Cleanup() {
      std::error_code e;
      fs::remove_all(dir, e);
    }
  } cleanup{tmp};
  auto signed_download = download_signed_backup(ctx, backup_info, (tmp / "archive.tar.zst").string(), keys);
  const auto& download = signed_download.download;
  auto report = check_archive(download.path, true, backup_info.sha256.value_or(""));
  report.path = "backup " + opts.target;
  print_report(ctx, report, signed_download.origin, std::nullopt);
  throw_if_damaged(report);
  require_origin_matches(signed_download.origin, report);
  return exit_code::ok;
}

}  // namespace daoctl::commands
