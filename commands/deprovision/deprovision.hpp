// daoctl deprovision: the dismissal part of a sync job, and ad hoc offboarding.
//   deprovision plan  -f job.yaml     who is blocked, reactivated, cleaned up, and why
//   deprovision apply -f job.yaml     carry it out (guards as for sync apply)
//   deprovision user <who>            offboard one account now through the same pipeline
//   deprovision reactivate <who>      undo a block daoctl made (never an administrator's)
#pragma once

#include "commands/common/cli_fwd.hpp"
#include <map>
#include <set>
#include <string>

#include "commands/common/context.hpp"
#include "commands/sync/engine.hpp"
#include "commands/sync/sync.hpp"
#include "core/deprovision/pipeline.hpp"

namespace daoctl::commands {

struct DeprovisionOptions {
  SyncOptions sync;        // -f, --state-dir, --today, --allow-deprovision
  bool staging = false;    // plan and report, never act
  std::string audit_file;  // an extra copy of the audit log
  std::string who;         // user: id, userName or email
  std::string transfer_to; // user: id, userName or email of the new content owner
  std::string reason;      // user: recorded in the ledger and the audit log
  bool immediately = false;  // user -f: run the `then` steps now instead of after the grace period
};

void register_deprovision(CLI::App& root, CommandContext& ctx);

namespace deprovision_engine {

// After a sync or deprovision apply: records the blocks and reactivations it
// carried out in the ledger, adopts dismissed accounts an administrator had
// blocked already, runs the `then` steps that are due, saves the ledger and
// writes the audit log. Returns the number of failed steps.
struct FinishOptions {
  std::string who;         // the audit log's "who": "daoctl:<job>" or "daoctl:adhoc (<login>)"
  std::string audit_file;  // an extra copy of the audit log
  bool ignore_grace = false;
  std::set<std::string> only_ids;                    // limit the `then` steps to these accounts
  std::map<std::string, std::string> transfer_to;    // account id -> new content owner id
};
long finish_deprovisioning(sync_engine::Session& s, const sync::ApplyReport& report, CommandContext& ctx,
                           const FinishOptions& options);

// The current time as RFC 3339 UTC (the audit log's "when").
std::string now_text(CommandContext& ctx);
// Appends one record to <state_dir>/<job>.audit.jsonl and to `extra_file`.
void write_audit(CommandContext& ctx, const std::string& state_dir, const std::string& job,
                 const std::string& extra_file, const nlohmann::json& record);
// The staged steps due for the ledger as it is now (probes communities when needed).
deprovision::FollowupPlan plan_due_steps(sync_engine::Session& s, CommandContext& ctx, bool ignore_grace,
                                         const std::set<std::string>& only_ids);
void save_ledger(const sync_engine::Session& s);

}  // namespace deprovision_engine

}  // namespace daoctl::commands
