// daoctl sync: employees from directories and HR systems into the platform.
//   sync validate -f job.yaml   check the job file (every problem, file:line:column)
//   sync plan -f job.yaml       read sources and platform, print the changes
//   sync apply -f job.yaml      plan and carry it out (or a saved --plan)
//   sync status -f job.yaml     what the last run did
#pragma once

#include "commands/common/cli_fwd.hpp"
#include <functional>
#include <string>
#include <vector>

#include "commands/common/context.hpp"

namespace daoctl::commands {

// What the sync engine reads of a run (sync_engine::prepare,
// load_photo_bytes, write_reports): the flags every verb that reads the job
// shares. Each verb's Options holds one as `run`, next to its own flags; one
// verb per file (validate.cpp, plan.cpp, apply.cpp, status.cpp), sync.cpp
// only registers them.
struct SyncOptions {
  std::string job_file;
  std::string state_dir;        // default: local::default_state_dir()
  std::string today;            // yyyy-MM-dd, for tests; default: the local date
  std::vector<std::string> adopt_from;  // --adopt-from JOB: take over that job's accounts
  int concurrency = 0;          // 0: the job's apply.concurrency
  int retries = 0;              // --retries: tries per request; 0: the job's apply.retries
  double max_retry_wait = 0;    // --max-retry-wait seconds; 0: the job's apply.retries
  // sync watch: http_json sources are re-read conditionally (If-None-Match /
  // If-Modified-Since) with the validators of the last applied batch, which
  // an applied batch saves (commands/sync/conditional.hpp).
  bool conditional = false;
};

template <class Options>
using SyncRunner = std::function<int(const Options&, CommandContext&)>;

struct SyncValidateOptions {
  SyncOptions run;  // -f, --state-dir, --today
};
int run_sync_validate(const SyncValidateOptions& opts, CommandContext& ctx);
void register_sync_validate(CLI::App& group, CommandContext& ctx, SyncRunner<SyncValidateOptions> run = run_sync_validate);

struct SyncPlanOptions {
  SyncOptions run;                // also --adopt-from, --retries, --max-retry-wait
  std::string plan_out;           // --out FILE
  bool detailed_exitcode = false;
  std::string allow_deprovision;  // a plan hash
  std::string html_out;           // --html FILE: the review page
};
int run_sync_plan(const SyncPlanOptions& opts, CommandContext& ctx);
void register_sync_plan(CLI::App& group, CommandContext& ctx, SyncRunner<SyncPlanOptions> run = run_sync_plan);

struct SyncApplyOutcome;  // commands/sync/watch_state.hpp

struct SyncApplyOptions {
  SyncOptions run;                // also --adopt-from, --concurrency, --retries, --max-retry-wait
  std::string plan_in;            // --plan FILE
  std::string allow_deprovision;  // a plan hash
  std::string summary_file;       // overrides report.summary_file
  std::string metrics_file;       // overrides report.metrics_file
  std::string results_file;       // overrides report.results_file
  bool incremental = false;       // --incremental: only the directory's changes since the saved cookie
  double full_every = 0;          // --full-every SECONDS (apply --incremental, watch): a full read when the last is older (0: never)
  SyncApplyOutcome* outcome = nullptr;  // sync watch: what the run applied and held, filled in as it goes
};
int run_sync_apply(const SyncApplyOptions& opts, CommandContext& ctx);
void register_sync_apply(CLI::App& group, CommandContext& ctx, SyncRunner<SyncApplyOptions> run = run_sync_apply);

struct SyncStatusOptions {
  SyncOptions run;           // -f, --state-dir, --today
  std::string results_file;  // the results journal to read
};
int run_sync_status(const SyncStatusOptions& opts, CommandContext& ctx);
void register_sync_status(CLI::App& group, CommandContext& ctx, SyncRunner<SyncStatusOptions> run = run_sync_status);

void register_sync(CLI::App& root, CommandContext& ctx);

}  // namespace daoctl::commands
