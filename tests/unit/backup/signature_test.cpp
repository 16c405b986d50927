// minisign-format signatures (core/backup/signature). Interop with the real
// minisign binary is tested end to end (e2e: backup_signature).
#include <catch2/catch.hpp>

#include "core/backup/signature.hpp"

#include <sodium.h>

#include <cstring>
#include <string>
#include <vector>

using namespace daoctl;
using namespace daoctl::backup;

TEST_CASE("minisign: a key id is written as minisign writes it, without leading zeros") {
  // minisign prints le64(keynum) with %PRIX64: a key id whose last byte is 0
  // (1 key in 256) is 14 digits or fewer. Padding it to 16 made our "signed
  // by key 00872BDD6F99BD1B" differ from minisign's "872BDD6F99BD1B".
  MinisignPublicKey pk;
  pk.key_id = {0x1B, 0xBD, 0x99, 0x6F, 0xDD, 0x2B, 0x87, 0x00};
  CHECK(pk.key_id_hex() == "872BDD6F99BD1B");
  pk.key_id = {0x01, 0, 0, 0, 0, 0, 0, 0};
  CHECK(pk.key_id_hex() == "1");
  pk.key_id = {0x10, 0x32, 0x54, 0x76, 0x98, 0xBA, 0xDC, 0xFE};
  CHECK(pk.key_id_hex() == "FEDCBA9876543210");
  // It reaches the public key file's comment line, as minisign -G writes it.
  CHECK(format_minisign_public_key(pk).rfind("untrusted comment: minisign public key FEDCBA9876543210\n", 0) == 0);
}

TEST_CASE("minisign: a signature made with a key verifies with its public key, through the file texts") {
  auto sk = generate_minisign_key();
  REQUIRE(sk);
  auto sk2 = parse_minisign_secret_key(format_minisign_secret_key(*sk), "key");
  REQUIRE(sk2);
  CHECK(sk2->key == sk->key);
  auto pk = parse_minisign_public_key(format_minisign_public_key(sk->public_key()), "key.pub");
  REQUIRE(pk);
  CHECK(pk->key_id_hex() == sk->public_key().key_id_hex());
  CHECK((pk->key_id_hex().size() <= 16 && !pk->key_id_hex().empty()));
  auto text = minisign_sign(*sk2, "hello\n", "timestamp:1\tfile:x", "signature from daoctl");
  auto sig = parse_minisign_signature(text, "x.minisig");
  REQUIRE(sig);
  CHECK(sig->prehashed);
  auto ok = minisign_verify({*pk}, *sig, "hello\n", "x");
  REQUIRE(ok);
  CHECK(ok->trusted_comment == "timestamp:1\tfile:x");
}

TEST_CASE("minisign: a changed message, another key, a changed trusted comment each fail as Safety, naming it") {
  auto sk = *generate_minisign_key();
  auto other = *generate_minisign_key();
  auto sig = *parse_minisign_signature(minisign_sign(sk, "manifest", "tc", "u"), "s");
  auto changed = minisign_verify({sk.public_key()}, sig, "manifesT", "m.json");
  REQUIRE_FALSE(changed);
  CHECK(changed.error().kind == ErrorKind::Safety);
  CHECK_THAT(changed.error().message, Catch::Contains("does not match"));
  CHECK(changed.error().object == "m.json");

  auto stranger = minisign_verify({other.public_key()}, sig, "manifest", "m.json");
  REQUIRE_FALSE(stranger);
  CHECK(stranger.error().kind == ErrorKind::Safety);
  CHECK_THAT(stranger.error().message, Catch::Contains(sk.public_key().key_id_hex()));
  CHECK_THAT(stranger.error().detail, Catch::Contains(other.public_key().key_id_hex()));

  // Another key forging a signature under the trusted key's id.
  auto forged_text = minisign_sign(other, "manifest", "tc", "u");
  auto forged = *parse_minisign_signature(forged_text, "s");
  forged.key_id = sk.key_id;
  auto f = minisign_verify({sk.public_key()}, forged, "manifest", "m.json");
  REQUIRE_FALSE(f);
  CHECK_THAT(f.error().message, Catch::Contains("does not match"));

  auto tc = sig;
  tc.trusted_comment = "timestamp:2";
  auto t = minisign_verify({sk.public_key()}, tc, "manifest", "m.json");
  REQUIRE_FALSE(t);
  CHECK_THAT(t.error().message, Catch::Contains("trusted comment"));
}

TEST_CASE("minisign: malformed files name the line, and an encrypted secret key is refused with a hint") {
  auto bad = parse_minisign_signature("untrusted comment: x\nnot base64!\ntrusted comment: y\nAAAA\n", "s.minisig");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().kind == ErrorKind::Safety);
  CHECK(bad.error().object == "s.minisig:2");
  CHECK_FALSE(parse_minisign_signature("", "s"));
  CHECK_FALSE(parse_minisign_public_key("untrusted comment: x\nRWQ=\n", "k.pub"));
  // A key made by `minisign -G` with a password: kdf "Sc".
  auto sk = *generate_minisign_key();
  auto text = format_minisign_secret_key(sk);
  auto line = text.substr(text.find('\n') + 1);
  line.pop_back();
  // Re-encode with the kdf bytes set: "Ed" "Sc" -> base64 prefix differs; build it by hand.
  auto encrypted = parse_minisign_secret_key("untrusted comment: x\n" + std::string("RWRTY0Iy") + line.substr(8) + "\n",
                                             "enc.key");
  REQUIRE_FALSE(encrypted);
  CHECK_THAT(encrypted.error().message, Catch::Contains("encrypted"));
  CHECK_THAT(encrypted.error().hint, Catch::Contains("-W"));
}

TEST_CASE("signed manifest: archive digest round-trips, and a different member is named") {
  Manifest m;
  m.backup_id = "7";
  m.created_at = "2026-01-01T00:00:00Z";
  m.include = {"db"};
  m.members = {{"db/platform.db", 3, sha256_hex("abc")}};
  auto text = format_signed_manifest(m, 99, sha256_hex("archive"));
  auto parsed = parse_signed_manifest(text, "x.manifest.json");
  REQUIRE(parsed);
  CHECK(parsed->archive_size == 99);
  CHECK(parsed->archive_sha256 == sha256_hex("archive"));
  CHECK(manifest_difference(parsed->manifest, m).empty());
  auto other = m;
  other.members[0].sha256 = sha256_hex("abd");
  CHECK_THAT(manifest_difference(parsed->manifest, other), Catch::Contains("db/platform.db"));
  auto no_archive = parse_signed_manifest(m.to_json().dump(), "y.manifest.json");
  REQUIRE_FALSE(no_archive);
  CHECK(no_archive.error().kind == ErrorKind::Safety);
}

// A key written by Debian 12's `minisign -G -W` (0.11): unencrypted, and its
// checksum field is all zeros. Made for this test; it signs nothing else.
TEST_CASE("minisign: a key from minisign 0.11 -G -W loads, and a damaged public half is refused") {
  const std::string key_line = "RWQAAEIyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAADcNZBO3gy3ByLedSIWtZnul9lU4JxyHo8djkd1ev0e+maj7IKC/gWq0SVO20dlUEIy9Lt+vdxV+YGPRUo+CBggvBHsR7XOdVAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
  const std::string pub_line = "RWQNw1kE7eDLcK0SVO20dlUEIy9Lt+vdxV+YGPRUo+CBggvBHsR7XOdV";
  auto sk = parse_minisign_secret_key("untrusted comment: minisign secret key\n" + key_line + "\n", "k.key");
  REQUIRE(sk);
  auto pk = parse_minisign_public_key("untrusted comment: minisign public key\n" + pub_line + "\n", "k.pub");
  REQUIRE(pk);
  CHECK(sk->public_key().key_id_hex() == pk->key_id_hex());
  auto sig = parse_minisign_signature(minisign_sign(*sk, "audit\n", "file:a.csv", "signature from daoctl"), "a.minisig");
  REQUIRE(sig);
  CHECK(minisign_verify({*pk}, *sig, "audit\n", "a.csv"));

  // One bit of the stored public half flipped: the seed no longer gives it.
  std::vector<unsigned char> bin(key_line.size());
  std::size_t len = 0;
  REQUIRE(sodium_base642bin(bin.data(), bin.size(), key_line.data(), key_line.size(), nullptr, &len, nullptr,
                            sodium_base64_VARIANT_ORIGINAL) == 0);
  bin[2 + 2 + 2 + 32 + 8 + 8 + 8 + 40] ^= 1;
  std::string damaged(sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(damaged.data(), damaged.size(), bin.data(), len, sodium_base64_VARIANT_ORIGINAL);
  damaged.resize(std::strlen(damaged.c_str()));
  auto bad = parse_minisign_secret_key("untrusted comment: x\n" + damaged + "\n", "bad.key");
  REQUIRE_FALSE(bad);
  CHECK_THAT(bad.error().message, Catch::Contains("damaged"));
}
