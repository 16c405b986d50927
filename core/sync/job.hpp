// The sync job file (sync.yaml), loaded and checked before anything runs.
//
// load_job() parses the YAML, validates it against the embedded JSON Schema
// (schemas/sync.schema.json), then checks what a schema cannot: joins name
// known sources, every mapping template compiles, the primary source exists.
// Every problem is reported at once, each as file:line:column.
#pragma once

#include <chrono>
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
};

// `hr."Табельный номер" = ad.employeeID`: records of `right` are attached to
// the record of `left` whose `left_field` equals their `right_field`.
// `left` is the primary source or one joined before.
struct JoinSpec {
  std::string left_source, left_field;
  std::string right_source, right_field;
  std::string text;
};

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
  ReportSpec report;
  schema::SourceMap positions;

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
};

// Errors: Config, message "invalid sync job <file>", detail = one problem per
// line, each "file:line:column: what". YAML syntax errors are Config too.
Result<JobSpec> load_job(std::string_view text, std::string_view file_name,
                         const LoadOptions& options);

}  // namespace daoctl::sync
