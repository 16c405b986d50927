#include <catch2/catch.hpp>

#include "core/sync/desired.hpp"
#include "memory_photo_store.hpp"

using namespace daoctl::sync;
using daoctl::hr::SourceRecord;
using daoctl::mapping::Value;

namespace {

LoadOptions today_is(const char* date) {
  LoadOptions o;
  o.today = date;
  return o;
}

SourceRecord record(std::string origin, std::vector<std::pair<std::string, std::vector<std::string>>> fields) {
  SourceRecord r;
  r.origin = std::move(origin);
  for (auto& [name, values] : fields) {
    auto& f = r.field(name);
    f.values = values;
  }
  return r;
}

JobSpec job_from(const char* yaml) {
  auto job = load_job(yaml, "sync.yaml", today_is("2026-11-26"));
  INFO((job ? std::string() : job.error().detail));
  REQUIRE(job);
  return std::move(*job);
}

const char* kJob = R"(version: 1
name: nightly
sources:
  ad:
    type: ldap
    url: ldap://127.0.0.1:1
    base_dn: dc=corp,dc=example
  hr:
    type: csv
    path: hr.csv
    key: tab
    dates: dd.MM.yyyy
join:
  - hr.tab = ad.employeeNumber
mapping:
  externalId: "{ad.entryUUID}"
  userName: "{ad.uid | lower}"
  displayName: "{hr.last} {hr.first}"
  department: "{hr.dept}"
  manager: "{ad.manager}"
  skills: "{hr.skills | split(',') | trim}"
  active: "{not ad.disabled and not hr.fired}"
groups:
  from: ad.memberOf
  include: ["cn=intranet-*,ou=groups,dc=corp,dc=example"]
)";

}  // namespace

TEST_CASE("sources are joined, mapped, managers resolved by DN and groups filtered") {
  JobSpec job = job_from(kJob);
  SourceRecords data;
  data["ad"] = {
      record("ldap:1", {{"dn", {"uid=Boss,ou=People,dc=corp,dc=example"}}, {"entryUUID", {"u-boss"}},
                        {"uid", {"Boss"}}, {"employeeNumber", {"1"}}, {"disabled", {"false"}}}),
      record("ldap:2", {{"dn", {"uid=ivanov,ou=People,dc=corp,dc=example"}}, {"entryUUID", {"u-ivanov"}},
                        {"uid", {"IVANOV"}}, {"employeeNumber", {"2"}}, {"disabled", {"false"}},
                        {"manager", {"UID=boss, OU=people,DC=corp,DC=example"}},
                        {"memberOf", {"cn=intranet-admins,ou=Groups,dc=corp,dc=example",
                                      "cn=vpn-users,ou=Groups,dc=corp,dc=example"}}}),
      record("ldap:3", {{"dn", {"uid=fired,ou=People,dc=corp,dc=example"}}, {"entryUUID", {"u-fired"}},
                        {"uid", {"fired"}}, {"employeeNumber", {"3"}}, {"disabled", {"true"}}}),
  };
  data["hr"] = {
      record("hr.csv:2", {{"tab", {"2"}}, {"last", {"Иванов"}}, {"first", {"Иван"}},
                          {"dept", {"Company/IT"}}, {"skills", {"C++, SQL"}}, {"fired", {}}}),
  };
  auto set = build_desired(job, data);
  CHECK(set.warnings.empty());
  REQUIRE(set.users.size() == 3);
  const DesiredUser& ivanov = set.users[1];
  CHECK(ivanov.external_id == "u-ivanov");
  CHECK(ivanov.user_name == "ivanov");
  CHECK(ivanov.fields.at("displayName") == Value("Иванов Иван"));
  CHECK(ivanov.fields.at("department") == Value("Company/IT"));
  CHECK(ivanov.fields.at("skills") == Value(daoctl::mapping::List{"C++", "SQL"}));
  CHECK(ivanov.fields.at("manager") == Value("u-boss"));  // DN compared canonically
  CHECK(ivanov.groups == std::vector<std::string>{"intranet-admins"});
  CHECK(ivanov.active);
  CHECK_FALSE(set.users[2].active);
  CHECK(set.users[0].fields.count("displayName") == 0);  // no HR record: null, not " "
}

TEST_CASE("records that cannot be mapped are skipped with a warning naming their origin") {
  JobSpec job = job_from(kJob);
  SourceRecords data;
  data["ad"] = {record("ldap:9", {{"dn", {"uid=x,dc=corp,dc=example"}}, {"uid", {"x"}}})};
  auto set = build_desired(job, data);
  CHECK(set.users.empty());
  CHECK(set.skipped == 1);
  REQUIRE(set.warnings.size() == 1);
  CHECK(set.warnings[0].object == "ldap:9");
  CHECK(set.warnings[0].message == "mapping.externalId is empty; employee not synced");
}

TEST_CASE("an HR key used twice joins the record duplicates: picks, and the warning names the person") {
  // Both rows active and undated: prefer_active takes the later one. (It
  // used to join neither, so a rehire lost every HR field.)
  JobSpec job = job_from(kJob);
  SourceRecords data;
  data["ad"] = {record("ldap:1", {{"dn", {"uid=a,dc=corp,dc=example"}}, {"entryUUID", {"a"}},
                                  {"uid", {"a"}}, {"employeeNumber", {"7"}},
                                  {"memberOf", {"cn=vpn,ou=groups,dc=corp,dc=example"}}})};
  data["hr"] = {record("hr.csv:2", {{"tab", {"7"}}, {"last", {"One"}}}),
                record("hr.csv:3", {{"tab", {"7"}}, {"last", {"Two"}}})};
  auto set = build_desired(job, data);
  REQUIRE(set.users.size() == 1);
  CHECK(set.users[0].fields.at("displayName") == Value("Two "));  // "{hr.last} {hr.first}", no first name
  REQUIRE(set.warnings.size() == 1);
  CHECK(set.warnings[0].object == "user a (ldap:1)");
  CHECK(set.warnings[0].message ==
        "2 records of hr have tab '7' (hr.csv:2 active, hr.csv:3 active); joined hr.csv:3: the later record "
        "(duplicates: prefer_active)");
}

TEST_CASE("group patterns match the DN or the group's name") {
  const char* yaml = R"(version: 1
name: nightly
sources:
  ad: {type: ldap, url: "ldap://x", base_dn: "dc=x"}
mapping:
  externalId: "{ad.id}"
  userName: "{ad.uid}"
groups:
  from: ad.memberOf
  include: ["intranet-*"]
  exclude: ["CN=intranet-old,*"]
)";
  JobSpec job = job_from(yaml);
  SourceRecords data;
  data["ad"] = {record("ldap:1", {{"dn", {"uid=a,dc=x"}}, {"id", {"a"}}, {"uid", {"a"}},
                                  {"memberOf", {"CN=intranet-admins,OU=Groups,DC=x", "CN=intranet-old,OU=Groups,DC=x",
                                                "CN=vpn,OU=Groups,DC=x"}}})};
  auto set = build_desired(job, data);
  REQUIRE(set.users.size() == 1);
  CHECK(set.users[0].groups == std::vector<std::string>{"intranet-admins"});
}

TEST_CASE("glob patterns match case-insensitively") {
  CHECK(glob_match("CN=intranet-*,OU=Groups,DC=corp,DC=example",
                   "cn=intranet-admins,ou=groups,dc=corp,dc=example"));
  CHECK_FALSE(glob_match("cn=intranet-*", "cn=vpn"));
  CHECK(glob_match("team-?", "TEAM-A"));
}

TEST_CASE("desired photos move into the store as users are mapped") {
  JobSpec job = job_from(R"(version: 1
name: photos
sources:
  ad:
    type: ldap
    url: ldap://127.0.0.1:1
    base_dn: dc=corp,dc=example
mapping:
  externalId: "{ad.entryUUID}"
  userName: "{ad.uid}"
  photo: "{ad.jpegPhoto}"
)");
  const std::string jpeg("\xFF\xD8\xFF\xE0 a photo", 13);
  SourceRecords data;
  data["ad"] = {record("ldap:1", {{"entryUUID", {"u1"}}, {"uid", {"one"}}, {"jpegPhoto", {jpeg}}}),
                record("ldap:2", {{"entryUUID", {"u2"}}, {"uid", {"two"}}}),
                record("ldap:3", {{"entryUUID", {"u3"}}, {"uid", {"three"}}, {"jpegPhoto", {jpeg + "!"}}})};
  SECTION("kept on the store") {
    testing::MemoryPhotoStore store;
    auto set = build_desired(job, data, &store);
    CHECK(set.warnings.empty());
    REQUIRE(set.users.size() == 3);
    REQUIRE(set.users[0].stored_photo);
    CHECK(set.users[0].fields.count("photo") == 0);  // the bytes are not held twice
    CHECK(set.users[0].stored_photo->sha256 == photo_sha256(jpeg));
    CHECK(store.get(*set.users[0].stored_photo).value() == jpeg);
    CHECK_FALSE(set.users[1].stored_photo);  // no photo, nothing stored
    REQUIRE(set.users[2].stored_photo);
    CHECK(store.get(*set.users[2].stored_photo).value() == jpeg + "!");
    CHECK(store.puts == 2);
  }
  SECTION("a failing store leaves the photos in memory with one warning") {
    testing::MemoryPhotoStore store;
    store.full = true;
    auto set = build_desired(job, data, &store);
    REQUIRE(set.warnings.size() == 1);
    CHECK(set.warnings[0].message.find("No space left on device") != std::string::npos);
    CHECK(store.puts == 1);  // dropped after the first failure
    REQUIRE(set.users.size() == 3);
    CHECK_FALSE(set.users[0].stored_photo);
    CHECK(set.users[0].fields.at("photo") == Value(jpeg));
    CHECK(set.users[2].fields.at("photo") == Value(jpeg + "!"));
  }
}
