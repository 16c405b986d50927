#include "core/content/external_id.hpp"

#include <openssl/evp.h>

namespace daoctl::content {

namespace {
constexpr std::size_t kMaxExternalId = 255;
constexpr std::size_t kReadablePrefix = 190;
}  // namespace

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

std::string derive_external_id(std::string_view ns, std::initializer_list<std::string_view> parts) {
  std::string id(ns);
  for (auto part : parts) {
    id += ':';
    for (char c : part) {
      if (c == ':') id += "%3A";
      else if (c == '%') id += "%25";
      else id += c;
    }
  }
  if (id.size() <= kMaxExternalId) return id;
  // Cut on a UTF-8 boundary so the prefix stays valid text.
  std::size_t cut = kReadablePrefix;
  while (cut > 0 && (static_cast<unsigned char>(id[cut]) & 0xC0) == 0x80) --cut;
  return id.substr(0, cut) + "~" + sha256_hex(id);
}

}  // namespace daoctl::content
