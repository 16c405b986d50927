#include "core/ldap/ad_binary.hpp"

#include <fmt/format.h>

#include <array>
#include <cstdint>

namespace daoctl::ldap {

namespace {
// GUID text positions (after the optional brace) of bytes 0..15, in Windows order.
constexpr std::array<std::size_t, 16> kGuidByteOrder{3, 2, 1,  0,  5,  4,  7,  6,
                                                     8, 9, 10, 11, 12, 13, 14, 15};

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

Result<std::string> format_object_guid(std::string_view bytes) {
  if (bytes.size() != 16) {
    return fail(ErrorKind::Parse, "cannot decode objectGUID", "objectGUID",
                fmt::format("expected 16 bytes, got {}", bytes.size()));
  }
  std::string out = "{";
  for (std::size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += fmt::format("{:02x}", static_cast<unsigned char>(bytes[kGuidByteOrder[i]]));
  }
  out += '}';
  return out;
}

Result<std::string> parse_object_guid(std::string_view text) {
  std::string_view t = text;
  if (t.size() == 38 && t.front() == '{' && t.back() == '}') t = t.substr(1, 36);
  auto bad = [&](std::string why) {
    return fail(ErrorKind::Parse, "invalid GUID", fmt::format("GUID \"{}\"", text), std::move(why),
                "write it as xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx");
  };
  if (t.size() != 36 || t[8] != '-' || t[13] != '-' || t[18] != '-' || t[23] != '-') {
    return bad("not in 8-4-4-4-12 form");
  }
  std::string digits;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) continue;  // the dashes checked above
    if (hex_digit(t[i]) < 0) return bad(fmt::format("'{}' is not a hex digit", t[i]));
    digits += t[i];
  }
  std::string out(16, '\0');
  for (std::size_t i = 0; i < 16; ++i) {
    const int v = hex_digit(digits[2 * i]) * 16 + hex_digit(digits[2 * i + 1]);
    out[kGuidByteOrder[i]] = static_cast<char>(v);
  }
  return out;
}

Result<std::string> format_object_sid(std::string_view bytes) {
  auto bad = [](std::string why) {
    return fail(ErrorKind::Parse, "cannot decode objectSid", "objectSid", std::move(why));
  };
  if (bytes.size() < 8)
    return bad(fmt::format("{} bytes is shorter than the 8-byte header", bytes.size()));
  const auto byte = [&](std::size_t i) {
    return static_cast<std::uint64_t>(static_cast<unsigned char>(bytes[i]));
  };
  const std::uint64_t revision = byte(0);
  const std::size_t count = static_cast<std::size_t>(byte(1));
  if (revision != 1) return bad(fmt::format("unsupported SID revision {}", revision));
  if (count > 15) return bad(fmt::format("{} sub-authorities (at most 15)", count));
  if (bytes.size() != 8 + 4 * count) {
    return bad(fmt::format("{} sub-authorities need {} bytes, got {}", count, 8 + 4 * count,
                           bytes.size()));
  }
  std::uint64_t authority = 0;
  for (std::size_t i = 2; i < 8; ++i) authority = (authority << 8) | byte(i);
  std::string out = fmt::format("S-{}-", revision);
  out += authority >= (std::uint64_t{1} << 32) ? fmt::format("0x{:012X}", authority)
                                               : fmt::format("{}", authority);
  for (std::size_t k = 0; k < count; ++k) {
    const std::size_t o = 8 + 4 * k;
    const std::uint64_t sub =
        byte(o) | (byte(o + 1) << 8) | (byte(o + 2) << 16) | (byte(o + 3) << 24);
    out += fmt::format("-{}", sub);
  }
  return out;
}

}  // namespace daoctl::ldap
