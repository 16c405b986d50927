#include <catch2/catch.hpp>

#include "core/sync/job.hpp"

using namespace daoctl::sync;

namespace {

LoadOptions today_is(const char* date) {
  LoadOptions o;
  o.today = date;
  return o;
}
const char* kGood = R"(version: 1
name: nightly
sources:
  ad:
    type: ldap
    url: ldap://127.0.0.1:3890
    base_dn: ou=People,dc=corp,dc=example
  hr:
    type: csv
    path: hr.csv
    key: "Табельный номер"
    dates: dd.MM.yyyy
join:
  - hr."Табельный номер" = ad.employeeNumber
mapping:
  externalId: "{ad.entryUUID}"
  userName: "{ad.uid | lower}"
  displayName: "{hr.Фамилия} {hr.Имя}"
  active: "{not ad.disabled and not hr.'Дата увольнения'}"
groups:
  from: ad.memberOf
  include: ["cn=intranet-*,ou=Groups,dc=corp,dc=example"]
apply:
  concurrency: 16
  rate_limit: 50/s
)";
}  // namespace

TEST_CASE("a good job loads with sources in file order and compiled mappings") {
  auto job = load_job(kGood, "sync.yaml", today_is("2026-11-26"));
  REQUIRE(job);
  CHECK(job->name == "nightly");
  REQUIRE(job->sources.size() == 2);
  CHECK(job->sources[0].name == "ad");
  CHECK(job->sources[0].key == "dn");
  CHECK(job->sources[1].key == "Табельный номер");
  CHECK(job->primary == "ad");
  REQUIRE(job->joins.size() == 1);
  CHECK(job->joins[0].left_source == "ad");
  CHECK(job->joins[0].left_field == "employeeNumber");
  CHECK(job->joins[0].right_source == "hr");
  CHECK(job->joins[0].right_field == "Табельный номер");
  CHECK(job->concurrency == 16);
  CHECK(job->rate_limit == 50.0);
  CHECK(job->managed_by() == "daoctl:nightly");
  REQUIRE(job->groups);
  CHECK(job->groups->from.field == "memberOf");
  auto hr_fields = job->fields_of("hr");
  CHECK(std::find(hr_fields.begin(), hr_fields.end(), "Дата увольнения") != hr_fields.end());
  CHECK(job->template_for("displayName") != nullptr);
}

TEST_CASE("every problem of a bad job is reported with file:line:column") {
  const char* bad = R"(version: 1
name: nightly
sources:
  ad:
    type: ldap
    url: ldap://x
    base_dn: dc=x
    colour: blue
mapping:
  externalId: "{ad.entryUUID}"
  userName: "{ad.uid | lowr}"
apply:
  concurrency: 0
)";
  auto job = load_job(bad, "jobs/sync.yaml", today_is("2026-11-26"));
  REQUIRE_FALSE(job);
  CHECK(job.error().kind == daoctl::ErrorKind::Config);
  const std::string& d = job.error().detail;
  INFO(d);
  CHECK(d.find("jobs/sync.yaml:13:16: /apply/concurrency") != std::string::npos);
  CHECK(d.find("jobs/sync.yaml:8:5: unknown key 'colour'") != std::string::npos);
  CHECK(d.find("base_dn") == std::string::npos);  // known properties of the type are fine
}

TEST_CASE("mapping errors point into the expression") {
  const char* bad = R"(version: 1
name: nightly
sources:
  ad: {type: ldap, url: "ldap://x", base_dn: "dc=x"}
mapping:
  externalId: "{ad.entryUUID}"
  userName: "{ad.uid | lowr}"
)";
  auto job = load_job(bad, "sync.yaml", today_is("2026-11-26"));
  REQUIRE_FALSE(job);
  INFO(job.error().detail);
  CHECK(job.error().detail.find("sync.yaml:7:") != std::string::npos);
  CHECK(job.error().detail.find("lowr") != std::string::npos);
}

TEST_CASE("joins must connect every source to the primary") {
  const char* bad = R"(version: 1
name: nightly
sources:
  ad: {type: ldap, url: "ldap://x", base_dn: "dc=x"}
  hr: {type: csv, path: hr.csv, key: id}
mapping:
  externalId: "{ad.entryUUID}"
  userName: "{ad.uid}"
)";
  auto job = load_job(bad, "sync.yaml", today_is("2026-11-26"));
  REQUIRE_FALSE(job);
  CHECK(job.error().detail.find("source 'hr' is not joined to 'ad'") != std::string::npos);
}

TEST_CASE("a photo mapped for a plain SCIM target is refused with its position") {
  const char* job_text = R"(version: 1
name: nightly
target: scim
sources:
  ad:
    type: ldap
    url: ldap://x
    base_dn: dc=x
mapping:
  externalId: "{ad.entryUUID}"
  userName: "{ad.uid}"
  photo: "{ad.thumbnailPhoto}"
)";
  auto job = load_job(job_text, "scim.yaml", today_is("2026-11-26"));
  REQUIRE_FALSE(job);
  CHECK(job.error().kind == daoctl::ErrorKind::Config);
  INFO(job.error().detail);
  CHECK(job.error().detail.find("scim.yaml:12:10: /mapping/photo: target scim cannot take photos") !=
        std::string::npos);
  std::string platform_text = job_text;
  platform_text.replace(platform_text.find("target: scim"), 12, "target: platform");
  CHECK(load_job(platform_text, "platform.yaml", today_is("2026-11-26")));
}

TEST_CASE("an unknown key is named at its own line and column with the nearest known key") {
  // The misspelled key's value is a block that starts on the next line: the
  // error must point at the key, not one line below, and speak of keys.
  const char* bad = R"(version: 1
name: nightly
sources:
  ad:
    type: ldap
    url: ldap://x
    base_dn: dc=x
    basedn: dc=y
mappings:
  externalId: "{ad.entryUUID}"
  userName: "{ad.uid}"
apply:
    concurency: 4
)";
  auto job = load_job(bad, "jobs/sync.yaml", today_is("2026-11-26"));
  REQUIRE_FALSE(job);
  const std::string& d = job.error().detail;
  INFO(d);
  CHECK(d.find("jobs/sync.yaml:9:1: unknown key 'mappings' (did you mean 'mapping'?)") != std::string::npos);
  CHECK(d.find("jobs/sync.yaml:8:5: unknown key 'basedn' (did you mean 'base_dn'?)") != std::string::npos);
  CHECK(d.find("jobs/sync.yaml:13:5: unknown key 'concurency' (did you mean 'concurrency'?)") != std::string::npos);
  CHECK(d.find("additionalProperties") == std::string::npos);
  CHECK(d.find("jobs/sync.yaml:10:") == std::string::npos);  // not the value's line
}

TEST_CASE("an unknown key in a JSON job is found at its key too") {
  const char* bad = "{\"version\": 1, \"name\": \"n\",\n \"sources\": {\"ad\": {\"type\": \"ldap\", \"url\": \"ldap://x\", \"base_dn\": \"dc=x\"}},\n"
                    " \"mapping\": {\"externalId\": \"{ad.entryUUID}\", \"userName\": \"{ad.uid}\"},\n"
                    " \"safty\": {}}\n";
  auto job = load_job(bad, "job.json", today_is("2026-11-26"));
  REQUIRE_FALSE(job);
  INFO(job.error().detail);
  CHECK(job.error().detail.find("job.json:4:2: unknown key 'safty' (did you mean 'safety'?)") != std::string::npos);
}
