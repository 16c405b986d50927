// Glue shared by the backup verbs: the connectors do the work
// (connectors/platform/backup_api, connectors/local/resumable_download and
// backup_archive); this adds what belongs to a command - the progress line on
// a terminal, status lines, the run report and the flags named in hints.
#include <fmt/format.h>

#include "commands/backup/backup.hpp"
#include "commands/common/job_report.hpp"
#include "commands/common/progress.hpp"
#include <CLI/CLI.hpp>
#include <yaml-cpp/yaml.h>
#include <unistd.h>

#include "connectors/crypto/age.hpp"
#include "connectors/local/files.hpp"

namespace daoctl::commands {

platform::BackupApi backup_api(CommandContext& ctx) { return platform::BackupApi(ctx.client()); }

platform::BackupInfo fetch_backup(CommandContext& ctx, const std::string& id) {
  return value_or_throw(backup_api(ctx).get(id));
}

platform::JobInfo wait_for_job(CommandContext& ctx, const platform::JobInfo& job, const std::string& what,
                               std::chrono::seconds wait_timeout) {
  bool bar = progress_enabled(ctx);
  std::string last_state;
  platform::JobWait wait;
  wait.timeout = wait_timeout;
  wait.name_creating_backup = what == "backup";
  wait.on_poll = [&](const platform::JobInfo& current) {
    if (bar) {
      int filled = static_cast<int>(std::clamp(current.progress, 0.0, 1.0) * 30);
      ctx.io().err() << fmt::format("\r{} [{}{}] {:3.0f}% {}", what, std::string(static_cast<std::size_t>(filled), '#'),
                                    std::string(static_cast<std::size_t>(30 - filled), '.'), current.progress * 100,
                                    current.state)
                     << std::flush;
    } else if (current.state != last_state) {
      ctx.info(fmt::format("{}: job {} {}", what, current.id, current.state));
    }
    last_state = current.state;
  };
  auto done = backup_api(ctx).wait(job, what, wait);
  if (bar) ctx.io().err() << "\n";
  if (!done && done.error().hint.starts_with("the job goes on"))
    done.error().hint += ", or wait longer with --wait-timeout SECONDS";
  return value_or_throw(std::move(done));
}

std::string created_backup_id(const platform::JobInfo& job) {
  return value_or_throw(platform::required_string_field(job.result, "backup_id", "the result of job " + job.id));
}

local::DownloadResult download_backup(CommandContext& ctx, const platform::BackupInfo& b, const std::string& path,
                                      const std::vector<std::string>& age_recipients) {
  if (b.state != "ready" || !b.sha256 || !b.size)
    throw CommandError(ErrorKind::Conflict, "the backup is not ready for download", "backup " + b.id,
                       "its state is " + (b.state.empty() ? std::string("unknown") : b.state),
                       "wait for the backup job, or pick a backup in state ready");
  auto api = backup_api(ctx);
  auto stall = std::chrono::duration_cast<std::chrono::milliseconds>(ctx.attempt_timeout());
  std::unique_ptr<output::Progress> progress;
  local::DownloadObserver observer;
  observer.info = [&](const std::string& line) { ctx.info(line); };
  observer.warn = [&](const std::string& line) { ctx.warn(line); };
  observer.attempt_started = [&](std::uint64_t, std::uint64_t size) {
    progress = make_progress(ctx, "downloading backup " + b.id, static_cast<std::int64_t>(size),
                             output::ProgressUnit::Bytes);
  };
  observer.progress = [&](std::uint64_t written) {
    if (progress) progress->update(static_cast<std::int64_t>(written));
  };
  observer.attempt_ended = [&] {
    if (progress) progress->finish();
  };
  auto fetch = [&](std::uint64_t offset, const local::ByteSink& sink) {
    return api.download(b.id, *b.sha256, offset, stall, sink);
  };
  local::ResumableTarget target{path, *b.sha256, *b.size, "backup " + b.id};
  auto result = value_or_throw(age_recipients.empty()
                                   ? local::download_resumable(target, fetch, observer)
                                   : crypto::download_encrypted(target, age_recipients, fetch, observer));
  if (ctx.job_report) {
    ctx.job_report->count("bytes", static_cast<std::int64_t>(result.size));
    ctx.job_report->count("resumed_from_bytes", static_cast<std::int64_t>(result.resumed_from));
  }
  return result;
}

namespace {

// The current context's backup_trusted_keys (one path or a list; ~ expanded).
// core/config checks the key's shape when it parses the file; the list is
// read here so the config model (included by every command) is unchanged.
std::vector<std::string> context_trusted_keys(CommandContext& ctx) {
  const auto& name = ctx.resolved().context_name;
  if (name.empty()) return {};
  std::vector<std::string> out;
  try {
    auto root = YAML::LoadFile(ctx.config_path());
    for (const auto& c : root["contexts"]) {
      if (!c["name"] || c["name"].Scalar() != name || !c["backup_trusted_keys"]) continue;
      auto keys = c["backup_trusted_keys"];
      if (keys.IsScalar()) out.push_back(keys.Scalar());
      else
        for (const auto& k : keys) out.push_back(k.Scalar());
    }
  } catch (const YAML::Exception& e) {
    throw CommandError(ErrorKind::Config, "cannot read backup_trusted_keys", ctx.config_path(), e.what());
  }
  auto home = ctx.env().find("HOME");
  for (auto& p : out)
    if (p.starts_with("~/") && home != ctx.env().end()) p = home->second + p.substr(1);
  return out;
}

}  // namespace

std::vector<backup::MinisignPublicKey> trusted_backup_keys(CommandContext& ctx, const std::vector<std::string>& flags) {
  return value_or_throw(local::load_trusted_keys(flags.empty() ? context_trusted_keys(ctx) : flags));
}

void add_trusted_key_flag(CLI::App& cmd, std::vector<std::string>& files) {
  cmd.add_option("--trusted-key", files,
                 "A minisign public key the backup's manifest must be signed by (repeatable; default: the "
                 "context's backup_trusted_keys); a missing or wrong signature is exit 5")
      ->type_name("FILE");
}

void note_origin_unchecked(CommandContext& ctx, const std::string& object) {
  ctx.info(fmt::format("{}: origin unchecked: no trusted key is pinned (--trusted-key FILE or the context's "
                       "backup_trusted_keys), so the signature was not verified",
                       object));
}

SignedDownload download_signed_backup(CommandContext& ctx, const platform::BackupInfo& b, const std::string& path,
                                      const std::vector<backup::MinisignPublicKey>& keys,
                                      const std::vector<std::string>& age_recipients) {
  auto api = backup_api(ctx);
  std::string object = "backup " + b.id;
  std::optional<std::string> manifest_text, signature_text;
  auto manifest = api.signed_manifest(b.id);
  if (manifest) {
    manifest_text = std::move(*manifest);
    auto sig = api.manifest_signature(b.id);
    if (sig) signature_text = std::move(*sig);
    else if (sig.error().kind != ErrorKind::NotFound) throw CommandError(std::move(sig.error()));
  } else if (manifest.error().kind != ErrorKind::NotFound) {
    throw CommandError(std::move(manifest.error()));
  }
  local::OriginCheck origin{"unchecked", "", "", std::nullopt};
  if (!keys.empty()) {
    if (!manifest_text || !signature_text)
      throw CommandError(ErrorKind::Safety,
                         fmt::format("the server has no {} for this backup; nothing was downloaded",
                                     manifest_text ? "signature" : "signed manifest"),
                         object, "a trusted key is pinned, so an unsigned backup is refused",
                         "pick a backup the platform signed, or unpin the key to download it unchecked");
    origin = value_or_throw(local::check_origin_text(*manifest_text, *signature_text, keys,
                                                     object + " signed manifest"));
    if (origin.manifest->archive_sha256 != b.sha256.value_or("") || origin.manifest->archive_size != b.size.value_or(0))
      throw CommandError(ErrorKind::Safety, "the server lists another archive than the one its signed manifest describes",
                         object,
                         fmt::format("listed sha256 {}, signed sha256 {}; nothing was downloaded", b.sha256.value_or("?"),
                                     origin.manifest->archive_sha256));
  }
  SignedDownload out{download_backup(ctx, b, path, age_recipients), std::move(origin)};
  if (manifest_text && signature_text)
    value_or_throw(local::write_signature_files(out.download.path, *manifest_text, *signature_text));
  if (out.origin.status == "verified")
    ctx.info(fmt::format("{}: signature verified (key {})", object, out.origin.key_id));
  else
    note_origin_unchecked(ctx, object);
  return out;
}

local::OriginCheck check_local_origin(CommandContext& ctx, const std::string& path,
                                      const std::vector<backup::MinisignPublicKey>& keys) {
  auto origin = value_or_throw(local::check_origin(path, keys));
  if (origin.status != "verified") note_origin_unchecked(ctx, path);
  return origin;
}

void require_origin_matches(const local::OriginCheck& origin, const local::ArchiveReport& report) {
  value_or_throw(local::require_origin_matches(origin, report.sha256, report.size, report.manifest, report.path));
}

crypto::TimestampInfo timestamp_backup(CommandContext& ctx, const std::string& archive_path, const std::string& url,
                                       const std::string& ca_file) {
  auto manifest_path = local::signed_manifest_file(archive_path);
  auto text = local::read_file(manifest_path);
  if (!text)
    throw CommandError(ErrorKind::Safety, "there is no signed manifest to timestamp", manifest_path,
                       text.error().detail, "the server did not sign this backup");
  auto timeout = std::max(std::chrono::seconds(5),
                          std::chrono::duration_cast<std::chrono::seconds>(ctx.attempt_timeout()));
  auto token = value_or_throw(crypto::request_timestamp(url, *text, ca_file, timeout));
  value_or_throw(local::write_file_atomic(manifest_path + ".tsr", token, 0644));
  auto info = value_or_throw(crypto::verify_timestamp(token, *text, ca_file, manifest_path + ".tsr"));
  ctx.info(fmt::format("{}: timestamped {} by {}{}", manifest_path, info.time, url,
                       ca_file.empty() ? " (the TSA's signature was not checked: no --timestamp-ca)" : ""));
  return info;
}

std::optional<crypto::TimestampInfo> check_backup_timestamp(CommandContext& ctx, const std::string& archive_path,
                                                            const std::string& ca_file) {
  auto manifest_path = local::signed_manifest_file(archive_path);
  auto token = local::read_file(manifest_path + ".tsr");
  if (!token) {
    if (ca_file.empty()) return std::nullopt;
    throw CommandError(ErrorKind::Safety, "there is no timestamp token beside the archive", manifest_path + ".tsr",
                       token.error().detail, "--timestamp-ca asks for one; take it with --timestamp-url at download");
  }
  auto text = local::read_file(manifest_path);
  if (!text)
    throw CommandError(ErrorKind::Safety, "the timestamp token has no signed manifest beside it", manifest_path,
                       text.error().detail);
  auto info = value_or_throw(crypto::verify_timestamp(*token, *text, ca_file, manifest_path + ".tsr"));
  if (ca_file.empty())
    ctx.info(fmt::format("{}.tsr: the token is over this manifest ({}); its signature was not checked (no "
                         "--timestamp-ca)",
                         manifest_path, info.time));
  return info;
}

void add_timestamp_flags(CLI::App& cmd, std::string* url, std::string& ca_file) {
  if (url)
    cmd.add_option("--timestamp-url", *url,
                   "Get an RFC 3161 timestamp token over the signed manifest from this TSA; kept as "
                   "NAME.manifest.json.tsr (the platform's token is not sent)")
        ->type_name("URL");
  cmd.add_option("--timestamp-ca", ca_file,
                 "The CA certificate (PEM) the TSA's signature must chain to; a missing or foreign token is exit 5")
      ->type_name("FILE");
}

void add_encrypt_to_flag(CLI::App& cmd, std::string& value) {
  cmd.add_option("--encrypt-to", value,
                 "Write the archive encrypted with age for this recipient (age1...) or recipients file, as "
                 "NAME.age; streamed through the age binary, the plain archive never touches the disk")
      ->type_name("RECIPIENT");
}

void add_identity_flag(CLI::App& cmd, std::string& file) {
  cmd.add_option("--identity", file,
                 "The age identity file (mode 0600) that decrypts a .age archive; read by age, never logged")
      ->type_name("FILE");
}

std::vector<std::string> age_recipients(const std::string& encrypt_to) {
  if (encrypt_to.empty()) return {};
  return value_or_throw(crypto::age_recipient_args(encrypt_to));
}

local::ArchiveReport check_any_archive(const std::string& path, bool read_data,
                                       std::optional<std::string> expected_sha256, const std::string& identity) {
  if (!path.ends_with(".age")) return check_archive(path, read_data, std::move(expected_sha256));
  if (identity.empty())
    throw CommandError(ErrorKind::Usage, "an encrypted archive needs --identity FILE", path,
                       "the archive was written with --encrypt-to; pass the age identity that matches it");
  std::optional<local::ArchiveReport> report;
  value_or_throw(crypto::with_decrypted(path, identity, [&](int fd) -> Status {
    auto r = local::check_archive_fd(fd, path, read_data, expected_sha256);
    if (!r) return std::unexpected(std::move(r.error()));
    report = std::move(*r);
    return {};
  }));
  return std::move(*report);
}

PlainArchive::~PlainArchive() {
  if (fd >= 0) ::close(fd);
}

std::unique_ptr<PlainArchive> decrypted_archive(const std::string& path, const std::string& identity) {
  if (!path.ends_with(".age")) return nullptr;
  if (identity.empty())
    throw CommandError(ErrorKind::Usage, "an encrypted archive needs --identity FILE", path,
                       "the archive was written with --encrypt-to; pass the age identity that matches it");
  int fd = value_or_throw(crypto::decrypt_to_anonymous_file(path, identity));
  return std::make_unique<PlainArchive>(fd, fmt::format("/proc/self/fd/{}", fd));
}

local::ArchiveReport check_archive(const std::string& path, bool read_data, std::optional<std::string> expected_sha256) {
  return value_or_throw(local::check_archive(path, read_data, std::move(expected_sha256)));
}

void throw_if_damaged(const local::ArchiveReport& report) { value_or_throw(local::require_intact(report)); }

std::shared_ptr<local::BackupLock> lock_backups(CommandContext& ctx, const std::string& lock_file,
                                                const std::string& what) {
  auto lock = value_or_throw(local::BackupLock::acquire(lock_file, what));
  if (auto pid = lock->taken_over_from())
    ctx.info(fmt::format("took over the lock {} left by process {}, which is no longer running", lock_file, *pid));
  return lock;
}

std::string server_lock_file(CommandContext& ctx) {
  return value_or_throw(local::backup_server_lock_file(ctx.client_settings().url));
}

}  // namespace daoctl::commands
