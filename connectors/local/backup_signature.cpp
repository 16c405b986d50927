#include "connectors/local/backup_signature.hpp"

#include <fmt/format.h>

namespace daoctl::local {

std::string archive_base(const std::string& archive_path) {
  if (archive_path.size() > 4 && archive_path.ends_with(".age"))
    return archive_path.substr(0, archive_path.size() - 4);
  return archive_path;
}
std::string signed_manifest_file(const std::string& archive_path) { return archive_base(archive_path) + ".manifest.json"; }
std::string signature_file(const std::string& archive_path) { return signed_manifest_file(archive_path) + ".minisig"; }

Result<std::vector<backup::MinisignPublicKey>> load_trusted_keys(const std::vector<std::string>& files) {
  std::vector<backup::MinisignPublicKey> keys;
  for (const auto& f : files) {
    auto text = read_file(f);
    if (!text)
      return fail(ErrorKind::Config, "cannot read the trusted key file", f, text.error().detail,
                  "save the platform's key (GET /api/v1/backup-signing-key) to this file after checking it");
    auto key = backup::parse_minisign_public_key(*text, f);
    if (!key) return std::unexpected(std::move(key.error()));
    keys.push_back(*key);
  }
  return keys;
}

Status write_signature_files(const std::string& archive_path, const std::string& manifest_text,
                             const std::string& signature_text) {
  if (auto st = write_file_atomic(signed_manifest_file(archive_path), manifest_text, 0600); !st) return st;
  return write_file_atomic(signature_file(archive_path), signature_text, 0644);
}

Result<OriginCheck> check_origin_text(const std::string& manifest_text, const std::string& signature_text,
                                      const std::vector<backup::MinisignPublicKey>& keys, const std::string& object) {
  OriginCheck out;
  if (keys.empty()) {
    out.status = "unchecked";
    return out;
  }
  auto sig = backup::parse_minisign_signature(signature_text, object + ".minisig");
  if (!sig) return std::unexpected(std::move(sig.error()));
  auto verified = backup::minisign_verify(keys, *sig, manifest_text, object);
  if (!verified) return std::unexpected(std::move(verified.error()));
  auto manifest = backup::parse_signed_manifest(manifest_text, object);
  if (!manifest) return std::unexpected(std::move(manifest.error()));
  out.status = "verified";
  out.key_id = verified->key_id_hex;
  out.trusted_comment = verified->trusted_comment;
  out.manifest = std::move(*manifest);
  return out;
}

Result<OriginCheck> check_origin(const std::string& archive_path, const std::vector<backup::MinisignPublicKey>& keys) {
  if (keys.empty()) return OriginCheck{"unchecked", "", "", std::nullopt};
  auto manifest_path = signed_manifest_file(archive_path);
  auto manifest_text = read_file(manifest_path);
  if (!manifest_text)
    return fail(ErrorKind::Safety, "the archive's origin cannot be checked: there is no signed manifest beside it",
                manifest_path, manifest_text.error().detail,
                "download the backup again with daoctl (it keeps the signed manifest and its signature)");
  auto sig_path = signature_file(archive_path);
  auto sig_text = read_file(sig_path);
  if (!sig_text)
    return fail(ErrorKind::Safety, "the archive's origin cannot be checked: the signed manifest has no signature",
                sig_path, sig_text.error().detail);
  return check_origin_text(*manifest_text, *sig_text, keys, manifest_path);
}

Status require_origin_matches(const OriginCheck& origin, const std::string& archive_sha256, std::uint64_t archive_size,
                              const std::optional<backup::Manifest>& archive_manifest, const std::string& object) {
  if (origin.status != "verified" || !origin.manifest) return {};
  const auto& m = *origin.manifest;
  if (m.archive_sha256 != archive_sha256 || m.archive_size != archive_size)
    return fail(ErrorKind::Safety, "the archive is not the one the signed manifest describes", object,
                fmt::format("archive sha256 {} ({} bytes), signed manifest says {} ({} bytes)", archive_sha256,
                            archive_size, m.archive_sha256, m.archive_size),
                "the archive was changed or replaced after the platform signed it; download it again");
  if (archive_manifest) {
    auto diff = backup::manifest_difference(m.manifest, *archive_manifest);
    if (!diff.empty())
      return fail(ErrorKind::Safety, "the archive's MANIFEST.json is not the signed one", object, diff);
  }
  return {};
}

}  // namespace daoctl::local
