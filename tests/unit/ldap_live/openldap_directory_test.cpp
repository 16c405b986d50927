// The libldap connector against a real slapd (see slapd_server.hpp).
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>

#include "connectors/ldap/directory.hpp"
#include "core/ldap/account_state.hpp"
#include "core/ldap/dn.hpp"
#include "core/ldap/filter.hpp"
#include "core/ldap/group_graph.hpp"
#include "slapd_server.hpp"
#include "tests/tools/ldapgen/ldif_generator.hpp"

using namespace daoctl;
using namespace daoctl::ldap;
using daoctl::ldap::testing::SlapdConfig;
using daoctl::ldap::testing::SlapdServer;
using Strings = std::vector<std::string>;

namespace {

constexpr std::size_t kEmployees = 5000;

ldapgen::GeneratorOptions generated_options() {
  ldapgen::GeneratorOptions o;
  o.employees = kEmployees;
  o.ppolicy_locks = true;
  return o;
}

// A generated LDIF in the temp directory, removed when this goes out of scope
// (slapadd has copied it into the database by then).
struct GeneratedLdif {
  explicit GeneratedLdif(const ldapgen::GeneratorOptions& o, const std::string& name)
      : path((std::filesystem::temp_directory_path() /
              ("daoctl-" + name + "-" + std::to_string(::getpid()) + ".ldif"))
                 .string()) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) throw std::runtime_error("cannot create " + path);
    const bool ok = ldapgen::write_ldif(f, o);
    if (std::fclose(f) != 0 || !ok) throw std::runtime_error("cannot write " + path);
  }
  ~GeneratedLdif() {
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
  }
  GeneratedLdif(const GeneratedLdif&) = delete;
  GeneratedLdif& operator=(const GeneratedLdif&) = delete;
  std::string path;
};

// One generated directory (5,000 employees, ppolicy) shared by the tests of
// this executable; started on first use, killed at exit.
SlapdServer& generated_server() {
  static const std::unique_ptr<SlapdServer> server = [] {
    GeneratedLdif ldif(generated_options(), "gen5k");
    return std::make_unique<SlapdServer>(
        SlapdConfig{ldif.path, {"moduleload ppolicy"}, {"overlay ppolicy"}, true});
  }();
  return *server;
}

LdapConnectionOptions reader_options(const SlapdServer& s) {
  LdapConnectionOptions o;
  o.url = s.url();
  o.bind_dn = s.bind_dn();
  o.bind_password = s.bind_password();
  o.network_timeout = std::chrono::milliseconds(2000);
  o.operation_timeout = std::chrono::milliseconds(30000);
  return o;
}

std::unique_ptr<LdapDirectory> connect_reader(const SlapdServer& s) {
  auto dir = connect_ldap(reader_options(s));
  if (!dir) FAIL(dir.error().error.describe());
  return std::move(*dir);
}

// Runs a search and keeps every entry (fine for tests of a few thousand).
struct Collected {
  std::vector<LdapEntry> entries;
  LdapResult<SearchStats> result;
};
Collected collect(LdapDirectory& dir, SearchRequest request) {
  Collected c;
  c.result = dir.search(request, [&](const LdapEntry& e) -> Status {
    c.entries.push_back(e);
    return {};
  });
  return c;
}

SearchRequest people_search(const SlapdServer& s, std::string filter, Strings attributes = {},
                            std::uint32_t page = 500) {
  SearchRequest r;
  r.base_dn = "ou=People," + s.base_dn();
  r.filter = std::move(filter);
  r.attributes = std::move(attributes);
  r.page_size = page;
  return r;
}

std::size_t index_of(const LdapEntry& e) {
  const auto number = e.first("employeeNumber");
  REQUIRE(number);
  return static_cast<std::size_t>(std::stoul(number->substr(1)));
}

std::set<std::string> as_set(const std::vector<std::string>* values) {
  return values ? std::set<std::string>(values->begin(), values->end()) : std::set<std::string>{};
}

}  // namespace

TEST_CASE("bind as the service account succeeds", "[live][bind]") {
  auto dir = connect_ldap(reader_options(generated_server()));
  REQUIRE(dir);
}

TEST_CASE("a wrong password is an Auth error with the server's reason and no secret",
          "[live][bind]") {
  auto options = reader_options(generated_server());
  options.bind_password = "wrong-secret-Zq81";
  auto dir = connect_ldap(options);
  REQUIRE_FALSE(dir);
  const LdapError& e = dir.error();
  CHECK(e.failure == LdapFailure::Auth);
  CHECK(e.result_code == 49);
  CHECK(e.error.kind == ErrorKind::Auth);
  CHECK(e.error.message == "LDAP bind as \"" + options.bind_dn + "\" refused");
  CHECK(e.error.object == "LDAP server " + options.url);
  CHECK(e.error.detail.rfind("Invalid credentials (49)", 0) == 0);
  const std::string everything = e.error.describe() + e.error.hint;
  CHECK(everything.find("wrong-secret-Zq81") == std::string::npos);
  CHECK(everything.find(generated_server().bind_password()) == std::string::npos);
}

TEST_CASE("an empty password with a bind DN is refused before it becomes an anonymous bind",
          "[live][bind]") {
  auto options = reader_options(generated_server());
  options.bind_password.clear();
  auto dir = connect_ldap(options);
  REQUIRE_FALSE(dir);
  CHECK(dir.error().failure == LdapFailure::Auth);
  CHECK(dir.error().error.detail == "bind_dn \"" + options.bind_dn + "\" has an empty password");
}

TEST_CASE("a server that is down is a Network error", "[live][bind]") {
  LdapConnectionOptions options;
  options.url = "ldap://127.0.0.1:" + std::to_string(testing::free_loopback_port());
  options.bind_dn = "cn=x,dc=example,dc=com";
  options.bind_password = "irrelevant";
  options.network_timeout = std::chrono::milliseconds(1000);
  auto dir = connect_ldap(options);
  REQUIRE_FALSE(dir);
  CHECK(dir.error().failure == LdapFailure::Network);
  CHECK(dir.error().error.kind == ErrorKind::Network);
  CHECK(dir.error().error.message == "cannot reach the LDAP server");
  CHECK(dir.error().error.detail.rfind("Can't contact LDAP server (-1)", 0) == 0);
}

TEST_CASE("a server killed mid-session makes the next search a Network error", "[live][bind]") {
  ldapgen::GeneratorOptions options;
  options.employees = 10;
  GeneratedLdif ldif(options, "gen10");
  SlapdServer server(SlapdConfig{ldif.path, {}, {}, true});
  auto dir = connect_reader(server);
  server.stop();
  auto c = collect(*dir, people_search(server, "(objectClass=*)"));
  REQUIRE_FALSE(c.result);
  CHECK(c.result.error().failure == LdapFailure::Network);
}

TEST_CASE("paged search returns every one of 5,000 entries with page size 500", "[live][paging]") {
  auto dir = connect_reader(generated_server());
  auto c = collect(
      *dir, people_search(generated_server(), "(objectClass=inetOrgPerson)", {"employeeNumber"}));
  REQUIRE(c.result);
  CHECK(c.result->entries == kEmployees);
  CHECK(c.result->pages == 10);
  std::set<std::size_t> seen;
  for (const auto& e : c.entries) seen.insert(index_of(e));
  CHECK(seen.size() == kEmployees);
}

TEST_CASE("against AD-like size limits, unpaged and oversized pages fail, paging reads all",
          "[live][paging]") {
  auto options = generated_options();
  options.ppolicy_locks = false;  // this server runs without the ppolicy overlay
  GeneratedLdif ldif(options, "gen5k-limited");
  SlapdServer server(
      SlapdConfig{ldif.path,
                  {},
                  {"sizelimit size.soft=1000 size.hard=1000 size.pr=1000 size.prtotal=unlimited"},
                  true});
  auto dir = connect_reader(server);

  auto unpaged = collect(*dir, people_search(server, "(objectClass=inetOrgPerson)", {"uid"}, 0));
  REQUIRE_FALSE(unpaged.result);
  CHECK(unpaged.result.error().failure == LdapFailure::Incomplete);
  CHECK(unpaged.result.error().result_code == 4);
  CHECK(unpaged.result.error().error.message ==
        "LDAP search stopped by a server limit after 1000 entries");
  CHECK(unpaged.result.error().error.detail.rfind("Size limit exceeded (4)", 0) == 0);

  auto oversized =
      collect(*dir, people_search(server, "(objectClass=inetOrgPerson)", {"uid"}, 2000));
  REQUIRE_FALSE(oversized.result);
  CHECK(oversized.result.error().failure == LdapFailure::Incomplete);
  CHECK(oversized.result.error().result_code == 11);

  auto paged = collect(*dir, people_search(server, "(objectClass=inetOrgPerson)", {"uid"}, 1000));
  REQUIRE(paged.result);
  CHECK(paged.result->entries == kEmployees);
}

TEST_CASE("filter values are escaped: metacharacters and NUL match literally", "[live][filter]") {
  auto dir = connect_reader(generated_server());
  const auto target = ldapgen::make_employee(generated_options(), 25);
  REQUIRE(target.cn == "Star*(Paren)\\Back 000025");

  auto exact =
      collect(*dir, people_search(generated_server(), equality_filter("cn", target.cn), {"cn"}));
  REQUIRE(exact.result);
  REQUIRE(exact.entries.size() == 1);
  CHECK(canonical_dn(exact.entries[0].dn) == canonical_dn(target.dn));

  // The same text pasted raw is a substring filter matching other entries.
  auto raw = collect(*dir, people_search(generated_server(), "(cn=Star*)", {"cn"}));
  REQUIRE(raw.result);
  CHECK(raw.entries.size() == kEmployees / 50);

  auto star = collect(*dir, people_search(generated_server(), equality_filter("cn", "*"), {"cn"}));
  REQUIRE(star.result);
  CHECK(star.entries.empty());

  using namespace std::string_literals;
  const auto one = ldapgen::make_employee(generated_options(), 1);
  auto nul = collect(
      *dir, people_search(generated_server(), equality_filter("cn", one.cn + "\0"s), {"cn"}));
  REQUIRE(nul.result);
  CHECK(nul.entries.empty());

  auto injection =
      collect(*dir, people_search(generated_server(), equality_filter("uid", "x)(uid=*"), {"uid"}));
  REQUIRE(injection.result);
  CHECK(injection.entries.empty());
}

TEST_CASE("a malformed filter and a missing base are typed errors", "[live][filter]") {
  auto dir = connect_reader(generated_server());
  auto bad = collect(*dir, people_search(generated_server(), "(cn=unclosed", {}));
  REQUIRE_FALSE(bad.result);
  CHECK(bad.result.error().failure == LdapFailure::BadRequest);

  SearchRequest missing;
  missing.base_dn = "ou=Nowhere," + generated_server().base_dn();
  auto none = collect(*dir, missing);
  REQUIRE_FALSE(none.result);
  CHECK(none.result.error().failure == LdapFailure::NoSuchObject);
  CHECK(none.result.error().error.kind == ErrorKind::NotFound);
}

TEST_CASE("every generated employee reads back exactly: UTF-8, multi-values, photos, managers",
          "[live][data]") {
  auto dir = connect_reader(generated_server());
  const auto options = generated_options();
  std::size_t photos = 0, checked = 0;
  auto stats = dir->search(
      people_search(generated_server(), "(objectClass=inetOrgPerson)"),
      [&](const LdapEntry& e) -> Status {
        const auto expected = ldapgen::make_employee(options, index_of(e));
        CHECK(canonical_dn(e.dn) == canonical_dn(expected.dn));
        CHECK(e.first("cn") == expected.cn);
        CHECK(e.first("sn") == expected.sn);
        CHECK(e.first("givenName") == expected.given_name);
        CHECK(e.first("ou") == expected.department);
        CHECK(e.first("title") == expected.title);
        CHECK(as_set(e.find("mail")) ==
              std::set<std::string>(expected.mails.begin(), expected.mails.end()));
        CHECK(as_set(e.find("telephoneNumber")) ==
              std::set<std::string>(expected.phones.begin(), expected.phones.end()));
        if (expected.manager_dn) {
          REQUIRE(e.first("manager"));
          CHECK(canonical_dn(*e.first("manager")) == canonical_dn(*expected.manager_dn));
        }
        CHECK(e.first("jpegPhoto") == expected.photo);
        if (expected.photo) ++photos;
        ++checked;
        return {};
      });
  REQUIRE(stats);
  CHECK(checked == kEmployees);
  CHECK(photos == kEmployees / options.photo_every);
}

TEST_CASE("escaped DNs round-trip: the server's spelling parses, compares and works as a base",
          "[live][dn]") {
  auto dir = connect_reader(generated_server());
  const auto five = ldapgen::make_employee(generated_options(), 5);
  REQUIRE(five.dn.find("\\,") != std::string::npos);
  auto found =
      collect(*dir, people_search(generated_server(), equality_filter("uid", five.uid), {"cn"}));
  REQUIRE(found.result);
  REQUIRE(found.entries.size() == 1);
  auto parsed = parse_dn(found.entries[0].dn);
  REQUIRE(parsed);
  CHECK(parsed->rdns()[0].avas[0].value == five.cn);

  SearchRequest base;
  base.base_dn = parsed->to_string();
  base.scope = SearchScope::Base;
  base.attributes = {"uid"};
  auto again = collect(*dir, base);
  REQUIRE(again.result);
  REQUIRE(again.entries.size() == 1);
  CHECK(again.entries[0].first("uid") == five.uid);
}

TEST_CASE("OpenLDAP lock signals read from the server", "[live][disabled]") {
  auto dir = connect_reader(generated_server());
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  std::map<DisabledReason, std::size_t> counts;
  auto stats = dir->search(
      people_search(generated_server(), "(objectClass=inetOrgPerson)",
                    {"employeeNumber", "pwdAccountLockedTime", "nsAccountLock", "shadowExpire"}),
      [&](const LdapEntry& e) -> Status {
        auto reason = openldap_disabled_reason(
            {e.first("pwdAccountLockedTime"), e.first("nsAccountLock"), e.first("shadowExpire")},
            now);
        if (!reason) return std::unexpected(reason.error());
        const std::size_t i = index_of(e);
        const DisabledReason expected = i % 97 == 3   ? DisabledReason::ShadowExpired
                                        : i % 97 == 5 ? DisabledReason::PermanentlyLocked
                                        : i % 97 == 7 ? DisabledReason::PasswordPolicyLocked
                                                      : DisabledReason::None;
        CHECK(*reason == expected);
        ++counts[*reason];
        return {};
      });
  REQUIRE(stats);
  CHECK(counts[DisabledReason::ShadowExpired] > 0);
  CHECK(counts[DisabledReason::PermanentlyLocked] > 0);
  CHECK(counts[DisabledReason::PasswordPolicyLocked] > 0);
}

TEST_CASE("nested groups from the server expand, and the cycle is reported", "[live][groups]") {
  auto dir = connect_reader(generated_server());
  SearchRequest groups;
  groups.base_dn = "ou=Groups," + generated_server().base_dn();
  groups.filter = "(objectClass=groupOfNames)";
  groups.attributes = {"member"};
  GroupGraph graph;
  auto stats = dir->search(groups, [&](const LdapEntry& e) -> Status {
    Strings members;
    if (const auto* m = e.find("member")) {
      for (const auto& dn : *m) members.push_back(canonical_dn(dn));
    }
    graph.add_group(canonical_dn(e.dn), members);
    return {};
  });
  REQUIRE(stats);
  const std::string groups_base = "ou=groups," + canonical_dn(generated_server().base_dn());
  auto all = graph.expand("cn=all-staff," + groups_base);
  CHECK(all.members.size() == kEmployees);
  CHECK(all.nested_groups.size() == 20);
  CHECK(all.cycles.empty());
  auto cycle = graph.expand("cn=cycle-a," + groups_base);
  CHECK(cycle.members.size() == 2);
  REQUIRE(cycle.cycles.size() == 1);
  CHECK(cycle.cycles[0] == Strings{"cn=cycle-a," + groups_base, "cn=cycle-b," + groups_base,
                                   "cn=cycle-a," + groups_base});
}

TEST_CASE("an error from the entry callback abandons the search", "[live][paging]") {
  auto dir = connect_reader(generated_server());
  std::size_t calls = 0;
  auto result =
      dir->search(people_search(generated_server(), "(objectClass=inetOrgPerson)", {"uid"}),
                  [&](const LdapEntry& e) -> Status {
                    if (++calls == 3) return fail(ErrorKind::Validation, "bad entry", e.dn);
                    return {};
                  });
  REQUIRE_FALSE(result);
  CHECK(result.error().failure == LdapFailure::Consumer);
  CHECK(result.error().error.message == "bad entry");
  CHECK(calls == 3);
  // The connection stays usable after the abandon.
  auto next =
      collect(*dir, people_search(generated_server(), equality_filter("uid", "e000001"), {"uid"}));
  REQUIRE(next.result);
  CHECK(next.entries.size() == 1);
}
