// What the sync verbs share: their flags, the results journal's path, the
// adoption log and the collisions error.
#pragma once

#include "commands/common/cli_fwd.hpp"
#include <string>

#include "commands/common/context.hpp"
#include "commands/sync/sync.hpp"
#include "core/sync/job.hpp"
#include "core/sync/plan.hpp"

namespace daoctl::commands::sync_verbs {

// The results journal of a job: --results-file, else the job's
// report.results_file, else <state dir>/<job>.results.jsonl. `apply` writes
// it and `status` reads it, so both take it from here.
std::string results_path(const std::string& results_file, const sync::JobSpec& job, const std::string& state_dir);

// Adopting another job's accounts is explicit and logged, in plan and apply.
void log_adoptions(const sync::SyncPlan& plan, CommandContext& ctx);

// Exit 3 for the people collisions left out, before anything was sent.
CommandError collisions_error(const sync::SyncPlan& plan, const std::string& where);

// -f (required), --state-dir, --today: every verb.
void add_job_flags(CLI::App& cmd, SyncOptions& run);
// --retries and --max-retry-wait: plan and apply.
void add_retry_flags(CLI::App& cmd, SyncOptions& run);

}  // namespace daoctl::commands::sync_verbs
