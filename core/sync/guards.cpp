#include "core/sync/guards.hpp"

#include <fmt/format.h>

namespace daoctl::sync {

Status check_guards(const JobSpec& job, const SyncPlan& plan, const GuardInput& input) {
  for (const auto& [name, count] : input.source_records) {
    auto floor_it = job.safety.min_source_records.find(name);
    long floor = floor_it == job.safety.min_source_records.end() ? 1 : floor_it->second;
    if (count < floor)
      return fail(ErrorKind::Safety, fmt::format("source {} returned {} record(s), fewer than {}", name, count, floor),
                  "job " + job.name, "a source this small looks like a broken export or an empty search base",
                  "nothing was changed; check the source, or lower safety.min_source_records." + name);
    auto prev = input.previous_records.find(name);
    if (job.safety.max_source_shrink_percent && prev != input.previous_records.end() && prev->second > 0 &&
        count < prev->second) {
      double shrink = 100.0 * static_cast<double>(prev->second - count) / static_cast<double>(prev->second);
      if (shrink > *job.safety.max_source_shrink_percent)
        return fail(ErrorKind::Safety,
                    fmt::format("source {} shrank by {:.1f}% since the last successful run ({} -> {} records)",
                                name, shrink, prev->second, count),
                    "job " + job.name,
                    fmt::format("more than safety.max_source_shrink_percent ({})", *job.safety.max_source_shrink_percent),
                    "nothing was changed; if the shrink is real, raise the limit for one run");
    }
  }
  // Taking accounts over from another job (--adopt-from) counts like
  // deactivating them: at most safety.max_deprovisions per run unless this
  // very plan was allowed.
  if (long adoptions = plan.adoptions();
      adoptions > job.safety.max_deprovisions && input.allowed_plan_hash != plan.hash())
    return fail(ErrorKind::Safety,
                fmt::format("the plan adopts {} accounts managed by other jobs, more than safety.max_deprovisions ({})",
                            adoptions, job.safety.max_deprovisions),
                "job " + job.name, "nothing was changed",
                fmt::format("review the plan and rerun with --allow-deprovision {}", plan.hash()));
  long deactivations = plan.count(UserActionKind::Deactivate);
  if (deactivations == 0 || input.allowed_plan_hash == plan.hash()) return {};
  std::string allow = fmt::format("review the plan and rerun with --allow-deprovision {}", plan.hash());
  if (deactivations > job.safety.max_deprovisions)
    return fail(ErrorKind::Safety,
                fmt::format("the plan deactivates {} accounts, more than safety.max_deprovisions ({})",
                            deactivations, job.safety.max_deprovisions),
                "job " + job.name, "nothing was changed", allow);
  if (plan.managed_users > 0) {
    double percent = 100.0 * static_cast<double>(deactivations) / static_cast<double>(plan.managed_users);
    if (percent > job.safety.max_deprovisions_percent)
      return fail(ErrorKind::Safety,
                  fmt::format("the plan deactivates {:.1f}% of the {} managed accounts, more than "
                              "safety.max_deprovisions_percent ({}%)",
                              percent, plan.managed_users, job.safety.max_deprovisions_percent),
                  "job " + job.name, "nothing was changed", allow);
  }
  return {};
}

}  // namespace daoctl::sync
