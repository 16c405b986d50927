#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "commands/backup/backup.hpp"
#include "connectors/hr/http_json_source.hpp"

namespace daoctl::commands {

namespace fs = std::filesystem;

namespace {

// A restore needs both --yes and the id typed back, or --confirm ID: one
// reflex (--yes in a script) is not enough to replace every byte of data.
void confirm_restore(CommandContext& ctx, const BackupRestoreOptions& opts, const std::string& id,
                     const std::string& object) {
  if (!opts.confirm.empty()) {
    if (opts.confirm != id)
      throw CommandError(ErrorKind::Safety, "not confirmed; nothing was changed", object,
                         fmt::format("--confirm {} does not match the backup id {}", opts.confirm, id));
    return;
  }
  if (!ctx.global.yes)
    throw CommandError(ErrorKind::Safety, "refusing to restore without confirmation", object,
                       "a restore replaces all data on the platform",
                       fmt::format("pass --yes and type the backup id, or --confirm {}", id));
  auto answer = ctx.io().prompt(fmt::format("To replace all data with backup {}, type {} and press Enter: ", id, id));
  if (!answer)
    throw CommandError(ErrorKind::Safety, "refusing to restore without confirmation", object,
                       "not running on a terminal, so nobody can type the id", fmt::format("pass --confirm {}", id));
  if (*answer != id)
    throw CommandError(ErrorKind::Safety, "not confirmed; nothing was changed", object,
                       fmt::format("typed \"{}\", expected {}", *answer, id));
}

std::string current_state(CommandContext& ctx) {
  auto users = ctx.client().get_json("/scim/v2/Users?count=0", "user count");
  if (!users || !users->contains("totalResults")) return "its current state";
  return fmt::format("its current {} users, departments, groups, content and files", (*users)["totalResults"].dump());
}

std::string multipart_body(const std::string& boundary, const std::string& archive, const std::string& confirm) {
  std::string body;
  body.reserve(archive.size() + 512);
  body += "--" + boundary + "\r\n";
  body += "Content-Disposition: form-data; name=\"archive\"; filename=\"backup.tar.zst\"\r\n";
  body += "Content-Type: application/octet-stream\r\n\r\n";
  body += archive;
  body += "\r\n--" + boundary + "\r\n";
  body += "Content-Disposition: form-data; name=\"confirm\"\r\n\r\n";
  body += confirm;
  body += "\r\n--" + boundary + "--\r\n";
  return body;
}

}  // namespace

int run_backup_restore(const BackupRestoreOptions& opts, CommandContext& ctx) {
  auto url = hr::redact_url(ctx.client_settings().url);  // shown, never with user:password@
  std::error_code ec;
  json job;
  std::string id;
  if (fs::is_regular_file(opts.target, ec)) {
    // Verified end to end before a byte is uploaded.
    auto report = check_archive(opts.target, true);
    throw_if_damaged(report);
    id = report.manifest->backup_id;
    ctx.io().err() << fmt::format(
        "Restoring {} replaces ALL data on {} ({}) with backup {} of {} ({} members, {} bytes, verified).\n",
        opts.target, url, current_state(ctx), id, report.manifest->created_at, report.manifest->members.size(),
        report.size);
    confirm_restore(ctx, opts, id, opts.target);
    std::ifstream in(opts.target, std::ios::binary);
    std::stringstream data;
    data << in.rdbuf();
    std::string boundary = fmt::format("daoctl-{:016x}", std::random_device{}() * 0x9E3779B97F4A7C15ull);
    auto req = ctx.client().make_request("POST", "/api/v1/restore", "restore from " + opts.target);
    req.headers.push_back({"Content-Type", "multipart/form-data; boundary=" + boundary});
    req.body = multipart_body(boundary, data.str(), report.sha256);
    req.timeout = std::chrono::hours(1);
    req.stall_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(ctx.resolved().timeout);
    auto response = value_or_throw(ctx.client().send(std::move(req)));
    job = json::parse(response.body);
  } else {
    id = opts.target;
    auto backup_json = fetch_backup(ctx, id);
    if (backup_json.value("state", "") != "ready")
      throw CommandError(ErrorKind::Conflict, "the backup cannot be restored", "backup " + id,
                         "its state is " + backup_json.value("state", "unknown"));
    ctx.io().err() << fmt::format("Restoring replaces ALL data on {} ({}) with backup {} of {} ({} bytes).\n", url,
                                  current_state(ctx), id, backup_json.value("created_at", ""),
                                  backup_json["size"].dump());
    confirm_restore(ctx, opts, id, "backup " + id);
    job = value_or_throw(ctx.client().send_json("POST", "/api/v1/backups/" + platform::url_encode_segment(id) + "/restore",
                                                "backup " + id, json{{"confirm", id}}));
  }
  auto done = wait_for_job(ctx, job, "restore");
  ctx.info(fmt::format("restored backup {}; the platform now serves its data", id));
  ctx.print_item(done, {{"JOB", "/id", {}}, {"STATE", "/state", {}}, {"BACKUP", "/result/backup_id", {}},
                        {"CREATED", "/result/backup_created_at", {}}});
  return exit_code::ok;
}

}  // namespace daoctl::commands
