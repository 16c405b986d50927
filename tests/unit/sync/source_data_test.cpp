// What real HR and directory data does to a sync: fields the source lacks,
// rehires (two records with one key), join keys formatted differently on
// each side, dates in the export's own format.
#include <catch2/catch.hpp>

#include <algorithm>

#include "core/sync/desired.hpp"
#include "core/sync/guards.hpp"

using namespace daoctl::sync;
using daoctl::hr::SourceRecord;
using daoctl::mapping::Value;

namespace {

SourceRecord record(std::string origin, std::vector<std::pair<std::string, std::vector<std::string>>> fields) {
  SourceRecord r;
  r.origin = std::move(origin);
  for (auto& [name, values] : fields) r.field(name).values = values;
  return r;
}

daoctl::Result<JobSpec> load(const std::string& yaml) {
  LoadOptions o;
  o.today = "2026-12-06";
  return load_job(yaml, "sync.yaml", o);
}

JobSpec job_from(const std::string& yaml) {
  auto job = load(yaml);
  INFO((job ? std::string() : job.error().detail));
  REQUIRE(job);
  return std::move(*job);
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// A 1C export as the only source: Russian headers, a personnel number key.
const char* kHrJob = R"(version: 1
name: hr-only
sources:
  hr:
    type: csv
    path: zup.csv
    key: "Табельный номер"
    dates: dd.MM.yyyy
mapping:
  externalId: "{hr.'Табельный номер'}"
  userName: "{hr.Логин}"
  hireDate: "{hr.'Дата приёма'}"
  active: "{not hr.fired}"
)";

const SourceSpec& hr_of(const JobSpec& job) { return *job.source("hr"); }

}  // namespace

TEST_CASE("a field the mapping names but the CSV header lacks is an error naming it, where, and the nearest names") {
  JobSpec job = job_from(kHrJob);
  // The export renamed "fired" and spells "Дата приема" with е.
  std::vector<std::string> header{"Табельный номер", "Логин", "Дата приема", "fierd"};
  auto st = check_fields(
      hr_of(job), [&](std::string_view f) { return std::find(header.begin(), header.end(), f) != header.end(); },
      header, "the header of zup.csv");
  REQUIRE_FALSE(st);
  CHECK(st.error().kind == daoctl::ErrorKind::Config);
  CHECK(contains(st.error().message, "'fired'"));
  CHECK(contains(st.error().message, "'Дата приёма'"));
  const std::string& d = st.error().detail;
  INFO(d);
  // active: "{not hr.fired}" is on line 13; the reference starts at column 16
  // (the scalar's quote is column 11, `{not ` takes 5 more).
  CHECK(contains(d, "sync.yaml:13:17: mapping.active names hr.'fired', which the header of zup.csv lacks; nearest: 'fierd'"));
  CHECK(contains(d, "sync.yaml:12:15: mapping.hireDate names hr.'Дата приёма'"));
  CHECK(contains(d, "nearest: 'Дата приема'"));
}

TEST_CASE("nearest names: case-insensitive, at most a third wrong, nearest first") {
  std::vector<std::string> names{"mail", "Email", "displayName", "uid"};
  CHECK(nearest_names("mial", names) == std::vector<std::string>{"mail"});
  CHECK(nearest_names("EMAIL", names).front() == "Email");
  CHECK(nearest_names("telephoneNumber", names).empty());
}

TEST_CASE("columns: in the job are checked when the job loads") {
  std::string yaml = R"(version: 1
name: cols
sources:
  hr:
    type: csv
    path: zup.csv
    key: tab
    header: false
    columns: [tab, login, fired]
mapping:
  externalId: "{hr.tab}"
  userName: "{hr.login}"
  active: "{not hr.fierd}"
)";
  auto job = load(yaml);
  REQUIRE_FALSE(job);
  INFO(job.error().detail);
  CHECK(contains(job.error().detail, "sync.yaml:13:17: mapping.active names hr.'fierd', which its columns: lacks; nearest: 'fired'"));
}

TEST_CASE("the key, joins, groups and dismissal rules are field uses too") {
  JobSpec job = job_from(R"(version: 1
name: uses
sources:
  ad:
    type: ldap
    url: ldap://127.0.0.1:1
    base_dn: dc=corp
    attributes: [telephoneNumber, entryUUID, uid, employeeNumber, memberOf]
  hr:
    type: csv
    path: hr.csv
    key: tab
join:
  - "hr.tab | digits = ad.employeeNumber | digits"
mapping:
  externalId: "{ad.entryUUID}"
  userName: "{ad.uid}"
  phone: "{ad.telephoneNumber}"
groups:
  from: ad.memberOf
deprovision:
  dismissed_when:
    - "hr.'Дата увольнения' <= today"
)");
  auto has = [](const SourceSpec& s, const std::string& field, const std::string& what) {
    return std::any_of(s.uses.begin(), s.uses.end(), [&](const FieldUse& u) { return u.field == field && u.what == what; });
  };
  const SourceSpec& ad = *job.source("ad");
  const SourceSpec& hr = *job.source("hr");
  CHECK(has(hr, "tab", "sources.hr.key"));
  CHECK(has(hr, "tab", "join[0]"));
  CHECK(has(ad, "employeeNumber", "join[0]"));
  CHECK(has(ad, "memberOf", "groups.from"));
  CHECK(has(hr, "Дата увольнения", "deprovision.dismissed_when[0]"));
  // attributes: are known to exist even when no entry has them.
  CHECK(std::find(ad.declared_fields.begin(), ad.declared_fields.end(), "telephoneNumber") != ad.declared_fields.end());
  // The join's expression references are fetched from the sources.
  auto fields = job.fields_of("ad");
  CHECK(std::find(fields.begin(), fields.end(), "employeeNumber") != fields.end());
}

namespace {

const char* kRehireJob = R"(version: 1
name: rehire
sources:
  hr:
    type: csv
    path: zup.csv
    key: "Табельный номер"
    dates: dd.MM.yyyy
    duplicates: RULE
mapping:
  externalId: "{hr.'Табельный номер'}"
  userName: "{hr.Логин}"
  hireDate: "{hr.'Дата приёма'}"
  active: "{not hr.'Дата увольнения'}"
)";

std::string rule(const char* r) {
  std::string y = kRehireJob;
  y.replace(y.find("RULE"), 4, r);
  return y;
}

// A rehire: the old row (dismissed) comes after the new one in this export.
SourceRecords rehire() {
  SourceRecords data;
  data["hr"] = {
      record("zup.csv:2", {{"Табельный номер", {"00000017"}}, {"Логин", {"petrov"}}, {"Дата приёма", {"01.03.2024"}},
                           {"Дата увольнения", {}}}),
      record("zup.csv:3", {{"Табельный номер", {"00000018"}}, {"Логин", {"sidorova"}},
                           {"Дата приёма", {"10.10.2010"}}, {"Дата увольнения", {}}}),
      record("zup.csv:4", {{"Табельный номер", {"00000017"}}, {"Логин", {"petrov"}}, {"Дата приёма", {"24.04.2013"}},
                           {"Дата увольнения", {"31.12.2020"}}}),
  };
  return data;
}

}  // namespace

TEST_CASE("a rehire: prefer_active (the default) syncs the active record and says so") {
  for (const char* r : {"prefer_active", ""}) {
    std::string yaml = rule(r);
    if (std::string(r).empty()) yaml.erase(yaml.find("    duplicates: \n"), 17);
    auto set = build_desired(job_from(yaml), rehire());
    REQUIRE(set.users.size() == 2);
    CHECK(set.users[0].user_name == "petrov");
    CHECK(set.users[0].active);
    CHECK(set.users[0].origin == "zup.csv:2");
    CHECK(set.users[1].user_name == "sidorova");
    REQUIRE(set.warnings.size() == 1);
    CHECK(set.warnings[0].object == "user petrov");
    CHECK(set.warnings[0].message ==
          "2 records of hr have externalId '00000017' (zup.csv:2 active, zup.csv:4 inactive); synced zup.csv:2: "
          "the only active one (duplicates: prefer_active)");
  }
}

TEST_CASE("a rehire: first, last and error are taken literally") {
  auto first = build_desired(job_from(rule("first")), rehire());
  REQUIRE(first.users.size() == 2);
  CHECK(first.users[0].origin == "zup.csv:2");
  auto last = build_desired(job_from(rule("last")), rehire());
  REQUIRE(last.users.size() == 2);
  CHECK(last.users[0].user_name == "sidorova");  // record order is kept
  CHECK(last.users[1].origin == "zup.csv:4");
  CHECK_FALSE(last.users[1].active);
  auto error = build_desired(job_from(rule("error")), rehire());
  REQUIRE(error.errors.size() == 1);
  CHECK(contains(error.errors[0], "zup.csv:2 active, zup.csv:4 inactive"));
  auto st = check_desired(error, job_from(rule("error")));
  REQUIRE_FALSE(st);
  CHECK(st.error().kind == daoctl::ErrorKind::Safety);
}

TEST_CASE("prefer_active between two active records takes the later hire date, then the later record") {
  SourceRecords data;
  data["hr"] = {
      record("zup.csv:2", {{"Табельный номер", {"5"}}, {"Логин", {"a"}}, {"Дата приёма", {"01.02.2020"}}}),
      record("zup.csv:3", {{"Табельный номер", {"5"}}, {"Логин", {"b"}}, {"Дата приёма", {"01.01.2020"}}}),
      record("zup.csv:4", {{"Табельный номер", {"6"}}, {"Логин", {"c"}}}),
      record("zup.csv:5", {{"Табельный номер", {"6"}}, {"Логин", {"d"}}}),
  };
  auto set = build_desired(job_from(rule("prefer_active")), data);
  REQUIRE(set.users.size() == 2);
  CHECK(set.users[0].user_name == "a");  // 2020-02-01 > 2020-01-01 although earlier in the file
  CHECK(contains(set.warnings[0].message, "the latest hire date (2020-02-01)"));
  CHECK(set.users[1].user_name == "d");
  CHECK(contains(set.warnings[1].message, "the later record"));
}

namespace {

// Directory identities, HR attributes; the personnel number is 000017 in
// the directory, 00000017 in the 1C export and 17 for some people.
std::string join_job(const std::string& join, const std::string& extra = "") {
  return R"(version: 1
name: joined
sources:
  ad:
    type: ldap
    url: ldap://127.0.0.1:1
    base_dn: dc=corp
  hr:
    type: csv
    path: zup.csv
    key: "Табельный номер"
    dates: dd.MM.yyyy
join:
  - ")" + join + R"("
mapping:
  externalId: "{ad.entryUUID}"
  userName: "{ad.uid}"
  title: "{hr.Должность}"
  hireDate: "{hr.'Дата приёма'}"
  active: "{not ad.disabled and not hr.'Дата увольнения'}"
)" + extra;
}

SourceRecords directory_and_hr() {
  SourceRecords data;
  data["ad"] = {
      record("ldap:1", {{"entryUUID", {"u1"}}, {"uid", {"petrov"}}, {"employeeNumber", {"000017"}}, {"disabled", {"false"}}}),
      record("ldap:2", {{"entryUUID", {"u2"}}, {"uid", {"ivanova"}}, {"employeeNumber", {"17 "}}, {"disabled", {"false"}}}),
      record("ldap:3", {{"entryUUID", {"u3"}}, {"uid", {"svc-backup"}}, {"disabled", {"false"}}}),
  };
  // ivanova's directory entry carries "17 " with a space: the same person
  // in HR as petrov's number here, so both join it (a test of formats only).
  data["hr"] = {
      record("zup.csv:2", {{"Табельный номер", {"00000017"}}, {"Должность", {"Инженер"}}, {"Дата приёма", {"24.04.2013"}},
                           {"Дата увольнения", {"31.12.2020"}}}),
      record("zup.csv:3", {{"Табельный номер", {"00000017"}}, {"Должность", {"Ведущий инженер"}},
                           {"Дата приёма", {"01.03.2024"}}}),
      record("zup.csv:4", {{"Табельный номер", {"00000099"}}, {"Должность", {"Бухгалтер"}}}),
  };
  return data;
}

}  // namespace

TEST_CASE("a plain join of differently formatted keys matches nothing, and the stats say so") {
  auto job = job_from(join_job("hr.'Табельный номер' = ad.employeeNumber"));
  auto set = build_desired(job, directory_and_hr());
  REQUIRE(set.joins.size() == 1);
  CHECK(set.joins[0].matched == 0);
  CHECK(set.joins[0].left == 3);
  CHECK(set.joins[0].left_unmatched.size() == 3);
  CHECK(set.joins[0].right_unmatched.size() == 3);
  REQUIRE(set.joins[0].rate());
  CHECK(*set.joins[0].rate() == 0.0);
}

TEST_CASE("join keys normalised on both sides with the mapping language") {
  auto job = job_from(join_job(
      "hr.'Табельный номер' | digits | replace('^0+', '') = ad.employeeNumber | digits | replace('^0+', '')"));
  REQUIRE(job.joins.size() == 1);
  CHECK(job.joins[0].left_source == "ad");  // the primary side first, whatever the order written
  auto set = build_desired(job, directory_and_hr());
  REQUIRE(set.users.size() == 3);
  // petrov and ivanova both have 17: both join the rehire, each gets the active row.
  CHECK(set.users[0].fields.at("title") == Value("Ведущий инженер"));
  CHECK(set.users[0].fields.at("hireDate") == Value("2024-03-01"));  // dates: converts to YYYY-MM-DD
  CHECK(set.users[0].active);
  CHECK(set.users[1].fields.at("title") == Value("Ведущий инженер"));
  CHECK(set.users[2].fields.count("title") == 0);
  REQUIRE(set.joins.size() == 1);
  CHECK(set.joins[0].matched == 2);
  CHECK(set.joins[0].left_unmatched == std::vector<std::string>{"user svc-backup (ldap:3)"});
  CHECK(set.joins[0].right_unmatched == std::vector<std::string>{"zup.csv:4"});
  // The rehire on the joined side: the warning names the person, not the key only.
  auto w = std::find_if(set.warnings.begin(), set.warnings.end(),
                        [](const PlanWarning& pw) { return pw.object == "user petrov (ldap:1)"; });
  REQUIRE(w != set.warnings.end());
  CHECK(contains(w->message, "zup.csv:2 inactive, zup.csv:3 active"));
  CHECK(contains(w->message, "joined zup.csv:3: the only active one (duplicates: prefer_active)"));
}

TEST_CASE("a join side reads one source, and a bad expression is an error at its column") {
  auto two = load(join_job("hr.a | default(ad.b) = ad.employeeNumber"));
  // default() takes any expression: this side reads hr and ad.
  REQUIRE_FALSE(two);
  CHECK(contains(two.error().detail, "each side of a join reads one source"));
  auto mixed = load(join_job("hr.a == ad.b = ad.employeeNumber"));
  REQUIRE_FALSE(mixed);
  CHECK(contains(mixed.error().detail, "each side of a join reads one source"));
  auto typo = load(join_job("hr.a | digitz = ad.employeeNumber"));
  REQUIRE_FALSE(typo);
  CHECK(contains(typo.error().detail, "unknown transform 'digitz'"));
  // The old unquoted form still reads as one field name.
  auto old = load(join_job("hr.Табельный номер = ad.employeeNumber"));
  INFO((old ? "" : old.error().detail));
  REQUIRE(old);
  CHECK(old->joins[0].right_field == "Табельный номер");
}

TEST_CASE("a join rate below safety.min_join_rate stops the run") {
  auto job = job_from(join_job("hr.'Табельный номер' = ad.employeeNumber"));
  auto set = build_desired(job, directory_and_hr());
  SyncPlan plan;
  for (const auto& j : set.joins) plan.joins.push_back(j.to_json());
  GuardInput in;
  auto st = check_guards(job, plan, in);
  REQUIRE_FALSE(st);
  CHECK(st.error().kind == daoctl::ErrorKind::Safety);
  CHECK(contains(st.error().message, "matched 0 of 2 record(s) (0.0%), less than safety.min_join_rate (50%)"));
  // Lowered for this source, the same plan passes.
  auto lowered = job_from(join_job("hr.'Табельный номер' = ad.employeeNumber", "safety:\n  min_join_rate: {hr: 0}\n"));
  CHECK(check_guards(lowered, plan, in));
  // A working join passes the default.
  auto fixed = job_from(join_job("hr.'Табельный номер' | replace('^0+', '') = ad.employeeNumber | trim | replace('^0+', '')"));
  auto good = build_desired(fixed, directory_and_hr());
  SyncPlan ok_plan;
  for (const auto& j : good.joins) ok_plan.joins.push_back(j.to_json());
  CHECK(check_guards(fixed, ok_plan, in));
}

TEST_CASE("dates: converts mapped dates to YYYY-MM-DD, a value that is no date is not sent, with one warning") {
  JobSpec job = job_from(kHrJob);
  SourceRecords data;
  data["hr"] = {
      record("zup.csv:2", {{"Табельный номер", {"1"}}, {"Логин", {"a"}}, {"Дата приёма", {"24.04.2013"}}, {"fired", {}}}),
      record("zup.csv:3", {{"Табельный номер", {"2"}}, {"Логин", {"b"}}, {"Дата приёма", {"2013-04-25"}}, {"fired", {}}}),
      record("zup.csv:4", {{"Табельный номер", {"3"}}, {"Логин", {"c"}}, {"Дата приёма", {"24/04/2013"}}, {"fired", {}}}),
      record("zup.csv:5", {{"Табельный номер", {"4"}}, {"Логин", {"d"}}, {"Дата приёма", {"31.02.2013"}}, {"fired", {}}}),
  };
  auto set = build_desired(job, data);
  REQUIRE(set.users.size() == 4);
  CHECK(set.users[0].fields.at("hireDate") == Value("2013-04-24"));
  CHECK(set.users[1].fields.at("hireDate") == Value("2013-04-25"));
  CHECK(set.users[2].fields.count("hireDate") == 0);
  CHECK(set.users[3].fields.count("hireDate") == 0);
  REQUIRE(set.warnings.size() == 1);
  CHECK(set.warnings[0].object == "mapping.hireDate");
  CHECK(contains(set.warnings[0].message, "2 value(s) are not YYYY-MM-DD dates (first: zup.csv:4: '24/04/2013')"));
}

TEST_CASE("an account created inactive says why in the plan") {
  JobSpec job = job_from(rule("prefer_active"));
  SourceRecords data;
  // Dismissed before the first run: created, but inactive.
  data["hr"] = {record("zup.csv:2", {{"Табельный номер", {"20"}}, {"Логин", {"gone"}}, {"Дата приёма", {"01.01.2001"}},
                                     {"Дата увольнения", {"01.01.2002"}}})};
  auto set = build_desired(job, data);
  REQUIRE(set.users.size() == 1);
  PlatformState empty;
  PlanOptions o;
  o.job = "rehire";
  o.managed_by = "daoctl:rehire";
  auto plan = compute_plan(set.users, empty, o);
  REQUIRE(plan.users.size() == 1);
  CHECK(plan.users[0].kind == UserActionKind::Create);
  CHECK(plan.users[0].reason == "created inactive: mapping.active {not hr.'Дата увольнения'} is false");
}
