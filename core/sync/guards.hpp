// The safety guards of a sync: the checks that stand between a broken or
// suspicious source read and a mass deactivation. Each failure is a Safety
// error (exit 5) naming the rule, the numbers and how to proceed.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/sync/job.hpp"
#include "core/sync/plan.hpp"

namespace daoctl::sync {

struct GuardInput {
  std::map<std::string, long> source_records;    // this run
  std::map<std::string, long> previous_records;  // the last successful run (may be empty)
  // --allow-deprovision: the hash of the one plan allowed past the
  // deactivation thresholds.
  std::string allowed_plan_hash;
};

// Source rules: no source may be empty (unless its min_source_records is 0),
// below its floor, or shrink by more than max_source_shrink_percent since the
// last successful run. Deactivation rules: at most max_deprovisions and at
// most max_deprovisions_percent of the managed accounts, unless the plan's
// hash was allowed explicitly. Adoptions (--adopt-from) count like
// deactivations against safety.max_deprovisions.
Status check_guards(const JobSpec& job, const SyncPlan& plan, const GuardInput& input);

// sync apply --incremental: the deactivations of a change set are one
// batch, named by deactivation_batch_hash (over the people and reasons
// only, so the same batch read again has the same hash whatever else
// changed). check_stream_guards holds the batch when, unless its hash was
// allowed: a subtree (an OU) lost every employee it had (at least
// kVanishedMinimum) in this change set; with the deactivations applied in
// safety.window before it, it is more than safety.max_deprovisions; it is
// more than safety.max_deprovisions_percent of `managed`. The Safety error
// names the rule and the hash; the caller applies the rest of the plan.
struct StreamGuardInput {
  long recent_deactivations = 0;   // applied within safety.window before this run
  long managed = 0;                // employees of the job (the last full read)
  std::vector<std::pair<std::string, long>> vanished;  // subtree DN, employees it had
  std::string allowed_hash;        // --allow-deprovision
};
inline constexpr long kVanishedMinimum = 5;
std::string deactivation_batch_hash(const SyncPlan& plan);
Status check_stream_guards(const JobSpec& job, const SyncPlan& plan, const StreamGuardInput& input);

}  // namespace daoctl::sync
