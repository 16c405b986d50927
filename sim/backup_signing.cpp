#include "sim/backup_signing.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>

namespace daoctl::sim {

namespace fs = std::filesystem;

namespace {

Status write_new_file(const fs::path& path, const std::string& text, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return fail(ErrorKind::Io, "cannot create the backup signing key", path.string(), std::strerror(errno));
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) return fail(ErrorKind::Io, "cannot write the backup signing key", path.string(), std::strerror(errno));
  return {};
}

}  // namespace

BackupSigner::BackupSigner(backup::MinisignSecretKey key)
    : key_(key), public_key_text_(backup::format_minisign_public_key(key.public_key())) {}

Result<BackupSigner> BackupSigner::open(const fs::path& data_dir) {
  auto key_file = data_dir / "backup-signing.key";
  auto pub_file = data_dir / "backup-signing.pub";
  struct stat st {};
  if (::stat(key_file.c_str(), &st) != 0) {
    if (errno != ENOENT)
      return fail(ErrorKind::Io, "cannot read the backup signing key", key_file.string(), std::strerror(errno));
    auto key = backup::generate_minisign_key();
    if (!key) return std::unexpected(key.error());
    // The secret key first and 0600 from its creation (O_EXCL: two servers
    // starting on one directory cannot both write one); the public key after.
    if (auto w = write_new_file(key_file, backup::format_minisign_secret_key(*key), 0600); !w) {
      if (w.error().detail != std::strerror(EEXIST)) return std::unexpected(w.error());
      return open(data_dir);
    }
    std::error_code ec;
    fs::remove(pub_file, ec);
    if (auto w = write_new_file(pub_file, backup::format_minisign_public_key(key->public_key()), 0644); !w)
      return std::unexpected(w.error());
    return BackupSigner(*key);
  }
  if ((st.st_mode & 077) != 0)
    return fail(ErrorKind::Config, "the backup signing key is readable by others", key_file.string(),
                fmt::format("mode {:o}", st.st_mode & 0777), "chmod 600 " + key_file.string());
  std::ifstream in(key_file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  auto key = backup::parse_minisign_secret_key(text.str(), key_file.string());
  if (!key) return std::unexpected(key.error());
  return BackupSigner(*key);
}

std::string BackupSigner::sign(const std::string& signed_manifest_text, const backup::SignedManifest& parsed) const {
  auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
  return backup::minisign_sign(key_, signed_manifest_text, backup::signed_manifest_comment(parsed, now.count()),
                               fmt::format("signature of backup {} by daoctl-sim key {}", parsed.manifest.backup_id,
                                           key_id()));
}

}  // namespace daoctl::sim
