// The safety guards of a sync: the checks that stand between a broken or
// suspicious source read and a mass deactivation. Each failure is a Safety
// error (exit 5) naming the rule, the numbers and how to proceed.
#pragma once

#include <map>
#include <string>

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

}  // namespace daoctl::sync
