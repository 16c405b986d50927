// The backup archive format shared by daoctl-sim (writer) and daoctl (reader).
//
// An archive is a tar stream compressed with zstd (`.tar.zst`). Its members:
//   db/platform.db   a consistent SQLite snapshot (online backup API)
//   files/<path>     the platform's stored files
//   MANIFEST.json    last member: {"format": "daoctl-backup/1", "backup_id",
//                    "created_at", "include": [...], "members": [{"path",
//                    "size", "sha256"}, ...]} for every other member.
// The manifest is written last so the writer hashes each member while
// packing it (one pass over the data). The archive's own sha256 is not in the
// archive: the server lists it, and `download` keeps it in NAME.sha256.
#pragma once

#include <openssl/evp.h>

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace daoctl::backup {

inline constexpr const char* kManifestMember = "MANIFEST.json";
inline constexpr const char* kManifestFormat = "daoctl-backup/1";
inline constexpr const char* kDatabaseMember = "db/platform.db";

// Incremental SHA-256 (OpenSSL EVP). hex() finishes the digest once.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(const void* data, std::size_t len);
  void update(std::string_view data) { update(data.data(), data.size()); }
  std::string hex();                    // lower-case, 64 characters
  std::vector<unsigned char> digest();  // 32 bytes

 private:
  EVP_MD_CTX* ctx_;
};

std::string sha256_hex(std::string_view data);
std::string base64_encode(const std::vector<unsigned char>& bytes);
bool is_sha256_hex(std::string_view text);

struct ManifestMember {
  std::string path;
  std::uint64_t size = 0;
  std::string sha256;
};

struct Manifest {
  std::string backup_id;
  std::string created_at;
  std::vector<std::string> include;
  std::vector<ManifestMember> members;

  nlohmann::json to_json() const;
};

// Errors: Parse naming `origin` and what is wrong (format, a member without
// path/size/sha256, a path that escapes the archive, duplicates).
Result<Manifest> parse_manifest(std::string_view text, const std::string& origin);

// A member path that is safe to extract: relative, no "..", no empty
// segments, no NUL, under db/ or files/.
bool is_safe_member_path(std::string_view path);

// What a reader saw of one member. sha256 is empty when the data was not read.
struct ObservedMember {
  std::string path;
  std::uint64_t size = 0;
  std::string sha256;
  std::string read_error;  // non-empty when the member could not be read to its end
};

struct MemberProblem {
  std::string path;
  std::string problem;  // "missing", "not in the manifest", "size 10, manifest says 12", ...
};

// Compares what was read with the manifest. Every manifest member must be
// observed once with the same size (and the same sha256 when it was read);
// extra members are problems too. Problems come in manifest order, then extras.
std::vector<MemberProblem> check_members(const Manifest& manifest,
                                         const std::vector<ObservedMember>& observed);

}  // namespace daoctl::backup
