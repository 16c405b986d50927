// The backup signing key of daoctl-sim: an Ed25519 key in the minisign
// format, made on first start in the data directory:
//   backup-signing.key   the secret key (unencrypted minisign format, mode 0600)
//   backup-signing.pub   its public key (minisign .pub, mode 0644)
// Every backup's signed manifest (core/backup/signature.hpp) is signed with
// it; GET /api/v1/backup-signing-key and `daoctl-sim keys` give the public key.
#pragma once

#include <filesystem>
#include <string>

#include "core/backup/signature.hpp"
#include "core/error.hpp"

namespace daoctl::sim {

class BackupSigner {
 public:
  // Loads the key of `data_dir`, making it when there is none. Errors: Io,
  // Config (a key file that does not parse, or one readable by others).
  static Result<BackupSigner> open(const std::filesystem::path& data_dir);

  const std::string& public_key_text() const { return public_key_text_; }
  std::string key_id() const { return key_.public_key().key_id_hex(); }
  // The minisign signature text of a signed manifest's exact bytes.
  std::string sign(const std::string& signed_manifest_text, const backup::SignedManifest& parsed) const;

 private:
  explicit BackupSigner(backup::MinisignSecretKey key);
  backup::MinisignSecretKey key_;
  std::string public_key_text_;
};

}  // namespace daoctl::sim
