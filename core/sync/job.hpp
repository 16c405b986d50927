// The sync job file (sync.yaml), loaded and checked before anything runs.
//
// load_job() parses the YAML, validates it against the embedded JSON Schema
// (schemas/sync.schema.json), then checks what a schema cannot: joins name
// known sources, every mapping template compiles, the primary source exists.
// Every problem is reported at once, each as file:line:column.
#pragma once

#include <chrono>
#include <functional>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/deprovision/policy.hpp"
#include "core/error.hpp"
#include "core/mapping/expression.hpp"
#include "core/schema/yaml_json.hpp"

namespace daoctl::sync {

// One place a job names a field of a source, for the error that says the
// source lacks it: "sync.yaml:14:12" and "mapping.active".
struct FieldUse {
  std::string field;
  std::string where;  // file:line:column of the reference
  std::string what;   // mapping.<field>, join[<i>], sources.<name>.key, groups.from, deprovision.dismissed_when[<i>]
};

// `duplicates:` of a source: which of several records with the same key is
// the employee. prefer_active: the active one (not disabled, not dismissed);
// among several, the latest hireDate, then the later row of the file.
enum class Duplicates { PreferActive, Last, First, Error };
const char* to_string(Duplicates d);

// One `sources:` entry. The connector factory interprets `config` (already
// schema-checked); `position` is where the entry starts, for messages.
struct SourceSpec {
  std::string name;
  std::string type;  // ldap | csv | json | http_json
  nlohmann::json config;
  schema::SourcePosition position;
  // The attribute that identifies a record of this source ("dn" for LDAP by
  // default, `key` for files).
  std::string key;
  // Every place the job names a field of this source, in file order.
  std::vector<FieldUse> uses;
  // Fields known to exist before any record is read: a CSV's `columns:`, an
  // LDAP source's `attributes:` (an attribute listed there may be absent on
  // every entry; one not listed must be on at least one entry read).
  std::vector<std::string> declared_fields;
  Duplicates duplicates = Duplicates::PreferActive;
  // `dates:` of the source (e.g. dd.MM.yyyy); "" when not given.
  std::string dates;
};

// The fields of `source` the job names (source.uses) that `present` says the
// data lacks, as one Config error: each line names the field, where the job
// names it and the nearest of `names` by edit distance. `read` says what was
// looked at ("the header of hr.csv"). Ok when nothing is missing.
Status check_fields(const SourceSpec& source, const std::function<bool(std::string_view)>& present,
                    const std::vector<std::string>& names, std::string_view read);
// Up to three of `names` nearest to `name` (case-insensitive edit distance, at
// most a third of the name wrong), nearest first.
std::vector<std::string> nearest_names(std::string_view name, const std::vector<std::string>& names);

// `hr."Табельный номер" = ad.employeeID`: records of `right` are attached to
// the record of `left` whose `left_field` equals their `right_field`.
// `left` is the primary source or one joined before.
// Either side may be an expression that normalises the key:
// `hr.'Табельный номер' | digits | replace('^0+', '') = ad.employeeID | replace('^0+', '')`;
// `left_field`/`right_field` are set when a side is a bare reference (read
// directly), empty when it is an expression (evaluated per record).
struct JoinSpec {
  std::string left_source, left_field;
  std::string right_source, right_field;
  std::string text;
  std::optional<mapping::Expression> left_key, right_key;
};

// An LDAP source with a group search (sources.<name>.groups) gives each
// record the field `groups` (the DNs of its groups) and, value for value,
// these two: the group's stable id (entryUUID, objectGUID) and the name its
// platform group gets. The builder then knows groups by id, not by name.
inline constexpr std::string_view kGroupIdField = "groups;id";
inline constexpr std::string_view kGroupNameField = "groups;name";

struct GroupSpec {
  mapping::Reference from;
  std::vector<std::string> include;  // glob patterns, case-insensitive
  std::vector<std::string> exclude;
  bool name_from_cn = true;
};

struct SafetySpec {
  int max_deprovisions = 50;
  double max_deprovisions_percent = 5.0;
  std::map<std::string, long> min_source_records;
  std::optional<double> max_source_shrink_percent;
  // The least share of records a join must match, of the smaller side (0-1).
  double min_join_rate = 0.5;
  std::map<std::string, double> min_join_rate_of;  // per joined source
  // safety.window ("10m"): max_deprovisions and max_deprovisions_percent
  // also bound the deactivations of incremental runs (sync apply
  // --incremental, sync watch) within this many seconds of each other.
  // Default 1 h: a watcher applies each change as it comes, so without a
  // window a burst of 300 deletions would pass as 40 small change sets.
  std::int64_t window_seconds = 3600;
};

struct ReportSpec {
  std::string summary_file;
  std::string metrics_file;
  std::string results_file;
};

struct JobSpec {
  std::string file;  // as given, for messages
  std::string name;
  std::string target = "platform";  // platform | scim
  nlohmann::json platform = nlohmann::json::object();
  std::vector<SourceSpec> sources;   // in file order
  std::string primary;
  std::vector<JoinSpec> joins;
  // Target field -> compiled template, in a fixed order (mapping_fields()).
  std::vector<std::pair<std::string, mapping::Template>> mapping;
  std::string department_separator = "/";
  bool delete_empty_departments = false;
  // departments.scim_value: leaf (target: scim keeps only the last level).
  bool scim_department_leaf = false;
  std::optional<GroupSpec> groups;
  std::vector<std::string> link_by;  // "email", "userName"
  // unique: {userName: error|suffix_number, email: …}: how a plan resolves
  // two people wanting one value (core/sync/plan.hpp, Collision).
  std::map<std::string, std::string> unique;
  nlohmann::json deprovision = nlohmann::json::object();
  // The compiled `deprovision:` block (rules, steps, grace period).
  deprovision::Policy dismissal;
  // The date `today` means in this run (yyyy-MM-dd): --today, or the clock
  // read in deprovision.timezone (the host's zone when not set).
  std::string today;
  SafetySpec safety;
  int concurrency = 8;
  double rate_limit = 0;  // requests/s, 0 = unlimited
  // apply.retries: tries per request (first included) and the longest wait
  // before one retry (backoff cap and longest Retry-After honoured); 0 =
  // the client's defaults (5 tries, 10 s backoff, 60 s Retry-After).
  int retry_attempts = 0;
  double retry_max_wait_seconds = 0;
  // apply.pacing (docs/PACING.md): mode "adaptive" or "fixed" (empty: the
  // default, adaptive) and the floor of a learned pace (0: default, 1/s).
  std::string pacing_mode;
  double pacing_min_rate = 0;
  ReportSpec report;
  schema::SourceMap positions;
  // What the job allows but probably does not mean (e.g. a group search no
  // `groups.from` reads), each "file:line:column: what"; validate and plan
  // print them.
  std::vector<std::string> warnings;

  const SourceSpec* source(std::string_view name) const;
  const mapping::Template* template_for(std::string_view field) const;
  // The fields every source must deliver (from mapping, joins, groups, keys).
  std::vector<std::string> fields_of(std::string_view source) const;
  // "managedBy" value written into accounts this job manages.
  std::string managed_by() const { return "daoctl:" + name; }
};

// Target fields in the order plans show them.
const std::vector<std::string>& mapping_fields();

struct LoadOptions {
  std::string today;  // yyyy-MM-dd, for `today` in expressions
  // When `today` is empty: the clock, read in the job's deprovision.timezone.
  std::optional<std::chrono::system_clock::time_point> now;
  // Reads `now` in a zone and checks deprovision.timezone (local::date_in_zone;
  // core has no zone database). Unset: the zone is not checked, and a job
  // without `today` is a problem.
  deprovision::DateInZone date_in_zone = nullptr;
};

// Errors: Config, message "invalid sync job <file>", detail = one problem per
// line, each "file:line:column: what". YAML syntax errors are Config too.
Result<JobSpec> load_job(std::string_view text, std::string_view file_name,
                         const LoadOptions& options);

}  // namespace daoctl::sync
