#include "core/ldap/dn.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <utility>

namespace daoctl::ldap {

namespace {

bool is_ascii_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

// Well-known naming attribute OIDs, so "2.5.4.3=x" and "cn=x" compare equal.
std::string canonical_type(std::string_view type) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 9> kOids{{
      {"2.5.4.3", "cn"},
      {"2.5.4.6", "c"},
      {"2.5.4.7", "l"},
      {"2.5.4.8", "st"},
      {"2.5.4.10", "o"},
      {"2.5.4.11", "ou"},
      {"0.9.2342.19200300.100.1.1", "uid"},
      {"0.9.2342.19200300.100.1.25", "dc"},
      {"1.2.840.113549.1.9.1", "emailaddress"},
  }};
  for (const auto& [oid, name] : kOids) {
    if (type == oid) return std::string(name);
  }
  return ascii_lower(type);
}

// Decodes one UTF-8 sequence at s[i]; returns the code point and advances i,
// or returns -1 (and advances by one byte) for an invalid sequence.
std::int32_t decode_utf8(std::string_view s, std::size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  int len = 0;
  std::int32_t cp = 0;
  if (b0 < 0x80) {
    ++i;
    return b0;
  } else if ((b0 & 0xE0) == 0xC0) {
    len = 2;
    cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3;
    cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4;
    cp = b0 & 0x07;
  } else {
    ++i;
    return -1;
  }
  if (i + static_cast<std::size_t>(len) > s.size()) {
    ++i;
    return -1;
  }
  for (int k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
    if ((b & 0xC0) != 0x80) {
      ++i;
      return -1;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are invalid.
  static constexpr std::array<std::int32_t, 5> kMin{0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[static_cast<std::size_t>(len)] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
    ++i;
    return -1;
  }
  i += static_cast<std::size_t>(len);
  return cp;
}

void encode_utf8(std::string& out, std::int32_t cp) {
  const auto u = static_cast<std::uint32_t>(cp);
  if (u < 0x80) {
    out.push_back(static_cast<char>(u));
  } else if (u < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (u >> 6)));
    out.push_back(static_cast<char>(0x80 | (u & 0x3F)));
  } else if (u < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (u >> 12)));
    out.push_back(static_cast<char>(0x80 | ((u >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (u & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (u >> 18)));
    out.push_back(static_cast<char>(0x80 | ((u >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((u >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (u & 0x3F)));
  }
}

bool is_valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    if (decode_utf8(s, i) < 0) return false;
  }
  return true;
}

std::int32_t fold_code_point(std::int32_t cp) {
  if (cp >= 'A' && cp <= 'Z') return cp + 32;
  if (cp < 0xC0) return cp;
  if (cp <= 0xDE) return cp == 0xD7 ? cp : cp + 32;  // Latin-1, except the multiplication sign
  if (cp >= 0x100 && cp <= 0x17F) {                  // Latin Extended-A
    if (cp == 0x178) return 0xFF;
    const bool odd_is_upper = (cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E);
    const bool even_is_upper =
        (cp <= 0x12F) || (cp >= 0x132 && cp <= 0x137) || (cp >= 0x14A && cp <= 0x177);
    if (odd_is_upper && (cp % 2 == 1)) return cp + 1;
    if (even_is_upper && (cp % 2 == 0)) return cp + 1;
    return cp;
  }
  if (cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2) return cp + 32;  // Greek
  if (cp >= 0x400 && cp <= 0x40F) return cp + 80;                 // Cyrillic Ѐ..Џ
  if (cp >= 0x410 && cp <= 0x42F) return cp + 32;                 // Cyrillic А..Я
  return cp;
}

// caseIgnoreMatch's insignificant-space handling: trim, collapse runs to one.
std::string collapse_spaces(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool pending_space = false;
  for (char c : s) {
    if (c == ' ') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

std::string canonical_ava(const DnAva& ava) {
  std::string out = canonical_type(ava.type);
  out += '=';
  if (ava.is_ber) {
    out += ascii_lower(ava.value);
  } else {
    out += escape_dn_value(collapse_spaces(fold_case(ava.value)));
  }
  return out;
}

std::string canonical_rdn(const Rdn& rdn) {
  std::vector<std::string> parts;
  parts.reserve(rdn.avas.size());
  for (const auto& ava : rdn.avas) parts.push_back(canonical_ava(ava));
  std::sort(parts.begin(), parts.end());
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i) out += '+';
    out += parts[i];
  }
  return out;
}

class DnParser {
 public:
  explicit DnParser(std::string_view text) : text_(text) {}

  Result<Dn> parse() {
    std::vector<Rdn> rdns;
    skip_spaces();
    if (at_end()) return Dn{};
    while (true) {
      Rdn rdn;
      while (true) {
        auto ava = parse_ava();
        if (!ava) return std::unexpected(std::move(ava.error()));
        rdn.avas.push_back(std::move(*ava));
        skip_spaces();
        if (!at_end() && text_[pos_] == '+') {
          ++pos_;
          continue;
        }
        break;
      }
      rdns.push_back(std::move(rdn));
      if (at_end()) break;
      const char sep = text_[pos_];
      if (sep != ',' && sep != ';') return error(fmt::format("expected ',' but found '{}'", sep));
      ++pos_;
      skip_spaces();
      if (at_end()) return error("empty RDN after the last ','");
    }
    return Dn(std::move(rdns));
  }

 private:
  bool at_end() const { return pos_ >= text_.size(); }
  void skip_spaces() {
    while (!at_end() && text_[pos_] == ' ') ++pos_;
  }

  std::unexpected<Error> error(std::string what) const {
    return fail(ErrorKind::Parse, "invalid distinguished name", fmt::format("DN \"{}\"", text_),
                fmt::format("{} at offset {}", what, pos_));
  }

  Result<DnAva> parse_ava() {
    DnAva ava;
    skip_spaces();
    const std::size_t start = pos_;
    if (at_end()) return error("missing attribute type");
    if (is_ascii_alpha(text_[pos_])) {
      while (!at_end() &&
             (is_ascii_alpha(text_[pos_]) || is_ascii_digit(text_[pos_]) || text_[pos_] == '-'))
        ++pos_;
    } else if (is_ascii_digit(text_[pos_])) {
      while (!at_end() && (is_ascii_digit(text_[pos_]) || text_[pos_] == '.')) ++pos_;
    } else {
      return error(fmt::format("attribute type cannot start with '{}'", text_[pos_]));
    }
    ava.type = std::string(text_.substr(start, pos_ - start));
    // RFC 1779 allowed "OID.2.5.4.3"; some exporters still write it.
    if (ascii_lower(ava.type) == "oid" && !at_end() && text_[pos_] == '.') {
      ++pos_;
      const std::size_t oid_start = pos_;
      while (!at_end() && (is_ascii_digit(text_[pos_]) || text_[pos_] == '.')) ++pos_;
      ava.type = std::string(text_.substr(oid_start, pos_ - oid_start));
      // "OID." must be followed by a dotted number (found by fuzzing: "OID.=x"
      // gave an empty type whose DN text did not parse back).
      if (ava.type.empty() || !is_ascii_digit(ava.type.front()) || ava.type.back() == '.')
        return error("\"OID.\" must be followed by a numeric OID such as 2.5.4.3");
    }
    skip_spaces();
    if (at_end() || text_[pos_] != '=')
      return error(fmt::format("expected '=' after \"{}\"", ava.type));
    ++pos_;
    skip_spaces();
    if (!at_end() && text_[pos_] == '#') return parse_ber_value(std::move(ava));
    if (!at_end() && text_[pos_] == '"') return parse_quoted_value(std::move(ava));
    return parse_string_value(std::move(ava));
  }

  Result<DnAva> parse_ber_value(DnAva ava) {
    const std::size_t start = pos_++;
    while (!at_end() && hex_value(text_[pos_]) >= 0) ++pos_;
    const std::size_t digits = pos_ - start - 1;
    if (digits == 0 || digits % 2 != 0)
      return error("'#' must be followed by an even number of hex digits");
    ava.value = std::string(text_.substr(start, pos_ - start));
    ava.is_ber = true;
    return ava;
  }

  // RFC 1779 quoted values ("cn=\"Ivanov, Ivan\""); accepted on input only.
  Result<DnAva> parse_quoted_value(DnAva ava) {
    ++pos_;
    while (true) {
      if (at_end()) return error("unterminated quoted value");
      const char c = text_[pos_];
      if (c == '"') {
        ++pos_;
        break;
      }
      if (c == '\\') {
        auto escaped = parse_escape();
        if (!escaped) return std::unexpected(std::move(escaped.error()));
        ava.value += *escaped;
        continue;
      }
      ava.value.push_back(c);
      ++pos_;
    }
    if (!is_valid_utf8(ava.value)) return error("value is not valid UTF-8");
    return ava;
  }

  Result<DnAva> parse_string_value(DnAva ava) {
    std::size_t significant = 0;  // length up to the last escaped or non-space byte
    while (!at_end()) {
      const char c = text_[pos_];
      if (c == ',' || c == ';' || c == '+') break;
      if (c == '\\') {
        auto escaped = parse_escape();
        if (!escaped) return std::unexpected(std::move(escaped.error()));
        ava.value += *escaped;
        significant = ava.value.size();
        continue;
      }
      if (c == '"') return error("unescaped '\"' in value");
      ava.value.push_back(c);
      ++pos_;
      if (c != ' ') significant = ava.value.size();
    }
    ava.value.resize(significant);
    if (!is_valid_utf8(ava.value)) return error("value is not valid UTF-8");
    return ava;
  }

  // At a '\': returns the byte it stands for and moves past the escape.
  Result<std::string> parse_escape() {
    ++pos_;
    if (at_end()) return error("'\\' at the end of the DN");
    const char c = text_[pos_];
    if (pos_ + 1 < text_.size() && hex_value(c) >= 0 && hex_value(text_[pos_ + 1]) >= 0) {
      const char byte = static_cast<char>(hex_value(c) * 16 + hex_value(text_[pos_ + 1]));
      pos_ += 2;
      return std::string(1, byte);
    }
    static constexpr std::string_view kSpecials = "\"+,;<>\\ #=";
    if (kSpecials.find(c) == std::string_view::npos) {
      return error(fmt::format("invalid escape '\\{}'", c));
    }
    ++pos_;
    return std::string(1, c);
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

std::string fold_case(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  for (std::size_t i = 0; i < utf8.size();) {
    const std::size_t start = i;
    const std::int32_t cp = decode_utf8(utf8, i);
    if (cp < 0) {
      out.append(utf8.substr(start, i - start));
    } else {
      encode_utf8(out, fold_code_point(cp));
    }
  }
  return out;
}

std::string escape_dn_value(std::string_view value) {
  std::string out;
  out.reserve(value.size() + 4);
  for (std::size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    const bool first = i == 0;
    const bool last = i + 1 == value.size();
    if (c == '\0') {
      out += "\\00";
    } else if (c == '"' || c == '+' || c == ',' || c == ';' || c == '<' || c == '>' || c == '\\' ||
               (first && (c == '#' || c == ' ')) || (last && c == ' ')) {
      out += '\\';
      out += c;
    } else {
      out += c;
    }
  }
  return out;
}

Result<Dn> parse_dn(std::string_view text) { return DnParser(text).parse(); }

std::string Dn::to_string() const {
  std::string out;
  for (std::size_t r = 0; r < rdns_.size(); ++r) {
    if (r) out += ',';
    const auto& avas = rdns_[r].avas;
    for (std::size_t a = 0; a < avas.size(); ++a) {
      if (a) out += '+';
      out += avas[a].type;
      out += '=';
      out += avas[a].is_ber ? avas[a].value : escape_dn_value(avas[a].value);
    }
  }
  return out;
}

std::string Dn::canonical() const {
  std::string out;
  for (std::size_t r = 0; r < rdns_.size(); ++r) {
    if (r) out += ',';
    out += canonical_rdn(rdns_[r]);
  }
  return out;
}

Dn Dn::parent() const {
  if (rdns_.empty()) return Dn{};
  return Dn(std::vector<Rdn>(rdns_.begin() + 1, rdns_.end()));
}

bool Dn::is_within(const Dn& ancestor) const {
  const auto& theirs = ancestor.rdns_;
  if (theirs.size() > rdns_.size()) return false;
  const std::size_t offset = rdns_.size() - theirs.size();
  for (std::size_t i = 0; i < theirs.size(); ++i) {
    if (canonical_rdn(rdns_[offset + i]) != canonical_rdn(theirs[i])) return false;
  }
  return true;
}

std::string canonical_dn(std::string_view text) {
  auto dn = parse_dn(text);
  if (!dn) return collapse_spaces(text);
  return dn->canonical();
}

}  // namespace daoctl::ldap
