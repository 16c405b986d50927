// The origin of a downloaded backup: the signed manifest and its minisign
// signature kept beside the archive, checked against pinned public keys.
//   NAME.manifest.json          the signed manifest (core/backup/signature.hpp)
//   NAME.manifest.json.minisig  its signature; `minisign -V -p KEY.pub -m
//                               NAME.manifest.json` checks it independently
// NAME is the archive's file name without a trailing ".age".
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "connectors/local/backup_archive.hpp"
#include "core/backup/signature.hpp"
#include "core/error.hpp"

namespace daoctl::local {

// The archive's name without ".age" (sidecar files are named after it).
std::string archive_base(const std::string& archive_path);
std::string signed_manifest_file(const std::string& archive_path);
std::string signature_file(const std::string& archive_path);

// Reads minisign public key files. Errors: Config naming the file (missing,
// unreadable, not a minisign public key).
Result<std::vector<backup::MinisignPublicKey>> load_trusted_keys(const std::vector<std::string>& files);

// Writes the signed manifest and its signature beside the archive (atomic).
Status write_signature_files(const std::string& archive_path, const std::string& manifest_text,
                             const std::string& signature_text);

// What the origin check found.
struct OriginCheck {
  // "verified": signed by a pinned key and matching the archive;
  // "unchecked": no key pinned (the signature, if any, was not checked).
  std::string status;
  std::string key_id;           // the key that signed (verified only)
  std::string trusted_comment;  // (verified only)
  std::optional<backup::SignedManifest> manifest;
};

// Checks the signature of an archive's signed manifest with `keys` (none
// pinned: "unchecked", nothing read). Errors: Safety naming the file and what
// failed: no signed manifest or no signature beside the archive, a signature
// by another key, a manifest changed after signing.
Result<OriginCheck> check_origin(const std::string& archive_path, const std::vector<backup::MinisignPublicKey>& keys);
// The same over texts already in memory (a download checks before it writes).
Result<OriginCheck> check_origin_text(const std::string& manifest_text, const std::string& signature_text,
                                      const std::vector<backup::MinisignPublicKey>& keys, const std::string& object);

// A verified origin must describe the archive: its sha256 and size, and (when
// the archive's MANIFEST.json was read) the same members. Errors: Safety.
Status require_origin_matches(const OriginCheck& origin, const std::string& archive_sha256,
                              std::uint64_t archive_size, const std::optional<backup::Manifest>& archive_manifest,
                              const std::string& object);

}  // namespace daoctl::local
