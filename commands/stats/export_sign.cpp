#include "commands/stats/export_sign.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <vector>

#include "connectors/crypto/timestamp.hpp"
#include "connectors/local/files.hpp"
#include "core/backup/signature.hpp"

namespace daoctl::commands {

namespace {
backup::MinisignSecretKey load_signing_key(const std::string& key_file) {
  struct stat st {};
  if (::stat(key_file.c_str(), &st) != 0)
    throw CommandError(ErrorKind::Config, "cannot read the signing key", key_file, std::strerror(errno));
  if ((st.st_mode & 077) != 0)
    throw CommandError(ErrorKind::Config, "the signing key is readable by others", key_file,
                       fmt::format("mode {:o}; it holds a secret key", st.st_mode & 0777), "chmod 600 " + key_file);
  auto key_text = value_or_throw(local::read_file(key_file));
  return value_or_throw(backup::parse_minisign_secret_key(key_text, key_file));
}
}  // namespace

void check_signing_key(const std::string& key_file) { (void)load_signing_key(key_file); }

void sign_export(CommandContext& ctx, const std::string& path, const std::string& key_file,
                 const std::string& timestamp_url) {
  auto key = load_signing_key(key_file);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw CommandError(ErrorKind::Io, "cannot read the export to sign it", path, std::strerror(errno));
  backup::MinisignPrehash hash;
  std::vector<char> buf(1 << 20);
  ssize_t n;
  while ((n = ::read(fd, buf.data(), buf.size())) != 0) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      ::close(fd);
      throw CommandError(ErrorKind::Io, "cannot read the export to sign it", path, std::strerror(e));
    }
    hash.update(buf.data(), static_cast<std::size_t>(n));
  }
  ::close(fd);
  auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
  auto name = std::filesystem::path(path).filename().string();
  auto signature = backup::minisign_sign_prehashed(
      key, hash.finish(), fmt::format("timestamp:{}\tfile:{}\thashed", now.count(), name),
      fmt::format("signature from daoctl stats export, key {}", key.public_key().key_id_hex()));
  value_or_throw(local::write_file_atomic(path + ".minisig", signature, 0644));
  ctx.info(fmt::format("signed {} with key {} ({}.minisig)", path, key.public_key().key_id_hex(), path));
  if (timestamp_url.empty()) return;
  // The token is over the signature, which covers the file: one small request.
  auto token = value_or_throw(crypto::request_timestamp(timestamp_url, signature, "", std::chrono::seconds(60)));
  value_or_throw(local::write_file_atomic(path + ".minisig.tsr", token, 0644));
  auto info = value_or_throw(crypto::verify_timestamp(token, signature, "", path + ".minisig.tsr"));
  ctx.info(fmt::format("timestamped the signature of {} at {} by {}", path, info.time, timestamp_url));
}

}  // namespace daoctl::commands
