// The uSNChanged change read (connectors/ldap/ad_changes.hpp) over a fake
// directory that records the searches it is asked for: the order (what
// changed, then who is still an employee), the filters, and the cookie
// rules. tests/e2e/sync_ad_incremental.sh runs the same against Samba AD.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "connectors/ldap/ad_changes.hpp"
#include "core/ldap/ad_binary.hpp"

using namespace daoctl;
using namespace daoctl::ldap;

namespace {

std::string guid(int n) {
  return parse_object_guid(fmt::format("{:08x}-0000-0000-0000-000000000000", n)).value();
}

struct FakeAd final : LdapDirectory {
  std::vector<SearchRequest> asked;
  std::vector<int> changed;   // GUIDs with uSNChanged past the cookie (tombstones too)
  std::vector<int> employees; // GUIDs the job's search still finds among them
  bool root = true;        // the rootDSE has AD's attributes
  bool syncprov = false;   // the rootDSE lists RFC 4533's control, as slapd with syncprov does
  bool root_fails = false; // the rootDSE cannot be read
  int root_reads = 0;
  LdapResult<SearchStats> search(const SearchRequest& r, const EntryCallback& on_entry) override {
    asked.push_back(r);
    SearchStats stats;
    if (r.base_dn.empty()) {
      ++root_reads;
      if (root_fails) {
        Error e;
        e.kind = ErrorKind::Remote;
        e.message = "no rootDSE";
        return std::unexpected(LdapError{LdapFailure::Network, 0, e});
      }
      if (syncprov) {
        LdapEntry e;
        e.attributes = {{"supportedControl", {"1.2.840.113556.1.4.319", "1.3.6.1.4.1.4203.1.9.1.1"}}};
        if (auto st = on_entry(e); !st) return std::unexpected(LdapError{LdapFailure::Consumer, 0, st.error()});
        return stats;
      }
    }
    auto give = [&](int n, std::string dn) -> Status {
      LdapEntry e;
      e.dn = std::move(dn);
      e.attributes.push_back({"objectGUID", {guid(n)}});
      ++stats.entries;
      return on_entry(e);
    };
    if (r.base_dn.empty()) {
      if (!root) return stats;
      LdapEntry e;
      e.attributes = {{"highestCommittedUSN", {"4242"}},
                      {"dsServiceName", {"CN=NTDS Settings,CN=DC1,CN=Servers,CN=Site,CN=Sites,CN=Configuration,DC=x"}},
                      {"defaultNamingContext", {"DC=x"}}};
      if (auto st = on_entry(e); !st) return std::unexpected(LdapError{LdapFailure::Consumer, 0, st.error()});
      return stats;
    }
    for (int n : r.base_dn == "DC=x" ? changed : employees)
      if (auto st = give(n, fmt::format("CN=u{},OU=Staff,DC=x", n)); !st)
        return std::unexpected(LdapError{LdapFailure::Consumer, 0, st.error()});
    return stats;
  }
};

const auto kNow = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));

}  // namespace

TEST_CASE("uSNChanged: what changed is listed before who is still an employee", "[ad]") {
  FakeAd ad;
  auto root = read_ad_root(ad, "ldap://dc");
  REQUIRE(root);
  CHECK(root->usn == "4242");
  SearchRequest job;
  job.base_dn = "OU=Staff,DC=x";
  job.filter = "(objectClass=user)";
  job.attributes = {"sAMAccountName"};
  std::vector<std::string> delivered, deleted;
  auto on_entry = [&](LdapEntry&, std::string_view uuid) -> Status {
    delivered.emplace_back(uuid);
    return {};
  };
  auto on_delete = [&](std::string_view uuid) -> Status {
    deleted.emplace_back(uuid);
    return {};
  };

  SECTION("no cookie: one search of the job, objectGUID added, a cookie from the rootDSE") {
    ad.employees = {1, 2};
    auto r = usn_content_sync(ad, *root, "ldap://dc", job, "", on_entry, on_delete, kNow);
    REQUIRE(r);
    CHECK(r->cookie == "usn;4242;" + root->service + ";1800000000");
    CHECK(r->entries == 2);
    REQUIRE(ad.asked.size() == 2);
    CHECK(ad.asked[1].filter == "(objectClass=user)");
    CHECK(ad.asked[1].attributes == std::vector<std::string>{"sAMAccountName", "objectGUID"});
    CHECK(deleted.empty());
  }
  SECTION("a cookie: changed GUIDs (tombstones too), then the job's changed entries; the rest are gone") {
    ad.changed = {1, 2, 3};
    ad.employees = {2};
    const std::string cookie = "usn;100;" + root->service + ";1799990000";
    auto r = usn_content_sync(ad, *root, "ldap://dc", job, cookie, on_entry, on_delete, kNow);
    REQUIRE(r);
    REQUIRE(ad.asked.size() == 3);
    CHECK(ad.asked[1].base_dn == "DC=x");
    CHECK(ad.asked[1].filter == "(uSNChanged>=101)");
    CHECK(ad.asked[1].show_deleted);
    CHECK(ad.asked[2].filter == "(&(objectClass=user)(uSNChanged>=101))");
    CHECK_FALSE(ad.asked[2].show_deleted);
    CHECK(delivered == std::vector<std::string>{format_object_guid(guid(2)).value()});
    CHECK(deleted == std::vector<std::string>{format_object_guid(guid(1)).value(), format_object_guid(guid(3)).value()});
    CHECK(r->deletes == 2);
    CHECK(r->cookie.starts_with("usn;4242;"));
  }
  SECTION("another DC's cookie, or one older than the tombstones, is stale: nothing is read") {
    for (const std::string& cookie : std::vector<std::string>{"usn;100;CN=NTDS Settings,CN=DC2,CN=Servers,CN=Site,CN=Sites,CN=Configuration,DC=x;1799990000",
                                     "usn;100;" + root->service + ";1700000000"}) {
      ad.asked.clear();
      auto r = usn_content_sync(ad, *root, "ldap://dc", job, cookie, on_entry, on_delete, kNow);
      REQUIRE(r);
      CHECK(r->stale);
      CHECK(ad.asked.empty());
    }
  }
  SECTION("a cookie that is not an AD one is an error naming it") {
    auto r = usn_content_sync(ad, *root, "ldap://dc", job, "usn;x;y", on_entry, on_delete, kNow);
    REQUIRE_FALSE(r);
    CHECK(r.error().error.detail == "cookie: usn;x;y");
  }
}

TEST_CASE("uSNChanged: a directory without highestCommittedUSN cannot follow changes", "[ad]") {
  FakeAd ad;
  ad.root = false;
  auto root = read_ad_root(ad, "ldap://slapd");
  REQUIRE_FALSE(root);
  CHECK(root.error().failure == LdapFailure::BadRequest);
  CHECK(root.error().error.hint.find("syncprov") != std::string::npos);
}

TEST_CASE("choose_change_read: one rootDSE read at most decides RFC 4533 or uSNChanged", "[ad]") {
  FakeAd ad;
  SECTION("no cookie, Active Directory: uSNChanged, with the DC's USN from that one read") {
    auto how = choose_change_read(ad, "ldap://dc", "");
    REQUIRE(how);
    CHECK(how->usn);
    CHECK(how->root.usn == "4242");
    CHECK(ad.root_reads == 1);
    REQUIRE(ad.asked.size() == 1);
    CHECK(std::find(ad.asked[0].attributes.begin(), ad.asked[0].attributes.end(), "supportedControl") !=
          ad.asked[0].attributes.end());
  }
  SECTION("no cookie, slapd with syncprov: RFC 4533") {
    ad.syncprov = true;
    auto how = choose_change_read(ad, "ldap://slapd", "");
    REQUIRE(how);
    CHECK_FALSE(how->usn);
    CHECK(ad.root_reads == 1);
  }
  SECTION("an RFC 4533 cookie: no rootDSE read") {
    auto how = choose_change_read(ad, "ldap://slapd", "rid=000,csn=20261207");
    REQUIRE(how);
    CHECK_FALSE(how->usn);
    CHECK(ad.root_reads == 0);
  }
  SECTION("a usn cookie: one read, uSNChanged") {
    auto how = choose_change_read(ad, "ldap://dc", "usn;100;x;1799990000");
    REQUIRE(how);
    CHECK(how->usn);
    CHECK(ad.root_reads == 1);
  }
  SECTION("no cookie and no rootDSE: RFC 4533, whose search says what is wrong") {
    ad.root_fails = true;
    auto how = choose_change_read(ad, "ldap://x", "");
    REQUIRE(how);
    CHECK_FALSE(how->usn);
  }
  SECTION("a usn cookie and no rootDSE: the read's error") {
    ad.root_fails = true;
    auto how = choose_change_read(ad, "ldap://dc", "usn;100;x;1799990000");
    REQUIRE_FALSE(how);
    CHECK(how.error().error.message == "no rootDSE");
  }
  SECTION("no cookie, neither RFC 4533 nor AD: the error naming syncprov") {
    ad.root = false;
    auto how = choose_change_read(ad, "ldap://slapd", "");
    REQUIRE_FALSE(how);
    CHECK(how.error().error.hint.find("syncprov") != std::string::npos);
    CHECK(ad.root_reads == 1);
  }
}
