// Detached signatures in the minisign format (https://jedisct1.github.io/minisign/),
// made and checked with libsodium, so that Debian's `minisign -V -p KEY.pub
// -m FILE` verifies what daoctl-sim signs and daoctl checks (and the other way
// round). Pure: text in, text out; no file is read here.
//
//   public key   untrusted comment: minisign public key <KEYID>
//                base64("Ed" | key id (8) | Ed25519 public key (32))
//   secret key   untrusted comment: ...
//                base64("Ed" | kdf "\0\0" (unencrypted, `minisign -G -W`) | "B2" |
//                       salt (32) | opslimit (8) | memlimit (8) |
//                       key id (8) | Ed25519 secret key (64) | BLAKE2b-256 checksum (32))
//   signature    untrusted comment: <text>
//                base64("ED" | key id (8) | Ed25519 over BLAKE2b-512(message) (64))
//                trusted comment: <text>
//                base64(Ed25519 over signature (64) | trusted comment text)
// "Ed" signatures (the message itself signed, minisign's legacy mode) are
// verified too; daoctl always writes "ED" (the prehash lets a file of any
// size be signed in one streaming pass).
//
// The key id is shown as minisign does: the 8 bytes read as a little-endian
// integer, in upper-case hex.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/backup/manifest.hpp"
#include "core/error.hpp"

namespace daoctl::backup {

struct MinisignPublicKey {
  std::array<unsigned char, 8> key_id{};
  std::array<unsigned char, 32> key{};
  std::string key_id_hex() const;
};

struct MinisignSecretKey {
  std::array<unsigned char, 8> key_id{};
  std::array<unsigned char, 64> key{};  // libsodium's secret key: seed | public key
  MinisignPublicKey public_key() const;
};

// A fresh key pair (randombytes). Fails only if libsodium cannot initialise.
Result<MinisignSecretKey> generate_minisign_key();

// The files' text. The secret key is written unencrypted (as `minisign -G -W`):
// its file's mode (0600) protects it, like a token file.
std::string format_minisign_public_key(const MinisignPublicKey& key);
std::string format_minisign_secret_key(const MinisignSecretKey& key);

// Errors: Parse naming `origin` and what is wrong. An encrypted minisign
// secret key (one made without -W) is refused with a hint.
Result<MinisignPublicKey> parse_minisign_public_key(std::string_view text, const std::string& origin);
Result<MinisignSecretKey> parse_minisign_secret_key(std::string_view text, const std::string& origin);

// BLAKE2b-512 of a message, fed in pieces (the "ED" prehash).
class MinisignPrehash {
 public:
  MinisignPrehash();
  ~MinisignPrehash();
  MinisignPrehash(const MinisignPrehash&) = delete;
  MinisignPrehash& operator=(const MinisignPrehash&) = delete;
  void update(const void* data, std::size_t len);
  std::array<unsigned char, 64> finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// The text of a signature file over a message whose prehash is `digest`.
// Comments must be one line (a newline or CR is replaced by a space).
std::string minisign_sign_prehashed(const MinisignSecretKey& key, const std::array<unsigned char, 64>& digest,
                                    std::string_view trusted_comment, std::string_view untrusted_comment);
std::string minisign_sign(const MinisignSecretKey& key, std::string_view message, std::string_view trusted_comment,
                          std::string_view untrusted_comment);

struct MinisignSignature {
  bool prehashed = true;  // "ED"; false for legacy "Ed"
  std::array<unsigned char, 8> key_id{};
  std::array<unsigned char, 64> signature{};
  std::string trusted_comment;
  std::array<unsigned char, 64> global_signature{};
  std::string key_id_hex() const;
};
// Errors: Parse naming `origin` and the line that is wrong.
Result<MinisignSignature> parse_minisign_signature(std::string_view text, const std::string& origin);

// What a verification found: the key that signed, and the trusted comment.
struct MinisignVerified {
  std::string key_id_hex;
  std::string trusted_comment;
};
// Checks `signature` over a message (or its prehash, for "ED") with whichever
// of `keys` has its key id. Errors: Safety naming `object` and what failed -
// "signed by key X, which is not a trusted key (trusted: Y)", "the signature
// does not match: the signed file was changed or another key signed it",
// "the trusted comment was changed".
Result<MinisignVerified> minisign_verify(const std::vector<MinisignPublicKey>& keys, const MinisignSignature& signature,
                                         std::string_view message, const std::string& object);
Result<MinisignVerified> minisign_verify_prehashed(const std::vector<MinisignPublicKey>& keys,
                                                   const MinisignSignature& signature,
                                                   const std::array<unsigned char, 64>& digest,
                                                   const std::string& object);

// ---- The signed manifest of a backup: the archive's MANIFEST.json and the
// archive's own size and sha256 (which the archive cannot hold), so one
// signature covers every byte of the archive. daoctl-sim signs it when a
// backup is made; daoctl keeps it beside a downloaded archive as
// NAME.manifest.json with NAME.manifest.json.minisig.
//   {"format": "daoctl-backup/1", "backup_id", "created_at", "include",
//    "members": [...], "archive": {"size": N, "sha256": "hex"}}
struct SignedManifest {
  Manifest manifest;
  std::uint64_t archive_size = 0;
  std::string archive_sha256;
};
std::string format_signed_manifest(const Manifest& manifest, std::uint64_t archive_size,
                                   const std::string& archive_sha256);
// Errors: Safety naming `origin` (a signed manifest that does not parse is
// as untrustworthy as a missing one).
Result<SignedManifest> parse_signed_manifest(std::string_view text, const std::string& origin);
// The trusted comment daoctl-sim puts in a backup's signature.
std::string signed_manifest_comment(const SignedManifest& signed_manifest, std::int64_t unix_time);
// Whether the archive's own MANIFEST.json lists the same members as the signed one.
// Returns the first difference, empty when there is none.
std::string manifest_difference(const Manifest& signed_manifest, const Manifest& archive_manifest);

}  // namespace daoctl::backup
