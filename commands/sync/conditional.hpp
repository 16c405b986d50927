// sync watch of HTTP HR sources: conditional re-reads (issue 20).
//
// After a `sync watch` batch that applied everything (exit 0) the validators
// every http_json source's read returned (ETag / Last-Modified per page,
// connectors/hr/http_json_source.hpp) are saved, per job and source:
//   <state_dir>/<job>.<source>.http-validators.json   (0600, atomic)
// with the sha256 of the job file and the job's date they were applied with.
// The next batch sends them (If-None-Match / If-Modified-Since); when every
// source of the job answers "not modified" the batch reads nothing else: no
// platform read, no plan. They are used only when
//   - every source of the job is http_json and has a saved file,
//   - the job file is byte for byte the one they were applied with (an
//     edited mapping must apply to an unchanged source), and
//   - the job's date is the same (a termination date or a grace period
//     that falls due needs a plan even when the HR data did not change).
// Every `sync apply` (watch batch or not) that goes on to plan removes them
// first, so a batch that fails, is held by a guard or is killed leaves none:
// the next batch reads everything and re-applies, even if the HR API would
// answer 304 by then. Only `sync watch` saves them (SyncOptions::conditional);
// a plain `sync apply` stays a full reconciliation.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "commands/common/context.hpp"
#include "commands/sync/sync.hpp"
#include "connectors/hr/http_json_source.hpp"
#include "core/sync/job.hpp"

namespace daoctl::commands::sync_conditional {

using Validators = std::map<std::string, std::vector<hr::HttpValidator>>;  // by source name

// The sha256 of the job file's bytes ("" when it cannot be read), taken
// before the run loads the job: an edit after it makes the saved validators
// not match, never match wrongly.
std::string job_fingerprint(const std::string& job_file);

std::string validators_path(const std::string& state_dir, const std::string& job, const std::string& source);

// The saved validators of every source of `job`, when all of them can be
// used (see above); else an empty map: the batch reads unconditionally.
Validators load(const std::string& state_dir, const sync::JobSpec& job, const std::string& job_sha256);

// Removes every source's saved validators (missing files are fine). A file
// that cannot be removed is an error: the run must not go on to apply with
// validators that would outlive a failure.
Status forget(const std::string& state_dir, const sync::JobSpec& job);

// Saves `validators` (one file per source that returned some) after a run
// that applied everything. Sources without validators get no file, so the
// next batch is unconditional.
Status save(const std::string& state_dir, const sync::JobSpec& job, const std::string& job_sha256,
            const Validators& validators, std::chrono::system_clock::time_point now);

// "source hr unchanged since the last applied run (HTTP 304)".
std::string unchanged_line(const sync::JobSpec& job);

}  // namespace daoctl::commands::sync_conditional
