#include <catch2/catch.hpp>

#include "core/mapping/unicode.hpp"

namespace daoctl::mapping::unicode {
namespace {

TEST_CASE("translit follows ICAO Doc 9303 for the whole Russian alphabet", "[mapping][unicode]") {
  CHECK(transliterate("абвгдеёжзийклмнопрстуфхцчшщъыьэюя") ==
        "abvgdeezhziiklmnoprstufkhtschshshchieyeiuia");
  CHECK(transliterate("АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ") ==
        "ABVGDEEZHZIIKLMNOPRSTUFKHTSCHSHSHCHIEYEIUIA");
}

TEST_CASE("translit of names keeps their case shape", "[mapping][unicode]") {
  struct Name {
    const char* cyrillic;
    const char* latin;
  };
  const Name names[] = {
      {"Щукин", "Shchukin"},        {"Ёжиков", "Ezhikov"},       {"Юлия", "Iuliia"},
      {"Хабибуллин", "Khabibullin"}, {"Цой", "Tsoi"},            {"Объедков", "Obieedkov"},
      {"Мальцев", "Maltsev"},       {"Эрнст", "Ernst"},          {"Жанна", "Zhanna"},
      {"ЩУКИН ЮЛИЯ", "SHCHUKIN IULIIA"}, {"ЮЖ", "IUZH"},         {"Ю. Щукина", "Iu. Shchukina"},
      {"Їжак Євген", "Izhak Ievgen"}, {"Ґалаґан", "Galagan"},     {"Ўладзімір", "Uladzimir"},
      {"Müller François", "Muller Francois"}, {"Straße", "Strasse"}, {"Ærø", "Aero"},
      {"Smith 42", "Smith 42"},     {"東京", "東京"},
  };
  for (const Name& name : names) {
    INFO(name.cyrillic);
    CHECK(transliterate(name.cyrillic) == name.latin);
  }
}

TEST_CASE("simple case mapping covers Latin, Latin-1, Latin Extended-A and Cyrillic",
          "[mapping][unicode]") {
  CHECK(lower("ИВАНОВ Иван ЁЛКИН") == "иванов иван ёлкин");
  CHECK(upper("иванов ёлкин ґ ї є ў") == "ИВАНОВ ЁЛКИН Ґ Ї Є Ў");
  CHECK(upper("àéîõüýþÿ") == "ÀÉÎÕÜÝÞŸ");
  CHECK(lower("ŁÓDŹ ŚWIĘTOKRZYSKIE") == "łódź świętokrzyskie");
  CHECK(upper("čeština žluťoučký") == "ČEŠTINA ŽLUŤOUČKÝ");
  CHECK(upper("× ÷ ß 1 ✓") == "× ÷ ß 1 ✓");
  // Every Cyrillic and Latin letter with a lower case maps back to itself.
  for (char32_t cp = 0x41; cp < 0x500; ++cp) {
    if (cp == 0x130 || cp == 0x178) continue;  // İ → i and Ÿ → ÿ leave their block
    const char32_t lowered = to_lower(cp);
    if (lowered != cp) {
      INFO("U+" << std::hex << static_cast<unsigned>(cp));
      CHECK(to_upper(lowered) == cp);
    }
  }
  CHECK(to_lower(0x178) == 0xFF);
  CHECK(to_upper(0xFF) == 0x178);
}

TEST_CASE("title case starts every word with a capital", "[mapping][unicode]") {
  CHECK(title("иван петров-водкин") == "Иван Петров-Водкин");
  CHECK(title("ÉLODIE o'neil") == "Élodie O'Neil");
  CHECK(title("  ведущий   ИНЖЕНЕР ") == "  Ведущий   Инженер ");
}

TEST_CASE("trim removes Unicode white space and byte order marks", "[mapping][unicode]") {
  CHECK(trim("\u00A0 Иванов \t\r\n") == "Иванов");
  CHECK(trim("\xEF\xBB\xBF" "abc") == "abc");
  CHECK(trim("\u2003x\u3000") == "x");
  CHECK(trim("   ") == "");
  CHECK(trim("a b") == "a b");
}

TEST_CASE("invalid UTF-8 is kept byte for byte and never crashes", "[mapping][unicode]") {
  const std::string broken("a\xFF\xD0z\xE2\x82", 6);
  CHECK(lower(broken) == std::string("a\xFF\xD0z\xE2\x82", 6));
  CHECK(count_code_points(broken) == 6);
  CHECK(count_code_points("Имя") == 3);
  std::size_t pos = 0;
  CHECK(decode("\xC0\xAF", pos) == 0xFFFD);  // overlong '/'
  CHECK(pos == 1);
  std::string out;
  append_utf8(out, 0x1F600);
  CHECK(out == "\U0001F600");
}

}  // namespace
}  // namespace daoctl::mapping::unicode
