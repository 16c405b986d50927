#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>

#include "commands/backup/backup.hpp"

namespace daoctl::commands {

namespace fs = std::filesystem;

namespace {

void print_report(CommandContext& ctx, const local::ArchiveReport& report) {
  ctx.print_item(local::archive_report_json(report), {{"PATH", "/path", {}},
                                               {"OK", "/ok", {}},
                                               {"BACKUP", "/backup_id", {}},
                                               {"MEMBERS", "/members", {}},
                                               {"SHA256", "/sha256", {}},
                                               {"READ DATA", "/read_data", {}}});
}

}  // namespace

int run_backup_verify(const BackupVerifyOptions& opts, CommandContext& ctx) {
  std::error_code ec;
  if (fs::is_regular_file(opts.target, ec)) {
    auto report = check_archive(opts.target, opts.read_data);
    if (!report.expected_sha256)
      ctx.warn(fmt::format("{} has no {}.sha256 beside it: the archive checksum is computed but not compared",
                           opts.target, fs::path(opts.target).filename().string()));
    print_report(ctx, report);
    throw_if_damaged(report);
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
  auto download = download_backup(ctx, backup_info, (tmp / "archive.tar.zst").string());
  auto report = check_archive(download.path, true, backup_info.sha256.value_or(""));
  report.path = "backup " + opts.target;
  print_report(ctx, report);
  throw_if_damaged(report);
  return exit_code::ok;
}

}  // namespace daoctl::commands
