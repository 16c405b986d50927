#include "commands/sync/verbs.hpp"

#include <fmt/format.h>

#include <map>
#include <CLI/CLI.hpp>

namespace daoctl::commands::sync_verbs {

std::string results_path(const std::string& results_file, const sync::JobSpec& job, const std::string& state_dir) {
  if (!results_file.empty()) return results_file;
  if (!job.report.results_file.empty()) return job.report.results_file;
  return state_dir + "/" + job.name + ".results.jsonl";
}

// Adopting another job's accounts is explicit and logged, in plan and apply.
void log_adoptions(const sync::SyncPlan& plan, CommandContext& ctx) {
  std::map<std::string, long> by_job;
  for (const auto& u : plan.users)
    if (!u.adopted_from.empty()) ++by_job[u.adopted_from];
  for (const auto& [job, n] : by_job)
    ctx.warn(fmt::format("adopting {} account(s) managed by job {} (--adopt-from {}); that job will leave them alone",
                         n, job, job));
}

CommandError collisions_error(const sync::SyncPlan& plan, const std::string& where) {
  return CommandError(ErrorKind::Partial,
                      fmt::format("{} employee(s) left out by userName/email collisions", plan.unresolved_collisions()),
                      "job " + plan.job, "unique: error (the default) leaves colliding people out; the rest is planned",
                      where);
}

void add_job_flags(CLI::App& cmd, SyncOptions& run) {
  cmd.add_option("-f,--file", run.job_file, "The sync job file (sync.yaml)")->required();
  cmd.add_option("--state-dir", run.state_dir, "Where locks, journals and last-run state live");
  cmd.add_option("--today", run.today, "The date rules compare with (yyyy-MM-dd; default: today)");
}

void add_retry_flags(CLI::App& cmd, SyncOptions& run) {
  cmd.add_option("--retries", run.retries, "Tries per request after 429, 5xx and network errors (default: the job's apply.retries.attempts, else 5)")
      ->check(CLI::Range(1, 100));
  cmd.add_option("--max-retry-wait", run.max_retry_wait,
                 "Longest wait in seconds before one retry (default: the job's apply.retries.max_wait)")
      ->check(CLI::Range(0.001, 3600.0));
}

}  // namespace daoctl::commands::sync_verbs
