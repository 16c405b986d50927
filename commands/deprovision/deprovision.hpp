// daoctl deprovision: the dismissal part of a sync job, and ad hoc offboarding.
//   deprovision plan  -f job.yaml     who is blocked, reactivated, cleaned up, and why
//   deprovision apply -f job.yaml     carry it out (guards as for sync apply)
//   deprovision user <who>            offboard one account now through the same pipeline
//   deprovision reactivate <who>      undo a block daoctl made (never an administrator's)
#pragma once

#include <functional>
#include <vector>

#include "commands/common/cli_fwd.hpp"
#include <map>
#include <set>
#include <string>

#include "commands/common/context.hpp"
#include "commands/sync/engine.hpp"
#include "commands/sync/sync.hpp"
#include "core/deprovision/pipeline.hpp"

namespace daoctl::commands {

// One verb per file (plan.cpp, apply.cpp, user.cpp, reactivate.cpp), each
// with its own Options; deprovision.cpp only registers them. `run` holds
// what the sync engine reads (-f, --state-dir, --today); user and reactivate
// work without -f, on an ad hoc policy and ledger.
template <class Options>
using DeprovisionRunner = std::function<int(const Options&, CommandContext&)>;

struct DeprovisionPlanOptions {
  SyncOptions run;
  std::string audit_file;  // accepted as on every verb; plan writes no audit line
  bool staging = false;    // say that this is a staging run
  bool detailed_exitcode = false;
  std::string allow_deprovision;  // a plan hash
  std::string html_out;           // --html FILE: the review page
};
int run_deprovision_plan(const DeprovisionPlanOptions& opts, CommandContext& ctx);
void register_deprovision_plan(CLI::App& group, CommandContext& ctx,
                               DeprovisionRunner<DeprovisionPlanOptions> run = run_deprovision_plan);

struct DeprovisionApplyOptions {
  SyncOptions run;
  std::string audit_file;  // an extra copy of the audit log
  bool staging = false;    // plan and report, never act
  std::string allow_deprovision;  // a plan hash
  std::string summary_file;
  std::string metrics_file;
};
int run_deprovision_apply(const DeprovisionApplyOptions& opts, CommandContext& ctx);
void register_deprovision_apply(CLI::App& group, CommandContext& ctx,
                                DeprovisionRunner<DeprovisionApplyOptions> run = run_deprovision_apply);

struct DeprovisionUserOptions {
  SyncOptions run;            // -f optional: the job's policy and ledger, else ad hoc
  std::string audit_file;     // an extra copy of the audit log
  std::string who;            // id, userName or email
  std::string transfer_to;    // id, userName or email of the new content owner
  std::string reason;         // recorded in the ledger and the audit log
  bool immediately = false;   // -f: run the `then` steps now instead of after the grace period
  bool dry_run = false;       // say which steps would run, change nothing (no ledger or audit line)
};
int run_deprovision_user(const DeprovisionUserOptions& opts, CommandContext& ctx);
void register_deprovision_user(CLI::App& group, CommandContext& ctx,
                               DeprovisionRunner<DeprovisionUserOptions> run = run_deprovision_user);

struct DeprovisionReactivateOptions {
  SyncOptions run;          // -f optional, as for user
  std::string audit_file;   // an extra copy of the audit log
  std::string who;          // id, userName or email
  std::string reason;       // recorded in the audit log
  bool dry_run = false;     // say what would be undone, change nothing
};
int run_deprovision_reactivate(const DeprovisionReactivateOptions& opts, CommandContext& ctx);
void register_deprovision_reactivate(CLI::App& group, CommandContext& ctx,
                                     DeprovisionRunner<DeprovisionReactivateOptions> run = run_deprovision_reactivate);

void register_deprovision(CLI::App& root, CommandContext& ctx);

namespace deprovision_engine {

// The job's audit log: <state dir>/<job>.audit.jsonl (written and named in
// messages from here only).
std::string audit_path(const std::string& state_dir, const std::string& job);

// After a sync or deprovision apply: records the blocks and reactivations it
// carried out in the ledger, adopts dismissed accounts an administrator had
// blocked already, runs the `then` steps that are due, saves the ledger and
// writes the audit log. Returns the number of failed steps.
struct FinishOptions {
  std::string who;         // the audit log's "who": "daoctl:<job>" or the real user of an ad hoc run
  std::string blocked_by;  // the ledger's blocked_by for new blocks ("" = the job's managed_by)
  std::string audit_file;  // an extra copy of the audit log
  bool ignore_grace = false;
  std::set<std::string> only_ids;                    // limit the `then` steps to these accounts
  std::map<std::string, std::string> transfer_to;    // account id -> new content owner id
};
long finish_deprovisioning(sync_engine::Session& s, const sync::ApplyReport& report, CommandContext& ctx,
                           const FinishOptions& options);

// The hook sync::ApplyOptions::before_deactivate calls: records each block
// of the batch as an intent (ledger state "blocking" + an audit line with
// result "intent") and makes both durable before the batch is sent.
std::function<Status(const std::vector<const sync::UserAction*>&)> intent_recorder(sync_engine::Session& s,
                                                                                 CommandContext& ctx,
                                                                                 const FinishOptions& options);

// Saves and audits what prepare() reconciled (s.reconciled): the intents of
// an interrupted run, confirmed or dropped. A no-op when there were none.
void record_reconciled(sync_engine::Session& s, CommandContext& ctx, const std::string& audit_file);

// The person running daoctl: $SUDO_USER when running as root under sudo,
// else the login of the effective uid (getpwuid(geteuid())), else "uid N".
// Never $USER or $LOGNAME, which anyone can set.
std::string real_user();

// Appends one record to <state_dir>/<job>.audit.jsonl and to `extra_file`.
// Each line is fsynced before this returns (files created 0600).
void write_audit(CommandContext& ctx, const std::string& state_dir, const std::string& job,
                 const std::string& extra_file, const nlohmann::json& record);
// Several records, one write and one fsync per file. Returns the first error
// (the intent recorder refuses to send a block it could not record).
Status write_audit_lines(const std::string& state_dir, const std::string& job, const std::string& extra_file,
                         const std::vector<nlohmann::json>& records);
// The staged steps due for the ledger as it is now (probes communities when needed).
deprovision::FollowupPlan plan_due_steps(sync_engine::Session& s, CommandContext& ctx, bool ignore_grace,
                                         const std::set<std::string>& only_ids);
void save_ledger(const sync_engine::Session& s);

}  // namespace deprovision_engine

}  // namespace daoctl::commands
