// UTF-8 text operations the mapping language needs, without ICU.
//
// Case mapping is the Unicode *simple* (one code point to one code point)
// mapping for Basic Latin, Latin-1 Supplement, Latin Extended-A and Cyrillic
// (U+0400–U+04FF): the scripts of the names daoctl syncs. Other code points
// are left unchanged; ß has no simple upper case and stays ß.
// Invalid UTF-8 bytes are decoded as U+FFFD one byte at a time, so every
// function here accepts any byte string and never fails.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace daoctl::mapping::unicode {

// Decodes the code point starting at text[pos] and advances pos past it.
// Precondition: pos < text.size().
char32_t decode(std::string_view text, std::size_t& pos) noexcept;
void append_utf8(std::string& out, char32_t cp);

char32_t to_lower(char32_t cp) noexcept;
char32_t to_upper(char32_t cp) noexcept;
// A letter of the scripts above, or any other code point that is neither ASCII
// nor Latin-1 punctuation/symbol nor general punctuation (U+2000–U+206F).
bool is_word_char(char32_t cp) noexcept;

std::string lower(std::string_view text);
std::string upper(std::string_view text);
// First letter of every word upper case, the rest lower case. Words are split
// by any non-word character, so "петрова-водкина" → "Петрова-Водкина" and
// "o'neil" → "O'Neil".
std::string title(std::string_view text);
// Cyrillic → Latin by ICAO Doc 9303 (the table of Russian passports since
// 2013, FMS order 320): щ→shch ц→ts ж→zh х→kh й→i ъ→ie ы→y ь→"" э→e ю→iu
// я→ia ё→e, plus the Doc 9303 values for Ukrainian, Belarusian, Serbian and
// Macedonian letters (є→ie ї→i ґ→g ў→u ђ→d ј→j љ→lj њ→nj ћ→c џ→dz ѕ→dz).
// Latin-1 letters with diacritics fold to ASCII (é→e, ß→ss, æ→ae, þ→th).
// Case follows the source: "Щукин" → "Shchukin", "ЩУКИН" → "SHCHUKIN".
// Code points with no entry are copied unchanged.
std::string transliterate(std::string_view text);

std::string trim(std::string_view text);
// Number of code points in text (the column unit of parse errors).
std::size_t count_code_points(std::string_view text) noexcept;

}  // namespace daoctl::mapping::unicode
