#include "core/backup/manifest.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <set>
#include <stdexcept>

namespace daoctl::backup {

using nlohmann::json;

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_ || EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("OpenSSL cannot initialise SHA-256");
}

Sha256::~Sha256() { EVP_MD_CTX_free(ctx_); }

void Sha256::update(const void* data, std::size_t len) { EVP_DigestUpdate(ctx_, data, len); }

std::vector<unsigned char> Sha256::digest() {
  std::vector<unsigned char> out(EVP_MAX_MD_SIZE);
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx_, out.data(), &len);
  out.resize(len);
  return out;
}

std::string Sha256::hex() {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  for (unsigned char b : digest()) {
    s.push_back(kHex[b >> 4]);
    s.push_back(kHex[b & 15]);
  }
  return s;
}

std::string sha256_hex(std::string_view data) {
  Sha256 h;
  h.update(data);
  return h.hex();
}

std::string base64_encode(const std::vector<unsigned char>& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes.data(),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

bool is_sha256_hex(std::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

json Manifest::to_json() const {
  json members_json = json::array();
  for (const auto& m : members) members_json.push_back({{"path", m.path}, {"size", m.size}, {"sha256", m.sha256}});
  return {{"format", kManifestFormat},
          {"backup_id", backup_id},
          {"created_at", created_at},
          {"include", include},
          {"members", std::move(members_json)}};
}

bool is_safe_member_path(std::string_view path) {
  if (path.empty() || path.front() == '/' || path.find('\0') != std::string_view::npos) return false;
  if (!path.starts_with("db/") && !path.starts_with("files/")) return false;
  std::size_t start = 0;
  while (start <= path.size()) {
    auto end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    auto segment = path.substr(start, end - start);
    if (segment.empty() || segment == "." || segment == "..") return false;
    start = end + 1;
  }
  return true;
}

Result<Manifest> parse_manifest(std::string_view text, const std::string& origin) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::exception& e) {
    // parse_error, and out_of_range for a number beyond double (1e400).
    return fail(ErrorKind::Parse, "the backup manifest is not valid JSON", origin, e.what());
  }
  auto bad = [&](std::string detail) {
    return fail(ErrorKind::Parse, "the backup manifest is malformed", origin, std::move(detail));
  };
  if (!doc.is_object()) return bad("the manifest is not a JSON object");
  // value("format", "") would throw for a format that is not a string (found by fuzzing).
  auto format = doc.find("format");
  if (format == doc.end() || !format->is_string() || format->get<std::string>() != kManifestFormat)
    return bad(fmt::format("format is {}, expected \"{}\"", format == doc.end() ? "missing" : format->dump(),
                           kManifestFormat));
  Manifest m;
  if (!doc.contains("backup_id") || !doc["backup_id"].is_string()) return bad("backup_id is missing");
  m.backup_id = doc["backup_id"].get<std::string>();
  if (doc.contains("created_at") && doc["created_at"].is_string()) m.created_at = doc["created_at"].get<std::string>();
  if (doc.contains("include") && doc["include"].is_array())
    for (const auto& i : doc["include"])
      if (i.is_string()) m.include.push_back(i.get<std::string>());
  if (!doc.contains("members") || !doc["members"].is_array()) return bad("members is missing");
  std::set<std::string> seen;
  std::size_t index = 0;
  for (const auto& item : doc["members"]) {
    if (!item.is_object() || !item.contains("path") || !item["path"].is_string() || !item.contains("size") ||
        !item["size"].is_number_unsigned() || !item.contains("sha256") || !item["sha256"].is_string())
      return bad(fmt::format("members[{}] needs path, size and sha256", index));
    ManifestMember mm{item["path"].get<std::string>(), item["size"].get<std::uint64_t>(),
                      item["sha256"].get<std::string>()};
    if (!is_safe_member_path(mm.path))
      return bad(fmt::format("members[{}] path \"{}\" is not a safe relative path under db/ or files/", index,
                             mm.path));
    if (!is_sha256_hex(mm.sha256)) return bad(fmt::format("members[{}] ({}) sha256 is not 64 hex digits", index, mm.path));
    if (!seen.insert(mm.path).second) return bad(fmt::format("member \"{}\" is listed twice", mm.path));
    m.members.push_back(std::move(mm));
    ++index;
  }
  return m;
}

std::vector<MemberProblem> check_members(const Manifest& manifest, const std::vector<ObservedMember>& observed) {
  std::map<std::string, const ObservedMember*> by_path;
  std::vector<MemberProblem> problems;
  std::vector<std::string> duplicates;
  for (const auto& o : observed)
    if (!by_path.emplace(o.path, &o).second) duplicates.push_back(o.path);
  std::set<std::string> listed;
  for (const auto& m : manifest.members) {
    listed.insert(m.path);
    auto it = by_path.find(m.path);
    if (it == by_path.end()) {
      problems.push_back({m.path, "missing from the archive"});
      continue;
    }
    const auto& o = *it->second;
    if (!o.read_error.empty()) {
      problems.push_back({m.path, "cannot be read: " + o.read_error});
    } else if (o.size != m.size) {
      problems.push_back({m.path, fmt::format("size is {} bytes, the manifest says {}", o.size, m.size)});
    } else if (!o.sha256.empty() && o.sha256 != m.sha256) {
      problems.push_back({m.path, fmt::format("sha256 is {}, the manifest says {}", o.sha256, m.sha256)});
    }
  }
  for (const auto& o : observed)
    if (!listed.count(o.path) && o.path != kManifestMember) problems.push_back({o.path, "is not in the manifest"});
  for (const auto& d : duplicates) problems.push_back({d, "appears more than once in the archive"});
  return problems;
}

}  // namespace daoctl::backup
