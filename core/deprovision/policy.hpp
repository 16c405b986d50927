// The deprovisioning policy of a sync job (the `deprovision:` block of
// sync.yaml): when an employee counts as dismissed, what happens at once and
// what happens after the grace period. Compiled once with the job; pure.
//
//   deprovision:
//     dismissed_when:                       # any rule that holds dismisses
//       - "hr.'Дата увольнения' <= today"   # a mapping expression, truthy = dismissed
//       - ldap.disabled                     # AD/OpenLDAP lock signals of the source
//       - missing_from_sources              # a managed account no source has any more
//     now: [block, revoke_sessions, revoke_tokens]
//     after_days: 30
//     then: [remove_from_groups, remove_from_communities, {transfer_content: manager}, archive]
//     timezone: Europe/Moscow               # what "today" means for date rules
//     mode: staging                         # plan and report, never act
#pragma once

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/mapping/expression.hpp"
#include "core/schema/yaml_json.hpp"
#include "core/text/date.hpp"

namespace daoctl::deprovision {

enum class Step {
  Block,                  // active=false
  RevokeSessions,
  RevokeTokens,
  RemoveFromGroups,
  RemoveFromCommunities,
  TransferContent,
  Archive,                // stays blocked, marked archived in the ledger: the end state
  Delete,                 // the account is deleted: the end state
};
const char* to_string(Step step);
std::optional<Step> step_from_string(std::string_view text);

// Where transfer_content moves a leaver's content.
struct TransferTarget {
  enum class Kind { Manager, Account, Keep } kind = Kind::Manager;
  std::string account;  // Account: an id, userName or email
  std::string describe() const;
  // "manager" | "keep" | anything else = an account.
  static TransferTarget parse(std::string_view text);
};

struct Rule {
  enum class Kind { MissingFromSources, Expression } kind = Kind::Expression;
  std::string text;
  std::optional<mapping::Expression> expression;  // Kind::Expression
  bool uses_today = false;                        // the reason names the date compared with
};

struct Policy {
  std::vector<Rule> rules;
  std::vector<Step> now{Step::Block, Step::RevokeSessions, Step::RevokeTokens};
  int after_days = 30;
  std::vector<Step> then;  // in the order they run
  TransferTarget transfer;
  std::string timezone;    // "" = the host's local zone
  bool staging = false;

  // Date patterns the rules' comparisons accept (the job's `dates:`), used to
  // read the dismissal date out of the fields a rule reads (Verdict::since).
  std::vector<text::DatePattern> date_patterns;

  bool configured = false;  // the job has a deprovision block at all
  bool missing_from_sources() const;
  bool has_then(Step step) const;
  bool has_now(Step step) const;
};

// Compiles the block (already checked by the job's JSON Schema). `today` is
// what `today` means in rules. Problems are appended as "file:line:column:
// pointer: message" lines, like every other problem of the job file.
// `text` (the file's text, optional) lets a column inside a quoted rule count
// from past its opening quote.
Policy compile_policy(const nlohmann::json& block, const mapping::CompileOptions& options,
                      const std::string& file, const schema::SourceMap& positions,
                      std::vector<std::string>& problems, std::string_view text = {});

// The outcome of the rules for one employee's joined record.
struct Verdict {
  bool dismissed = false;
  std::string reason;                 // "dismissed_when[0] hr.'Дата увольнения' <= today (today = 2024-05-31)"
  // The dismissal date from the source (yyyy-MM-dd): the first field the
  // rule that held reads whose value is a date not after today (ISO or one of
  // Policy::date_patterns). Empty when the rule reads no date (a lock flag).
  std::string since;
  std::vector<std::string> problems;  // rules that could not be evaluated (never dismiss)
};

// Evaluates every expression rule in order; the first that holds is the
// reason. A rule that fails to evaluate (a bad date in the record) does not
// dismiss: a broken value is never a reason to block someone.
Verdict evaluate(const Policy& policy, const mapping::Scope& scope, std::string_view today);

// The calendar date (yyyy-MM-dd) at `now` in the IANA zone `zone` ("" = the
// host's zone); a Config error for a zone the system does not know. core
// reads no clock and no zone database: the caller passes one
// (connectors/local: local::date_in_zone) through sync::LoadOptions.
using DateInZone =
    std::function<Result<std::string>(std::chrono::system_clock::time_point now, const std::string& zone)>;

// Days from `from` to `to` (both yyyy-MM-dd); nullopt if either is malformed.
std::optional<long> days_between(std::string_view from, std::string_view to);
// `date` + `days`, yyyy-MM-dd; empty if `date` is malformed.
std::string add_days(std::string_view date, long days);

}  // namespace daoctl::deprovision
