// The steps a sync run shares between plan and apply: load the job, read the
// sources and the platform concurrently, check the guards, compute the plan;
// and the run's reports (summary JSON, Prometheus textfile, results journal).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "commands/common/context.hpp"
#include "commands/sync/conditional.hpp"
#include "commands/sync/incremental.hpp"
#include "commands/sync/sync.hpp"
#include "connectors/targets/scim_target.hpp"
#include "core/deprovision/ledger.hpp"
#include "core/deprovision/pipeline.hpp"
#include "core/sync/desired.hpp"
#include "core/sync/executor.hpp"
#include "core/sync/guards.hpp"
#include "core/sync/job.hpp"
#include "core/sync/plan.hpp"

namespace daoctl::commands::sync_engine {

struct SourceStat {
  long records = 0;
  double seconds = 0;
};

struct Session {
  sync::JobSpec job;
  std::string state_dir;
  std::string today;
  std::chrono::system_clock::time_point started;
  std::map<std::string, SourceStat> sources;
  sync::PlatformState state;
  sync::SyncPlan plan;
  long skipped_records = 0;
  // An incremental run's change set was planned (sync apply --incremental):
  // source counts are changes, not the directory, so the source-size guards
  // and the state file's counts are left alone.
  bool scoped = false;
  // SyncOptions::conditional: every source answered "not modified" to the
  // saved validators; nothing else was read (no target, no platform state,
  // no plan) and the run has nothing to do.
  bool sources_unchanged = false;
  // The job file's sha256 as the run began, and the validators the http_json
  // sources' reads returned: saved after a conditional run applied everything.
  std::string job_sha256;
  sync_conditional::Validators http_validators;
  std::unique_ptr<targets::ScimSyncTarget> target;
  // Employees a deprovision.dismissed_when rule dismissed: external id -> reason.
  std::map<std::string, std::string> dismissed;
  // The dismissal date the sources give for them (external id -> yyyy-MM-dd).
  std::map<std::string, std::string> dismissed_since;
  // The job's deprovisioning ledger as read at the start of the run, with
  // the intents of an interrupted run reconciled against the platform
  // (`reconciled`; the apply commands save and audit them, plans do not).
  deprovision::Ledger ledger;
  deprovision::Reconciliation reconciled;
  // Where the desired photos' bytes wait for apply (an anonymous file,
  // connectors/local/photo_spool.hpp); null when the job maps no photo or
  // the spool could not be made (then they stay in memory, with a warning).
  std::unique_ptr<sync::PhotoStore> photo_store;
  // The photos plan.photos uploads (only those), by external id.
  sync::PhotoBytes photo_bytes;

  // plan.hash(), computed once: it serialises the whole plan (10k users:
  // tens of milliseconds), and the journal and the summary both need it.
  // The plan must not change after the first call.
  const std::string& plan_hash() const {
    if (plan_hash_.empty()) plan_hash_ = plan.hash();
    return plan_hash_;
  }

 private:
  mutable std::string plan_hash_;
};

// Loads and checks the job file. Throws CommandError (Config) listing problems.
sync::JobSpec load_job_file(const std::string& path, const std::string& today);
// Same; with an empty `today` the date is `now` in the job's deprovision.timezone.
sync::JobSpec load_job_file(const std::string& path, const std::string& today,
                            std::optional<std::chrono::system_clock::time_point> now);

// Loads the job, connects to the target and reads its state; with
// `read_sources` also reads every source (concurrently with the platform)
// and computes the plan. Guards are not checked here (check_guards).
// Throws CommandError: Config, Network/Auth for the platform, Safety for a
// failed source read.
// With `inc` (sync apply --incremental) the primary source is read through
// RFC 4533 content sync: from the saved cookie only its changes, planned
// against the accounts they concern (Session::scoped); else, or when the
// cookie is stale, everything, as a normal run.
Session prepare(const SyncOptions& opts, CommandContext& ctx, bool read_sources,
                sync_incremental::Run* inc = nullptr);

// For `sync apply --plan`: a saved plan names its photos by sha256 only, so
// the sources are read again for their bytes (apply checks each against the
// plan). Nothing is read when the plan uploads no photo. Throws CommandError
// (Safety) when a source cannot be read, before anything is changed.
void load_photo_bytes(Session& s, const SyncOptions& opts);

// This run's numbers for the guards (previous counts from the job's state).
sync::GuardInput guard_input(const Session& s, const std::string& allow);

// "Plan: 2 to create, 1 to update, …" and the per-object diff.
void render_plan(const sync::SyncPlan& plan, const Session& session, CommandContext& ctx);

// The JSON run summary written for cron (report.summary_file / --summary-file).
nlohmann::json run_summary(const Session& s, const std::string& result,
                           const sync::ApplyReport* report, CommandContext& ctx);
// Fills the running job report (ctx.job_report: summary fields, counts,
// metrics) and writes the state file on success. Never throws: a state file
// that cannot be written is a warning, the run's result stands.
void write_reports(const SyncOptions& opts, const Session& s, const std::string& result,
                   const sync::ApplyReport* report, CommandContext& ctx);

std::string today_local(std::chrono::system_clock::time_point now);

// <state_dir>/<job>.deprovision.json: missing = empty; malformed = Config error.
std::string ledger_path(const std::string& state_dir, const std::string& job);
deprovision::Ledger load_ledger(const std::string& path);

}  // namespace daoctl::commands::sync_engine
