#include <catch2/catch.hpp>

#include <string>

#include "core/text/ascii.hpp"

using daoctl::text::iequals;
using daoctl::text::lower_ascii;
using namespace std::string_literals;

TEST_CASE("lower_ascii turns A-Z into a-z and leaves every other byte") {
  CHECK(lower_ascii("Content-Type") == "content-type");
  CHECK(lower_ascii("objectGUID") == "objectguid");
  CHECK(lower_ascii("") == "");
  // UTF-8 and Windows-1251 bytes stay as they are, whatever the locale.
  CHECK(lower_ascii("ИВАН.Petrov@Corp.EXAMPLE") == "ИВАН.petrov@corp.example");
  CHECK(lower_ascii("\xC0\xDF\xA8") == "\xC0\xDF\xA8");
  // Neighbours of A-Z that a `c | 0x20` trick would change.
  CHECK(lower_ascii("@[\\]^_") == "@[\\]^_");
  CHECK(lower_ascii("A\0B"s) == "a\0b"s);
}

TEST_CASE("iequals compares without regard to A-Z case, and nothing else") {
  CHECK(iequals("objectGUID", "OBJECTguid"));
  CHECK(iequals("member;range=0-1499", "MEMBER;Range=0-1499"));
  CHECK(iequals("", ""));
  CHECK_FALSE(iequals("uid", "uid "));
  CHECK_FALSE(iequals("@", "`"));
  CHECK_FALSE(iequals("[", "{"));
  CHECK_FALSE(iequals("Иван", "иван"));  // Unicode case is core/mapping's
  // The whole length counts, past an embedded NUL (strncasecmp stops there).
  CHECK_FALSE(iequals("ab\0X"s, "ab\0Y"s));
  CHECK(iequals("ab\0X"s, "AB\0x"s));
}
