#include "core/mapping/unicode.hpp"

#include <array>

namespace daoctl::mapping::unicode {

namespace {

constexpr char32_t replacement_char = 0xFFFD;

bool is_continuation(unsigned char byte) noexcept { return (byte & 0xC0) == 0x80; }

bool is_space(char32_t cp) noexcept {
  return cp == ' ' || (cp >= '\t' && cp <= '\r') || cp == 0xA0 || (cp >= 0x2000 && cp <= 0x200B) ||
         cp == 0x202F || cp == 0x205F || cp == 0x3000 || cp == 0xFEFF;
}

// ICAO Doc 9303 values for Cyrillic lower-case letters U+0430–U+045F, indexed
// from U+0430. nullptr: no Doc 9303 entry (copied unchanged).
constexpr std::array<const char*, 0x30> cyrillic_latin = {
    // а    б    в    г    д    е    ж     з    и    й    к    л    м    н    о    п
    "a", "b", "v", "g", "d", "e", "zh", "z", "i", "i", "k", "l", "m", "n", "o", "p",
    // р    с    т    у    ф    х     ц     ч     ш     щ       ъ     ы    ь   э    ю     я
    "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "ie", "y", "", "e", "iu", "ia",
    // ѐ   ё    ђ    ѓ    є     ѕ     і    ї    ј    љ     њ     ћ    ќ    ѝ    ў    џ
    "e", "e", "d", "g", "ie", "dz", "i", "i", "j", "lj", "nj", "c", "k", "i", "u", "dz"};

// ASCII folds of Latin-1 letters U+00E0–U+00FF (lower case), indexed from U+00E0.
constexpr std::array<const char*, 0x20> latin1_ascii = {
    "a", "a", "a", "a",  "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
    "d", "n", "o", "o",  "o", "o", "o",  nullptr /* ÷ */, "o", "u", "u", "u", "u", "y", "th", "y"};

// The Latin spelling of one lower-case code point, or nullptr when unchanged.
const char* latin_spelling(char32_t lower_cp) noexcept {
  if (lower_cp >= 0x430 && lower_cp <= 0x45F) return cyrillic_latin[lower_cp - 0x430];
  if (lower_cp >= 0xE0 && lower_cp <= 0xFF) return latin1_ascii[lower_cp - 0xE0];
  if (lower_cp == 0xDF) return "ss";
  if (lower_cp == 0x491) return "g";  // ґ
  return nullptr;
}

bool is_upper_letter(char32_t cp) noexcept { return to_lower(cp) != cp; }
bool is_lower_letter(char32_t cp) noexcept { return to_upper(cp) != cp; }

}  // namespace

char32_t decode(std::string_view text, std::size_t& pos) noexcept {
  const auto lead = static_cast<unsigned char>(text[pos]);
  if (lead < 0x80) {
    ++pos;
    return lead;
  }
  std::size_t length = 0;
  char32_t cp = 0;
  char32_t minimum = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2, cp = lead & 0x1F, minimum = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, cp = lead & 0x0F, minimum = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, cp = lead & 0x07, minimum = 0x10000;
  } else {
    ++pos;
    return replacement_char;
  }
  if (pos + length > text.size()) {
    ++pos;
    return replacement_char;
  }
  for (std::size_t i = 1; i < length; ++i) {
    const auto byte = static_cast<unsigned char>(text[pos + i]);
    if (!is_continuation(byte)) {
      ++pos;
      return replacement_char;
    }
    cp = (cp << 6) | (byte & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
  if (cp < minimum || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++pos;
    return replacement_char;
  }
  pos += length;
  return cp;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

char32_t to_lower(char32_t cp) noexcept {
  if (cp < 0x80) return (cp >= 'A' && cp <= 'Z') ? cp + 32 : cp;
  if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) return cp + 32;
  if (cp < 0x100) return cp;
  if (cp < 0x180) {
    if (cp == 0x130) return 'i';
    if (cp == 0x178) return 0xFF;
    if ((cp < 0x130 || (cp >= 0x132 && cp <= 0x137) || (cp >= 0x14A && cp <= 0x177)) &&
        cp % 2 == 0)
      return cp + 1;
    if (((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E)) && cp % 2 == 1)
      return cp + 1;
    return cp;
  }
  if (cp >= 0x400 && cp <= 0x40F) return cp + 0x50;
  if (cp >= 0x410 && cp <= 0x42F) return cp + 0x20;
  if (cp == 0x4C0) return 0x4CF;
  if (((cp >= 0x460 && cp <= 0x481) || (cp >= 0x48A && cp <= 0x4BF) ||
       (cp >= 0x4D0 && cp <= 0x4FF)) &&
      cp % 2 == 0)
    return cp + 1;
  if (cp >= 0x4C1 && cp <= 0x4CE && cp % 2 == 1) return cp + 1;
  return cp;
}

char32_t to_upper(char32_t cp) noexcept {
  if (cp < 0x80) return (cp >= 'a' && cp <= 'z') ? cp - 32 : cp;
  if (cp >= 0xE0 && cp <= 0xFE && cp != 0xF7) return cp - 32;
  if (cp == 0xFF) return 0x178;
  if (cp < 0x100) return cp;
  if (cp < 0x180) {
    if (cp == 0x131) return 'I';
    if (cp == 0x17F) return 'S';
    if ((cp < 0x130 || (cp >= 0x133 && cp <= 0x137) || (cp >= 0x14B && cp <= 0x177)) &&
        cp % 2 == 1)
      return cp - 1;
    if (((cp >= 0x13A && cp <= 0x148) || (cp >= 0x17A && cp <= 0x17E)) && cp % 2 == 0)
      return cp - 1;
    return cp;
  }
  if (cp >= 0x430 && cp <= 0x44F) return cp - 0x20;
  if (cp >= 0x450 && cp <= 0x45F) return cp - 0x50;
  if (cp == 0x4CF) return 0x4C0;
  if (((cp >= 0x461 && cp <= 0x481) || (cp >= 0x48B && cp <= 0x4BF) ||
       (cp >= 0x4D1 && cp <= 0x4FF)) &&
      cp % 2 == 1)
    return cp - 1;
  if (cp >= 0x4C2 && cp <= 0x4CE && cp % 2 == 0) return cp - 1;
  return cp;
}

bool is_word_char(char32_t cp) noexcept {
  if (cp < 0x80) {
    return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
           cp == '_';
  }
  if (cp < 0xC0) return cp == 0xAA || cp == 0xB5 || cp == 0xBA;  // ª µ º
  if (cp == 0xD7 || cp == 0xF7) return false;                   // × ÷
  if (cp >= 0x2000 && cp <= 0x206F) return false;
  return cp != replacement_char && !is_space(cp);
}

namespace {

template <class Map>
std::string map_code_points(std::string_view text, Map map) {
  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto byte = static_cast<unsigned char>(text[pos]);
    if (byte < 0x80) {
      out.push_back(static_cast<char>(map(static_cast<char32_t>(byte))));
      ++pos;
      continue;
    }
    const std::size_t start = pos;
    const char32_t cp = decode(text, pos);
    if (cp == replacement_char) {
      // Keep undecodable bytes as they were: case mapping must not corrupt data.
      out.append(text.substr(start, pos - start));
    } else {
      append_utf8(out, map(cp));
    }
  }
  return out;
}

}  // namespace

std::string lower(std::string_view text) { return map_code_points(text, to_lower); }

std::string upper(std::string_view text) { return map_code_points(text, to_upper); }

std::string title(std::string_view text) {
  bool word_start = true;
  return map_code_points(text, [&word_start](char32_t cp) {
    const bool word = is_word_char(cp);
    const char32_t mapped = word ? (word_start ? to_upper(cp) : to_lower(cp)) : cp;
    word_start = !word;
    return mapped;
  });
}

std::string transliterate(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  char32_t previous = 0;
  while (pos < text.size()) {
    const std::size_t start = pos;
    const char32_t cp = decode(text, pos);
    const char32_t lower_cp = to_lower(cp);
    const char* spelling = cp < 0x80 ? nullptr : latin_spelling(lower_cp);
    if (spelling == nullptr) {
      out.append(text.substr(start, pos - start));
      previous = cp;
      continue;
    }
    const std::string_view latin(spelling);
    if (lower_cp == cp || latin.empty()) {
      out.append(latin);
    } else {
      // An upper-case letter: all capitals inside an upper-case word ("ЩУКИН",
      // or the last letter of "ЮЖ"), otherwise only the first Latin letter.
      char32_t next = 0;
      if (pos < text.size()) {
        std::size_t lookahead = pos;
        next = decode(text, lookahead);
      }
      const bool all_caps =
          is_upper_letter(next) || (!is_lower_letter(next) && is_upper_letter(previous));
      for (std::size_t i = 0; i < latin.size(); ++i) {
        const char c = latin[i];
        out.push_back((i == 0 || all_caps) ? static_cast<char>(c - 'a' + 'A') : c);
      }
    }
    previous = cp;
  }
  return out;
}

std::string trim(std::string_view text) {
  std::size_t begin = 0;
  while (begin < text.size()) {
    std::size_t next = begin;
    if (!is_space(decode(text, next))) break;
    begin = next;
  }
  std::size_t end = text.size();
  while (end > begin) {
    // Step back to the start of the last code point.
    std::size_t start = end - 1;
    while (start > begin && is_continuation(static_cast<unsigned char>(text[start]))) --start;
    std::size_t probe = start;
    if (!is_space(decode(text, probe)) || probe != end) break;
    end = start;
  }
  return std::string(text.substr(begin, end - begin));
}

std::size_t count_code_points(std::string_view text) noexcept {
  std::size_t count = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    decode(text, pos);
    ++count;
  }
  return count;
}

}  // namespace daoctl::mapping::unicode
