// `sync validate` knows a source's fields without reading data when the job
// declares them: CSV columns:, an LDAP or JSON source's fields: (an LDAP
// source's attributes: keeps its meaning: extra attributes to ask for, which
// need not be all the job names). A name the job uses that is not declared is an error naming the
// field, where the job names it (file:line:column) and the nearest names.
// Also: mapping parse errors point at the column of the error in the file.
#include <catch2/catch.hpp>

#include "core/sync/job.hpp"

using namespace daoctl::sync;

namespace {

daoctl::Result<JobSpec> load(const std::string& yaml) {
  LoadOptions o;
  o.today = "2026-12-06";
  return load_job(yaml, "sync.yaml", o);
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

const char* kLdapJob = R"(version: 1
name: dir
sources:
  ad:
    type: ldap
    url: ldap://127.0.0.1:1
    base_dn: dc=corp
    key: entryUUID
    fields: [entryUUID, uid, mail, telephoneNumber, memberOf, manager]
mapping:
  externalId: "{ad.entryUUID}"
  userName: "{ad.uid}"
  email: "{ad.mial or ad.Mail}"
  phone: "{ad.telephoneNumber}"
  active: "{not ad.disabled}"
groups:
  from: ad.memberOf
)";

}  // namespace

TEST_CASE("an LDAP source's fields: are the names its expressions may use") {
  auto job = load(kLdapJob);
  REQUIRE_FALSE(job);
  INFO(job.error().detail);
  // `{ad.mial or ad.Mail}`: the scalar's quote is column 10, `{` 11, ad 12.
  CHECK(contains(job.error().detail,
                 "sync.yaml:13:12: mapping.email names ad.'mial', which its fields: lacks; nearest: 'mail'"));
  // Attribute names are case-insensitive in LDAP: ad.Mail is mail.
  CHECK_FALSE(contains(job.error().detail, "'Mail'"));
  // disabled, dn and the account state are always there.
  CHECK_FALSE(contains(job.error().detail, "'disabled'"));
}

TEST_CASE("an LDAP source with attributes: but no fields: is checked on the entries read, not at load") {
  std::string yaml = kLdapJob;
  yaml.replace(yaml.find("    fields:"), yaml.find("mapping:") - yaml.find("    fields:"), "    attributes: [memberOf]\n");
  auto job = load(yaml);
  INFO((job ? std::string() : job.error().detail));
  REQUIRE(job);
}

TEST_CASE("the account state attributes need not be listed") {
  std::string yaml = kLdapJob;
  yaml.replace(yaml.find("{ad.mial or ad.Mail}"), std::string("{ad.mial or ad.Mail}").size(),
               "{ad.mail}");
  yaml.replace(yaml.find("{not ad.disabled}"), std::string("{not ad.disabled}").size(),
               "{not ad.disabled and not ad.pwdAccountLockedTime and ad.dn}");
  auto job = load(yaml);
  INFO((job ? std::string() : job.error().detail));
  REQUIRE(job);
}

TEST_CASE("a JSON source's fields: are checked when the job loads") {
  const char* yaml = R"(version: 1
name: hrjson
sources:
  hr:
    type: json
    path: staff.json
    key: id
    fields: [id, login, "Фамилия", "Дата приема", fired]
mapping:
  externalId: "{hr.id}"
  userName: "{hr.login}"
  displayName: "{hr.Фамилия}"
  hireDate: "{hr.'Дата приёма' | date('dd.MM.yyyy')}"
  active: "{not hr.fired}"
)";
  auto job = load(yaml);
  REQUIRE_FALSE(job);
  INFO(job.error().detail);
  CHECK(contains(job.error().detail,
                 "sync.yaml:13:15: mapping.hireDate names hr.'Дата приёма', which its fields: lacks; nearest: 'Дата приема'"));
  // Only that one.
  CHECK(job.error().detail.find("names hr.") == job.error().detail.rfind("names hr."));
}

TEST_CASE("a JSON source without fields: loads, its records are checked at plan time") {
  const char* yaml = R"(version: 1
name: hrjson
sources:
  hr:
    type: json
    path: staff.json
    key: id
mapping:
  externalId: "{hr.id}"
  userName: "{hr.logn}"
)";
  auto job = load(yaml);
  INFO((job ? std::string() : job.error().detail));
  REQUIRE(job);
}

TEST_CASE("a mapping parse error names the file:line:column of the error") {
  const char* yaml = R"(version: 1
name: cols
sources:
  hr:
    type: csv
    path: zup.csv
    key: tab
mapping:
  externalId: "{hr.tab}"
  userName: '{hr.Фамилия | lowr}'
)";
  auto job = load(yaml);
  REQUIRE_FALSE(job);
  INFO(job.error().detail);
  // The quote is column 13, `{` 14, `lowr` is the template's 15th character: 28.
  CHECK(contains(job.error().detail, "sync.yaml:10:28: /mapping/userName: unknown transform 'lowr'"));
}
