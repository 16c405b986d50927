#include "core/backup/signature.hpp"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <cstring>

namespace daoctl::backup {

namespace {

constexpr std::size_t kPublicKeyBytes = 2 + 8 + 32;
constexpr std::size_t kSecretKeyBytes = 2 + 2 + 2 + 32 + 8 + 8 + 8 + 64 + 32;
constexpr std::size_t kSignatureBytes = 2 + 8 + 64;
constexpr std::string_view kUntrusted = "untrusted comment: ";
constexpr std::string_view kTrusted = "trusted comment: ";

bool sodium_ready() {
  static const bool ok = sodium_init() >= 0;
  return ok;
}

std::string key_id_text(const std::array<unsigned char, 8>& id) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | id[static_cast<std::size_t>(i)];
  // As minisign writes it (`%" PRIX64`): no leading zeros, so an id we
  // print matches the one in minisign's own files and messages.
  return fmt::format("{:X}", v);
}

std::string to_base64(const unsigned char* data, std::size_t len) {
  std::string out(sodium_base64_encoded_len(len, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), data, len, sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::strlen(out.c_str()));
  return out;
}

std::optional<std::vector<unsigned char>> from_base64(std::string_view text) {
  std::vector<unsigned char> out(text.size());
  std::size_t len = 0;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), " \t\r", &len, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0)
    return std::nullopt;
  out.resize(len);
  return out;
}

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    auto nl = text.find('\n');
    auto line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return lines;
}

std::string one_line(std::string_view s) {
  std::string out(s);
  std::replace(out.begin(), out.end(), '\n', ' ');
  std::replace(out.begin(), out.end(), '\r', ' ');
  return out;
}

std::array<unsigned char, 32> secret_key_checksum(const MinisignSecretKey& key) {
  std::array<unsigned char, 32> out{};
  crypto_generichash_state st;
  crypto_generichash_init(&st, nullptr, 0, out.size());
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>("Ed"), 2);
  crypto_generichash_update(&st, key.key_id.data(), key.key_id.size());
  crypto_generichash_update(&st, key.key.data(), key.key.size());
  crypto_generichash_final(&st, out.data(), out.size());
  return out;
}

std::string signature_text(const MinisignSecretKey& key, const char* algorithm, const unsigned char* signed_data,
                           std::size_t signed_len, std::string_view trusted_comment,
                           std::string_view untrusted_comment) {
  std::array<unsigned char, kSignatureBytes> sig{};
  std::memcpy(sig.data(), algorithm, 2);
  std::memcpy(sig.data() + 2, key.key_id.data(), 8);
  crypto_sign_detached(sig.data() + 10, nullptr, signed_data, signed_len, key.key.data());
  auto trusted = one_line(trusted_comment);
  std::vector<unsigned char> global_input(sig.begin() + 10, sig.end());
  global_input.insert(global_input.end(), trusted.begin(), trusted.end());
  std::array<unsigned char, 64> global{};
  crypto_sign_detached(global.data(), nullptr, global_input.data(), global_input.size(), key.key.data());
  return fmt::format("{}{}\n{}\n{}{}\n{}\n", kUntrusted, one_line(untrusted_comment),
                     to_base64(sig.data(), sig.size()), kTrusted, trusted, to_base64(global.data(), global.size()));
}

Result<MinisignVerified> verify_with(const std::vector<MinisignPublicKey>& keys, const MinisignSignature& s,
                                     const unsigned char* signed_data, std::size_t signed_len,
                                     const std::string& object) {
  if (!sodium_ready()) return fail(ErrorKind::Internal, "libsodium cannot be initialised", object);
  const MinisignPublicKey* key = nullptr;
  for (const auto& k : keys)
    if (k.key_id == s.key_id) key = &k;
  if (!key) {
    std::string trusted;
    for (const auto& k : keys) trusted += (trusted.empty() ? "" : ", ") + k.key_id_hex();
    return fail(ErrorKind::Safety, fmt::format("signed by key {}, which is not a trusted key", s.key_id_hex()), object,
                fmt::format("the trusted keys are {}", trusted.empty() ? "(none)" : trusted),
                "pin the platform's backup signing key (GET /api/v1/backup-signing-key) with --trusted-key FILE "
                "or the context's backup_trusted_keys, after checking it out of band");
  }
  if (crypto_sign_verify_detached(s.signature.data(), signed_data, signed_len, key->key.data()) != 0)
    return fail(ErrorKind::Safety, "the signature does not match: the signed file was changed after it was signed",
                object, fmt::format("key {} did not make this signature over these bytes", key->key_id_hex()));
  std::vector<unsigned char> global_input(s.signature.begin(), s.signature.end());
  global_input.insert(global_input.end(), s.trusted_comment.begin(), s.trusted_comment.end());
  if (crypto_sign_verify_detached(s.global_signature.data(), global_input.data(), global_input.size(),
                                  key->key.data()) != 0)
    return fail(ErrorKind::Safety, "the signature's trusted comment was changed after it was signed", object,
                "trusted comment: " + s.trusted_comment);
  return MinisignVerified{key->key_id_hex(), s.trusted_comment};
}

}  // namespace

std::string MinisignPublicKey::key_id_hex() const { return key_id_text(key_id); }
std::string MinisignSignature::key_id_hex() const { return key_id_text(key_id); }

MinisignPublicKey MinisignSecretKey::public_key() const {
  MinisignPublicKey pk;
  pk.key_id = key_id;
  std::copy(key.begin() + 32, key.end(), pk.key.begin());  // libsodium: seed | public key
  return pk;
}

Result<MinisignSecretKey> generate_minisign_key() {
  if (!sodium_ready()) return fail(ErrorKind::Internal, "libsodium cannot be initialised");
  MinisignSecretKey sk;
  std::array<unsigned char, 32> pk{};
  crypto_sign_keypair(pk.data(), sk.key.data());
  randombytes_buf(sk.key_id.data(), sk.key_id.size());
  return sk;
}

std::string format_minisign_public_key(const MinisignPublicKey& key) {
  std::array<unsigned char, kPublicKeyBytes> bin{};
  std::memcpy(bin.data(), "Ed", 2);
  std::memcpy(bin.data() + 2, key.key_id.data(), 8);
  std::memcpy(bin.data() + 10, key.key.data(), 32);
  return fmt::format("{}minisign public key {}\n{}\n", kUntrusted, key.key_id_hex(), to_base64(bin.data(), bin.size()));
}

std::string format_minisign_secret_key(const MinisignSecretKey& key) {
  std::array<unsigned char, kSecretKeyBytes> bin{};
  std::size_t at = 0;
  auto put = [&](const void* p, std::size_t n) {
    std::memcpy(bin.data() + at, p, n);
    at += n;
  };
  put("Ed", 2);
  at += 2;  // kdf algorithm 0,0: not encrypted
  put("B2", 2);
  at += 32 + 8 + 8;  // salt, opslimit, memlimit: unused without a kdf
  put(key.key_id.data(), 8);
  put(key.key.data(), 64);
  auto chk = secret_key_checksum(key);
  put(chk.data(), chk.size());
  return fmt::format("{}minisign secret key {} (unencrypted; keep this file 0600)\n{}\n", kUntrusted,
                     key.public_key().key_id_hex(), to_base64(bin.data(), bin.size()));
}

Result<MinisignPublicKey> parse_minisign_public_key(std::string_view text, const std::string& origin) {
  auto lines = lines_of(text);
  // The key alone on one line (as `minisign -P KEY` takes it) or a .pub file.
  std::string_view b64;
  if (lines.size() >= 2 && lines[0].starts_with(kUntrusted)) b64 = lines[1];
  else if (!lines.empty()) b64 = lines[0];
  auto bin = from_base64(b64);
  if (!bin || bin->size() != kPublicKeyBytes || std::memcmp(bin->data(), "Ed", 2) != 0)
    return fail(ErrorKind::Config, "not a minisign public key", origin,
                "expected an \"untrusted comment:\" line and the base64 of \"Ed\", a key id and an Ed25519 key",
                "use the file of GET /api/v1/backup-signing-key, `daoctl-sim keys`, or `minisign -G`");
  MinisignPublicKey pk;
  std::memcpy(pk.key_id.data(), bin->data() + 2, 8);
  std::memcpy(pk.key.data(), bin->data() + 10, 32);
  return pk;
}

Result<MinisignSecretKey> parse_minisign_secret_key(std::string_view text, const std::string& origin) {
  auto lines = lines_of(text);
  if (lines.size() < 2 || !lines[0].starts_with(kUntrusted))
    return fail(ErrorKind::Config, "not a minisign secret key", origin,
                "expected an \"untrusted comment:\" line and a base64 line");
  auto bin = from_base64(lines[1]);
  if (!bin || bin->size() != kSecretKeyBytes || std::memcmp(bin->data(), "Ed", 2) != 0 ||
      std::memcmp(bin->data() + 4, "B2", 2) != 0)
    return fail(ErrorKind::Config, "not a minisign secret key", origin, "the key line has the wrong length or algorithm");
  if ((*bin)[2] != 0 || (*bin)[3] != 0)
    return fail(ErrorKind::Config, "the minisign secret key is encrypted with a password", origin,
                "daoctl runs unattended and cannot type a password",
                "make a key without a password (minisign -G -W) and keep its file 0600");
  MinisignSecretKey sk;
  std::size_t at = 2 + 2 + 2 + 32 + 8 + 8;
  std::memcpy(sk.key_id.data(), bin->data() + at, 8);
  std::memcpy(sk.key.data(), bin->data() + at + 8, 64);
  // minisign 0.11 (Debian 12) leaves the checksum of an unencrypted key
  // (`minisign -G -W`) all zeros; it is checked when it is there. Either way
  // the Ed25519 seed must give the public half stored beside it, which
  // catches a damaged key whatever wrote it.
  const unsigned char* stored = bin->data() + at + 72;
  const bool no_checksum = std::all_of(stored, stored + 32, [](unsigned char c) { return c == 0; });
  auto chk = secret_key_checksum(sk);
  if (!no_checksum && std::memcmp(chk.data(), stored, 32) != 0)
    return fail(ErrorKind::Config, "the minisign secret key is damaged (its checksum does not match)", origin);
  unsigned char derived_pk[crypto_sign_PUBLICKEYBYTES];
  unsigned char derived_sk[crypto_sign_SECRETKEYBYTES];
  if (crypto_sign_seed_keypair(derived_pk, derived_sk, sk.key.data()) != 0 ||
      std::memcmp(derived_pk, sk.key.data() + 32, sizeof derived_pk) != 0) {
    sodium_memzero(derived_sk, sizeof derived_sk);
    return fail(ErrorKind::Config, "the minisign secret key is damaged (its public half does not match its seed)",
                origin);
  }
  sodium_memzero(derived_sk, sizeof derived_sk);
  return sk;
}

struct MinisignPrehash::State {
  crypto_generichash_state st;
};

MinisignPrehash::MinisignPrehash() : state_(std::make_unique<State>()) {
  (void)sodium_ready();
  crypto_generichash_init(&state_->st, nullptr, 0, 64);
}
MinisignPrehash::~MinisignPrehash() = default;
void MinisignPrehash::update(const void* data, std::size_t len) {
  crypto_generichash_update(&state_->st, static_cast<const unsigned char*>(data), len);
}
std::array<unsigned char, 64> MinisignPrehash::finish() {
  std::array<unsigned char, 64> out{};
  crypto_generichash_final(&state_->st, out.data(), out.size());
  return out;
}

std::string minisign_sign_prehashed(const MinisignSecretKey& key, const std::array<unsigned char, 64>& digest,
                                    std::string_view trusted_comment, std::string_view untrusted_comment) {
  (void)sodium_ready();
  return signature_text(key, "ED", digest.data(), digest.size(), trusted_comment, untrusted_comment);
}

std::string minisign_sign(const MinisignSecretKey& key, std::string_view message, std::string_view trusted_comment,
                          std::string_view untrusted_comment) {
  MinisignPrehash h;
  h.update(message.data(), message.size());
  return minisign_sign_prehashed(key, h.finish(), trusted_comment, untrusted_comment);
}

Result<MinisignSignature> parse_minisign_signature(std::string_view text, const std::string& origin) {
  auto lines = lines_of(text);
  auto bad = [&](int line, std::string what) {
    return fail(ErrorKind::Safety, "the signature file is malformed", fmt::format("{}:{}", origin, line),
                std::move(what));
  };
  if (lines.size() < 4) return bad(static_cast<int>(lines.size()) + 1, "expected four lines (minisign format)");
  if (!lines[0].starts_with(kUntrusted)) return bad(1, "expected \"untrusted comment: \"");
  auto sig = from_base64(lines[1]);
  if (!sig || sig->size() != kSignatureBytes) return bad(2, "expected the base64 of a 74-byte signature");
  MinisignSignature s;
  if (std::memcmp(sig->data(), "ED", 2) == 0) s.prehashed = true;
  else if (std::memcmp(sig->data(), "Ed", 2) == 0) s.prehashed = false;
  else return bad(2, "unknown signature algorithm (expected ED or Ed)");
  std::memcpy(s.key_id.data(), sig->data() + 2, 8);
  std::memcpy(s.signature.data(), sig->data() + 10, 64);
  if (!lines[2].starts_with(kTrusted)) return bad(3, "expected \"trusted comment: \"");
  s.trusted_comment = std::string(lines[2].substr(kTrusted.size()));
  auto global = from_base64(lines[3]);
  if (!global || global->size() != 64) return bad(4, "expected the base64 of a 64-byte global signature");
  std::memcpy(s.global_signature.data(), global->data(), 64);
  return s;
}

Result<MinisignVerified> minisign_verify(const std::vector<MinisignPublicKey>& keys, const MinisignSignature& s,
                                         std::string_view message, const std::string& object) {
  if (s.prehashed) {
    MinisignPrehash h;
    h.update(message.data(), message.size());
    return minisign_verify_prehashed(keys, s, h.finish(), object);
  }
  return verify_with(keys, s, reinterpret_cast<const unsigned char*>(message.data()), message.size(), object);
}

Result<MinisignVerified> minisign_verify_prehashed(const std::vector<MinisignPublicKey>& keys,
                                                   const MinisignSignature& s,
                                                   const std::array<unsigned char, 64>& digest,
                                                   const std::string& object) {
  if (!s.prehashed)
    return fail(ErrorKind::Safety, "the signature is of the legacy kind (Ed) over the whole file", object,
                "this check only has the file's BLAKE2b-512 digest", "sign with minisign's default (prehashed) mode");
  return verify_with(keys, s, digest.data(), digest.size(), object);
}

std::string format_signed_manifest(const Manifest& manifest, std::uint64_t archive_size,
                                   const std::string& archive_sha256) {
  auto doc = manifest.to_json();
  doc["archive"] = {{"size", archive_size}, {"sha256", archive_sha256}};
  return doc.dump(2) + "\n";
}

Result<SignedManifest> parse_signed_manifest(std::string_view text, const std::string& origin) {
  auto manifest = parse_manifest(text, origin);
  if (!manifest)
    return fail(ErrorKind::Safety, "the signed manifest cannot be read", origin, manifest.error().detail);
  SignedManifest out;
  out.manifest = std::move(*manifest);
  auto doc = nlohmann::json::parse(text, nullptr, false);
  auto archive = doc.is_object() ? doc.find("archive") : doc.end();
  if (archive == doc.end() || !archive->is_object() || !archive->contains("size") ||
      !(*archive)["size"].is_number_unsigned() || !archive->contains("sha256") || !(*archive)["sha256"].is_string() ||
      !is_sha256_hex((*archive)["sha256"].get<std::string>()))
    return fail(ErrorKind::Safety, "the signed manifest cannot be read", origin,
                "it has no \"archive\": {\"size\", \"sha256\"}");
  out.archive_size = (*archive)["size"].get<std::uint64_t>();
  out.archive_sha256 = (*archive)["sha256"].get<std::string>();
  return out;
}

std::string signed_manifest_comment(const SignedManifest& m, std::int64_t unix_time) {
  return fmt::format("timestamp:{}\tfile:{}.manifest.json\tbackup:{}\tcreated:{}\tarchive-sha256:{}", unix_time,
                     m.manifest.backup_id, m.manifest.backup_id, m.manifest.created_at, m.archive_sha256);
}

std::string manifest_difference(const Manifest& a, const Manifest& b) {
  if (a.backup_id != b.backup_id)
    return fmt::format("the archive is backup {}, the signed manifest is of backup {}", b.backup_id, a.backup_id);
  if (a.members.size() != b.members.size())
    return fmt::format("the archive lists {} members, the signed manifest {}", b.members.size(), a.members.size());
  for (std::size_t i = 0; i < a.members.size(); ++i) {
    const auto& x = a.members[i];
    const auto& y = b.members[i];
    if (x.path != y.path || x.size != y.size || x.sha256 != y.sha256)
      return fmt::format("member {} differs from the signed manifest", y.path);
  }
  return {};
}

}  // namespace daoctl::backup
