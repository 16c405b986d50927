#include <catch2/catch.hpp>

#include "core/sync/desired.hpp"
#include "core/sync/job.hpp"
#include "connectors/local/time_zone.hpp"

#include <cstdlib>

using namespace daoctl;
using namespace daoctl::sync;
using daoctl::hr::SourceRecord;

namespace {

SourceRecord record(std::string origin, std::vector<std::pair<std::string, std::string>> fields) {
  SourceRecord r;
  r.origin = std::move(origin);
  for (auto& [name, value] : fields) r.add(name, value);
  return r;
}

std::string job_text(const std::string& deprovision) {
  return R"(version: 1
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
  externalId: "{ad.employeeNumber}"
  userName: "{ad.uid}"
)" + deprovision;
}

const std::string kRules = R"(deprovision:
  dismissed_when:
    - "hr.'Дата увольнения' | date('dd.MM.yyyy') <= today"
    - ad.disabled
    - missing_from_sources
  now: [block, revoke_sessions]
  after_days: 14
  then: [remove_from_groups, {transfer_content: manager}, archive]
  timezone: Europe/Moscow
)";

const DesiredUser* find(const DesiredSet& set, const std::string& ext) {
  for (const auto& u : set.users)
    if (u.external_id == ext) return &u;
  return nullptr;
}

}  // namespace

TEST_CASE("dismissal rules are evaluated per employee on the joined record, with the reason recorded") {
  auto job = load_job(job_text(kRules), "sync.yaml", {"2024-05-31", std::nullopt});
  INFO((job ? std::string() : job.error().detail));
  REQUIRE(job);
  CHECK(job->dismissal.configured);
  CHECK(job->dismissal.missing_from_sources());
  CHECK(job->dismissal.after_days == 14);
  CHECK(job->dismissal.now.size() == 2);
  CHECK(job->dismissal.transfer.kind == deprovision::TransferTarget::Kind::Manager);
  // Rules name the HR column, so the CSV source is asked for it.
  auto hr_fields = job->fields_of("hr");
  CHECK(std::find(hr_fields.begin(), hr_fields.end(), "Дата увольнения") != hr_fields.end());

  SourceRecords records;
  records["ad"] = {record("ad:1", {{"employeeNumber", "1"}, {"uid", "left.yesterday"}, {"disabled", "false"}}),
                   record("ad:2", {{"employeeNumber", "2"}, {"uid", "leaves.later"}, {"disabled", "false"}}),
                   record("ad:3", {{"employeeNumber", "3"}, {"uid", "locked"}, {"disabled", "true"},
                                   {"disabled_reason", "pwdAccountLockedTime"}}),
                   record("ad:4", {{"employeeNumber", "4"}, {"uid", "stays"}, {"disabled", "false"}}),
                   record("ad:5", {{"employeeNumber", "5"}, {"uid", "bad.date"}, {"disabled", "false"}})};
  records["hr"] = {record("hr.csv:2", {{"tab", "1"}, {"Дата увольнения", "30.05.2024"}}),
                   record("hr.csv:3", {{"tab", "2"}, {"Дата увольнения", "01.06.2024"}}),
                   record("hr.csv:4", {{"tab", "4"}, {"Дата увольнения", ""}}),
                   record("hr.csv:5", {{"tab", "5"}, {"Дата увольнения", "31.02.2024"}})};
  auto set = build_desired(*job, records);
  REQUIRE(set.users.size() == 5);
  const auto* left = find(set, "1");
  CHECK_FALSE(left->active);
  CHECK(left->dismissed_reason ==
        "dismissed_when[0] hr.'Дата увольнения' | date('dd.MM.yyyy') <= today (today = 2024-05-31)");
  CHECK(find(set, "2")->active);
  CHECK(find(set, "2")->dismissed_reason.empty());
  CHECK_FALSE(find(set, "3")->active);
  CHECK(find(set, "3")->dismissed_reason == "dismissed_when[1] ad.disabled (pwdAccountLockedTime)");
  CHECK(find(set, "4")->active);
  // A date that cannot be read never dismisses anyone; it is reported.
  CHECK(find(set, "5")->active);
  bool warned = false;
  for (const auto& w : set.warnings) warned |= w.object == "user bad.date" && w.message.find("not dismissed") != std::string::npos;
  CHECK(warned);
}

TEST_CASE("the dismissal reason becomes the reason of the deactivation in the plan") {
  DesiredUser d;
  d.external_id = "1";
  d.user_name = "left";
  d.active = false;
  d.dismissed_reason = "dismissed_when[0] hr.x <= today (today = 2024-05-31)";
  PlatformUser p;
  p.id = "10";
  p.external_id = "1";
  p.user_name = "left";
  p.managed_by = "daoctl:nightly";
  PlatformState state;
  state.users = {p};
  PlanOptions o;
  o.job = "nightly";
  o.managed_by = "daoctl:nightly";
  auto plan = compute_plan({d}, state, o);
  REQUIRE(plan.users.size() == 1);
  CHECK(plan.users[0].kind == UserActionKind::Deactivate);
  CHECK(plan.users[0].reason == d.dismissed_reason);
}

TEST_CASE("a deprovision block with mistakes names every problem with file:line:column") {
  auto job = load_job(job_text(R"(deprovision:
  dismissed_when:
    - "hr.'Дата увольнения' <=="
  now: [revoke_sessions]
  then: [archive, remove_from_groups]
  timezone: Mars/Olympus
  mode: staging
)"),
                      "sync.yaml", {"2024-05-31", std::nullopt, local::date_in_zone});
  REQUIRE_FALSE(job);
  const std::string& detail = job.error().detail;
  INFO(detail);
  CHECK(detail.find("sync.yaml:20:") != std::string::npos);  // the rule
  CHECK(detail.find("/deprovision/now: must include block") != std::string::npos);
  CHECK(detail.find("remove_from_groups comes after archive/delete") != std::string::npos);
  CHECK(detail.find("unknown time zone 'Mars/Olympus'") != std::string::npos);
}

TEST_CASE("staging mode is read from deprovision.mode") {
  auto job = load_job(job_text("deprovision:\n  dismissed_when: [ad.disabled]\n  mode: staging\n"), "sync.yaml",
                      {"2024-05-31", std::nullopt});
  REQUIRE(job);
  CHECK(job->dismissal.staging);
  // Defaults: block and revoke everything at once, 30 days of grace, no staged steps.
  CHECK(job->dismissal.now.size() == 3);
  CHECK(job->dismissal.after_days == 30);
  CHECK(job->dismissal.then.empty());
}

TEST_CASE("today is the injected clock read in deprovision.timezone") {
  // 2024-05-31 22:30 UTC is already June 1st in Moscow (UTC+3).
  auto now = std::chrono::sys_days{std::chrono::year{2024} / 5 / 31} + std::chrono::hours{22} + std::chrono::minutes{30};
  CHECK(local::date_in_zone(now, "Europe/Moscow").value() == "2024-06-01");
  CHECK(local::date_in_zone(now, "UTC").value() == "2024-05-31");
  CHECK_FALSE(local::date_in_zone(now, "../etc/passwd"));
  auto job = load_job(job_text(kRules), "sync.yaml", {"", now, local::date_in_zone});
  REQUIRE(job);
  CHECK(job->today == "2024-06-01");
  // core reads no zone database itself: the zone is whatever the caller's
  // reader says (here a fake that knows one zone), and TZ is never touched.
  const char* tz_before = std::getenv("TZ");
  const std::string tz_saved = tz_before ? tz_before : "<unset>";
  auto fake = [](std::chrono::system_clock::time_point, const std::string& zone) -> Result<std::string> {
    if (zone == "Europe/Moscow") return std::string("2030-01-01");
    return fail(ErrorKind::Config, "unknown time zone", zone);
  };
  auto faked = load_job(job_text(kRules), "sync.yaml", {"", now, fake});
  REQUIRE(faked);
  CHECK(faked->today == "2030-01-01");
  const char* tz_after = std::getenv("TZ");
  CHECK((tz_after ? tz_after : "<unset>") == tz_saved);
  auto no_reader = load_job(job_text(kRules), "sync.yaml", {"", now, nullptr});
  CHECK_FALSE(no_reader);
}

TEST_CASE("date arithmetic for grace periods crosses months and leap days") {
  CHECK(deprovision::add_days("2024-02-20", 14) == "2024-03-05");
  CHECK(deprovision::days_between("2024-02-28", "2024-03-01").value() == 2);
  CHECK(deprovision::days_between("2023-02-28", "2023-03-01").value() == 1);
  CHECK_FALSE(deprovision::days_between("2024-02-30", "2024-03-01"));
  CHECK(deprovision::add_days("yesterday", 1).empty());
}
