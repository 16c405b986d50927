#include <catch2/catch.hpp>
#include <string>

#include "core/ldap/dn.hpp"
#include "core/ldap/filter.hpp"

using namespace daoctl::ldap;
using namespace std::string_literals;

TEST_CASE("escape_filter_value escapes the RFC 4515 specials and NUL", "[filter]") {
  struct Case {
    std::string in, out;
  };
  const Case cases[] = {
      {"plain", "plain"},
      {"*", "\\2a"},
      {"a(b)c", "a\\28b\\29c"},
      {"back\\slash", "back\\5cslash"},
      {"nul\0byte"s, "nul\\00byte"},
      {"*)(uid=*))(|(uid=*", "\\2a\\29\\28uid=\\2a\\29\\29\\28|\\28uid=\\2a"},
      {"Иванов", "Иванов"},
      {"", ""},
  };
  for (const auto& c : cases) {
    CAPTURE(c.in);
    CHECK(escape_filter_value(c.in) == c.out);
  }
  CHECK(equality_filter("uid", "x*") == "(uid=x\\2a)");
  CHECK(escape_filter_bytes("\x01\xff"s) == "\\01\\ff");
}

TEST_CASE("parse_dn reads RFC 4514 and the 389-ds spacing", "[dn]") {
  auto dn = parse_dn("uid=scarter, ou=People, dc=example,dc=com");
  REQUIRE(dn);
  REQUIRE(dn->rdns().size() == 4);
  CHECK(dn->rdns()[0].avas[0].type == "uid");
  CHECK(dn->rdns()[0].avas[0].value == "scarter");
  CHECK(dn->rdns()[1].avas[0].value == "People");
  CHECK(dn->to_string() == "uid=scarter,ou=People,dc=example,dc=com");
}

TEST_CASE("parse_dn unescapes commas, specials and hex UTF-8", "[dn]") {
  struct Case {
    std::string text, first_value;
  };
  const Case cases[] = {
      {"cn=Ivanov\\, Ivan,ou=People,dc=example,dc=com", "Ivanov, Ivan"},
      {"cn=Ivanov\\2C Ivan,ou=People", "Ivanov, Ivan"},
      {"cn=\\D0\\98\\D0\\B2\\D0\\B0\\D0\\BD,ou=x", "Иван"},
      {"cn=Иван Петров,ou=x", "Иван Петров"},
      {"cn=\\#hash\\+plus\\;semi\\<lt\\>gt\\\"q\\\\bs,o=x", "#hash+plus;semi<lt>gt\"q\\bs"},
      {"cn=\\ leading and trailing\\ ,o=x", " leading and trailing "},
      {"cn=trailing spaces   ,o=x", "trailing spaces"},
      {"CN = spaced , O = x", "spaced"},
      {"cn=\"Ivanov, Ivan\",o=x", "Ivanov, Ivan"},
      {"cn=a=b,o=x", "a=b"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.text);
    auto dn = parse_dn(c.text);
    REQUIRE(dn);
    CHECK(dn->rdns()[0].avas[0].value == c.first_value);
  }
}

TEST_CASE("DN string form round-trips escaped values", "[dn]") {
  const std::string values[] = {"Ivanov, Ivan",    " lead",        "trail ",  "#x",
                                "a+b;c<d>e\"f\\g", "Иванов, Иван", "nul\0in"s};
  for (const auto& v : values) {
    CAPTURE(v);
    const std::string text = "cn=" + escape_dn_value(v) + ",ou=People,dc=example,dc=com";
    auto dn = parse_dn(text);
    REQUIRE(dn);
    CHECK(dn->rdns()[0].avas[0].value == v);
    CHECK(dn->to_string() == text);
  }
  CHECK(escape_dn_value("Ivanov, Ivan") == "Ivanov\\, Ivan");
}

TEST_CASE("multi-valued RDNs and BER values", "[dn]") {
  auto dn = parse_dn("cn=a+uid=b,o=x");
  REQUIRE(dn);
  REQUIRE(dn->rdns()[0].avas.size() == 2);
  CHECK(canonical_dn("uid=b+cn=a,o=x") == canonical_dn("cn=a+uid=b,o=x"));

  auto ber = parse_dn("1.3.6.1.4.1.1466.0=#04024869,o=x");
  REQUIRE(ber);
  CHECK(ber->rdns()[0].avas[0].is_ber);
  CHECK(ber->rdns()[0].avas[0].value == "#04024869");
  CHECK(ber->to_string() == "1.3.6.1.4.1.1466.0=#04024869,o=x");
}

TEST_CASE("canonical form compares DNs as directories do", "[dn]") {
  const std::string same[][2] = {
      {"uid=scarter, ou=People, dc=example,dc=com", "UID=SCarter,OU=people,DC=Example,DC=COM"},
      {"cn=Ivanov\\, Ivan,ou=People", "CN=ivanov\\2c ivan,OU=PEOPLE"},
      {"cn=ИВАНОВ Иван,o=x", "cn=иванов иван,o=x"},
      {"cn=Çéliné  Ändrè,o=x", "cn=çéliné ändrè,o=x"},
      {"2.5.4.3=x,0.9.2342.19200300.100.1.25=com", "cn=X,dc=COM"},
      {"oid.2.5.4.3=x,dc=com", "cn=x,dc=com"},
      {"cn=Ёлка,o=x", "cn=ёлка,o=x"},
  };
  for (const auto& pair : same) {
    CAPTURE(pair[0], pair[1]);
    CHECK(canonical_dn(pair[0]) == canonical_dn(pair[1]));
  }
  CHECK(canonical_dn("cn=a,o=x") != canonical_dn("cn=b,o=x"));
  CHECK(canonical_dn("cn=Ivanov\\, Ivan,o=x") != canonical_dn("cn=Ivanov,cn=Ivan,o=x"));
  CHECK(canonical_dn("UID=X, OU=People, DC=example,DC=com") == "uid=x,ou=people,dc=example,dc=com");
}

TEST_CASE("fold_case lowers Latin, Cyrillic and Greek, keeps the rest", "[dn]") {
  CHECK(fold_case("ABC Привет ΣΩ Ñ Ł ×") == "abc привет σω ñ ł ×");
  CHECK(fold_case("\xff\xfe") == "\xff\xfe");  // invalid UTF-8 passes through unchanged
}

TEST_CASE("parent and is_within", "[dn]") {
  auto dn = parse_dn("uid=x,ou=People,dc=example,dc=com");
  auto base = parse_dn("OU=people, DC=Example, DC=com");
  auto other = parse_dn("ou=Groups,dc=example,dc=com");
  REQUIRE(dn);
  REQUIRE(base);
  REQUIRE(other);
  CHECK(dn->parent().to_string() == "ou=People,dc=example,dc=com");
  CHECK(dn->is_within(*base));
  CHECK(base->is_within(*base));
  CHECK_FALSE(dn->is_within(*other));
  CHECK_FALSE(base->is_within(*dn));
  CHECK(parse_dn("")->empty());
}

TEST_CASE("parse_dn errors name the DN and the offset", "[dn]") {
  struct Case {
    std::string text, detail;
  };
  const Case cases[] = {
      {"cn=x,", "empty RDN after the last ',' at offset 5"},
      {"cn", "expected '=' after \"cn\" at offset 2"},
      {"=x", "attribute type cannot start with '=' at offset 0"},
      {"cn=bad\\zz", "invalid escape '\\z' at offset 7"},
      {"cn=x\\", "'\\' at the end of the DN at offset 5"},
      {"cn=a\"b", "unescaped '\"' in value at offset 4"},
      {"cn=#abc", "'#' must be followed by an even number of hex digits at offset 7"},
      {"cn=\\ff\\fe", "value is not valid UTF-8 at offset 9"},
      {"cn=\"open", "unterminated quoted value at offset 8"},
      // Found by fuzzing: an empty type whose DN text did not parse back.
      {"OID.=x", "\"OID.\" must be followed by a numeric OID such as 2.5.4.3 at offset 4"},
      {"oid.2.5.=x", "\"OID.\" must be followed by a numeric OID such as 2.5.4.3 at offset 8"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.text);
    auto dn = parse_dn(c.text);
    REQUIRE_FALSE(dn);
    CHECK(dn.error().kind == daoctl::ErrorKind::Parse);
    CHECK(dn.error().object == "DN \"" + c.text + "\"");
    CHECK(dn.error().detail == c.detail);
  }
  // Unparsable DNs only equal themselves.
  CHECK(canonical_dn("cn=x,") == "cn=x,");
}
