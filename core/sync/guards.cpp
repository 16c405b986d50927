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

std::string deactivation_batch_hash(const SyncPlan& plan) {
  std::vector<std::string> lines;
  for (const auto& a : plan.users)
    if (a.kind == UserActionKind::Deactivate) lines.push_back(a.external_id + "\t" + a.id + "\t" + a.reason + "\n");
  std::sort(lines.begin(), lines.end());
  std::string all;
  for (const auto& l : lines) all += l;
  return "sha256:" + photo_sha256(all);
}

Status check_stream_guards(const JobSpec& job, const SyncPlan& plan, const StreamGuardInput& input) {
  const long batch = plan.count(UserActionKind::Deactivate);
  if (batch == 0) return {};
  const std::string hash = deactivation_batch_hash(plan);
  if (input.allowed_hash == hash) return {};
  const std::string allow =
      fmt::format("the other changes were applied; review the held deactivations (sync plan -o json lists them "
                  "once the directory is read again) and rerun with --incremental --allow-deprovision {}",
                  hash);
  const std::string held = fmt::format("{} deactivation(s) held, batch {}", batch, hash);
  for (const auto& [dn, had] : input.vanished)
    if (had >= kVanishedMinimum)
      return fail(ErrorKind::Safety,
                  fmt::format("every one of the {} employees under {} was deleted in one change set", had, dn),
                  "job " + job.name, held + "; a subtree that vanishes is more often a moved or deleted OU than "
                  "a department that left", allow);
  if (batch + input.recent_deactivations > job.safety.max_deprovisions)
    return fail(ErrorKind::Safety,
                job.safety.window_seconds > 0
                    ? fmt::format("{} deactivation(s) in this change set and {} in the {} s before it (safety.window) "
                                  "are more than safety.max_deprovisions ({})",
                                  batch, input.recent_deactivations, job.safety.window_seconds,
                                  job.safety.max_deprovisions)
                    : fmt::format("the change set deactivates {} accounts, more than safety.max_deprovisions ({})",
                                  batch, job.safety.max_deprovisions),
                "job " + job.name, held, allow);
  if (input.managed > 0) {
    // Over the window too: a burst that reaches the platform as many small
    // change sets (a watcher applies each change as it comes) is still one
    // burst.
    const long counted = batch + input.recent_deactivations;
    const double percent = 100.0 * static_cast<double>(counted) / static_cast<double>(input.managed);
    if (percent > job.safety.max_deprovisions_percent)
      return fail(ErrorKind::Safety,
                  input.recent_deactivations > 0
                      ? fmt::format("{} deactivation(s) in this change set and the {} s before it (safety.window) "
                                    "are {:.1f}% of the {} employees, more than safety.max_deprovisions_percent ({}%)",
                                    counted, job.safety.window_seconds, percent, input.managed,
                                    job.safety.max_deprovisions_percent)
                      : fmt::format("the change set deactivates {:.1f}% of the {} employees, more than "
                                    "safety.max_deprovisions_percent ({}%)",
                                    percent, input.managed, job.safety.max_deprovisions_percent),
                  "job " + job.name, held, allow);
  }
  return {};
}

}  // namespace daoctl::sync
