// The 389-ds sample directories (../shared/realdata/389-ds-base) load into a
// real slapd and every person entry reads back with its exact UTF-8 values.
//
// They need the test-only tests/fixtures/ldap/389ds-compat.schema (aci and
// ns*Limit attributes) and slapadd -s, because 389-ds stores those attributes
// on entries whose object classes do not allow them.
#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "connectors/ldap/directory.hpp"
#include "core/ldap/dn.hpp"
#include "slapd_server.hpp"

using namespace daoctl;
using namespace daoctl::ldap;

namespace {

// attribute description (lower-cased) -> values
using LdifEntry = std::map<std::string, std::set<std::string>>;

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
  return s;
}

// A small RFC 2849 reader for the content records of these files: comments,
// folded lines, "attr: value" and "attr:: base64". Keyed by canonical DN.
std::map<std::string, LdifEntry> read_ldif(const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty() && line[0] == ' ' && !lines.empty() && !lines.back().empty()) {
      lines.back() += line.substr(1);
    } else if (!line.empty() && line[0] == '#') {
      continue;
    } else {
      lines.push_back(line);
    }
  }
  std::map<std::string, LdifEntry> entries;
  std::string dn;
  LdifEntry current;
  auto finish = [&] {
    if (!dn.empty()) entries[canonical_dn(dn)] = current;
    dn.clear();
    current.clear();
  };
  for (const auto& l : lines) {
    if (l.empty()) {
      finish();
      continue;
    }
    const auto colon = l.find(':');
    REQUIRE(colon != std::string::npos);
    std::string name = lower(l.substr(0, colon));
    std::string value;
    if (colon + 1 < l.size() && l[colon + 1] == ':') {
      value = testing::base64_decode(l.substr(colon + 2));
    } else {
      const auto start = l.find_first_not_of(' ', colon + 1);
      // Trailing spaces are part of the value ("givenname;lang-de: a "), as slapadd keeps them.
      value = start == std::string::npos ? "" : l.substr(start);
    }
    if (name == "dn") {
      dn = value;
    } else {
      current[name].insert(value);
    }
  }
  finish();
  return entries;
}

bool is_person(const LdifEntry& e) {
  const auto it = e.find("objectclass");
  if (it == e.end()) return false;
  for (const auto& v : it->second) {
    if (lower(v) == "person") return true;
  }
  return false;
}

void check_person_entries_read_back(const std::string& file, std::size_t expected_people) {
  const std::string path =
      std::string(DAOCTL_SHARED_DIR) + "/realdata/389-ds-base/ldap/ldif/" + file;
  const auto expected = read_ldif(path);
  testing::SlapdServer server(testing::SlapdConfig{path, {}, {}, false});
  LdapConnectionOptions options;
  options.url = server.url();
  options.bind_dn = server.bind_dn();
  options.bind_password = server.bind_password();
  auto dir = connect_ldap(options);
  REQUIRE(dir);

  SearchRequest request;
  request.base_dn = server.base_dn();
  request.filter = "(objectClass=person)";
  request.page_size = 100;
  std::set<std::string> seen;
  auto stats = (*dir)->search(request, [&](const LdapEntry& e) -> Status {
    const std::string key = canonical_dn(e.dn);
    const auto it = expected.find(key);
    if (it == expected.end()) {
      FAIL_CHECK("unexpected entry " << e.dn);
      return {};
    }
    seen.insert(key);
    // Every value the file has for these attributes, language tags included.
    for (const auto& [name, values] : it->second) {
      if (name == "objectclass" || name == "userpassword" || name == "aci") continue;
      const auto* got = e.find(name);
      INFO(e.dn << " " << name);
      REQUIRE(got != nullptr);
      CHECK(std::set<std::string>(got->begin(), got->end()) == values);
    }
    return {};
  });
  REQUIRE(stats);
  std::size_t people = 0;
  for (const auto& [dn, entry] : expected) {
    if (!is_person(entry)) continue;
    ++people;
    INFO("missing from the server: " << dn);
    CHECK(seen.contains(dn));
  }
  CHECK(people == expected_people);
  CHECK(seen.size() == expected_people);
}

}  // namespace

TEST_CASE("389-ds Example.ldif loads and every person reads back", "[live][realdata]") {
  check_person_entries_read_back("Example.ldif", 150);
}

TEST_CASE("389-ds European.ldif loads and every person reads back in UTF-8", "[live][realdata]") {
  check_person_entries_read_back("European.ldif", 353);
}
