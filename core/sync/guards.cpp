#include "core/sync/guards.hpp"

#include <fmt/format.h>

#include <algorithm>

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
  // A join that matches almost nothing is a broken key format, not a
  // company without HR records: every HR field would go stale.
  for (const auto& j : plan.joins) {
    if (!j.contains("rate")) continue;
    const std::string source = j.value("source", "");
    auto own = job.safety.min_join_rate_of.find(source);
    const double floor = own != job.safety.min_join_rate_of.end() ? own->second : job.safety.min_join_rate;
    const double rate = j["rate"].get<double>();
    if (rate < floor) {
      const long left = j.value("left_records", 0L);
      const long right = j.value("right_keys", j.value("right_records", 0L));
      return fail(ErrorKind::Safety,
                  fmt::format("join '{}' matched {} of {} record(s) ({:.1f}%), less than safety.min_join_rate ({:.0f}%)",
                              j.value("join", ""), j.value("matched", 0L), std::min(left, right), 100 * rate,
                              100 * floor),
                  "job " + job.name,
                  fmt::format("{} left record(s), {} {} record(s): the two sides' keys rarely agree (leading "
                              "zeros, spaces, another field?)",
                              left, right, source),
                  "nothing was changed; see the unmatched records with -o json, normalise the keys in the join "
                  "(e.g. hr.key | digits | replace('^0+', '') = ad.employeeID | replace('^0+', '')), or lower "
                  "safety.min_join_rate");
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
