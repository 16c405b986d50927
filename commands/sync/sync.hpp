// daoctl sync: employees from directories and HR systems into the platform.
//   sync validate -f job.yaml   check the job file (every problem, file:line:column)
//   sync plan -f job.yaml       read sources and platform, print the changes
//   sync apply -f job.yaml      plan and carry it out (or a saved --plan)
//   sync status -f job.yaml     what the last run did
#pragma once

#include "commands/common/cli_fwd.hpp"
#include <string>
#include <vector>

#include "commands/common/context.hpp"

namespace daoctl::commands {

struct SyncOptions {
  std::string job_file;
  std::string state_dir;        // default: local::default_state_dir()
  std::string plan_out;         // plan: --out FILE
  std::string plan_in;          // apply: --plan FILE
  bool detailed_exitcode = false;
  std::string allow_deprovision;  // a plan hash
  std::vector<std::string> adopt_from;  // --adopt-from JOB: take over that job's accounts
  int concurrency = 0;          // 0: the job's apply.concurrency
  int retries = 0;              // --retries: tries per request; 0: the job's apply.retries
  double max_retry_wait = 0;    // --max-retry-wait seconds; 0: the job's apply.retries
  std::string summary_file;     // overrides report.summary_file
  std::string metrics_file;     // overrides report.metrics_file
  std::string results_file;     // overrides report.results_file
  std::string today;            // yyyy-MM-dd, for tests; default: the local date
};

int run_sync_validate(const SyncOptions& opts, CommandContext& ctx);
int run_sync_plan(const SyncOptions& opts, CommandContext& ctx);
int run_sync_apply(const SyncOptions& opts, CommandContext& ctx);
int run_sync_status(const SyncOptions& opts, CommandContext& ctx);

void register_sync(CLI::App& root, CommandContext& ctx);

}  // namespace daoctl::commands
