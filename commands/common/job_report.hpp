// The run report every job command writes for cron, systemd and Kubernetes:
// a JSON summary (--summary-file) and Prometheus textfile metrics
// (--metrics-file), both replaced atomically, on success and on failure.
//
// Summary: {command, started, finished, duration_seconds, status, exit_code,
// counts{...}, errors[...]} plus the command's own fields. status is ok,
// partial (3), safety_stop (5), auth_failed (4), not_found (7) or failed.
// Metrics (gauges, with the report's labels):
//   daoctl_<job>_last_run_success            1 or 0
//   daoctl_<job>_last_run_timestamp_seconds  when this run finished
//   daoctl_<job>_last_success_timestamp_seconds  kept from the previous file on failure
//   daoctl_<job>_duration_seconds
//   daoctl_<job>_last_run_exit_code
//   daoctl_<job>_items{kind="..."}           one per count
// A run that found the job locked (exit 6) writes nothing: the files belong
// to the run that holds the lock.
#pragma once

#include "commands/common/cli_fwd.hpp"
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "commands/common/context.hpp"

namespace daoctl::commands {

struct JobReportFiles {
  std::string summary_file;
  std::string metrics_file;
};

// Adds --summary-file and --metrics-file to `cmd`. `legacy_aliases` also
// accepts the older spellings --summary and --metrics (backup run).
void add_job_report_flags(CLI::App& cmd, JobReportFiles& files, bool legacy_aliases = false);

class JobReport {
 public:
  // command: "sync apply"; metric_job: the metric prefix, daoctl_<metric_job>_*.
  JobReport(std::string command, std::string metric_job);

  const std::string& command() const { return command_; }
  const std::string& metric_job() const { return metric_job_; }

  // Labels on every metric line (e.g. job="nightly").
  std::map<std::string, std::string> labels;
  // Numbers the run counted (created, failed, rows, bytes...).
  std::map<std::string, std::int64_t> counts;
  void count(const std::string& name, std::int64_t n) { counts[name] = n; }
  void add(const std::string& name, std::int64_t n = 1) { counts[name] += n; }
  // Per-item failures (the first 100 are kept).
  void error(const std::string& object, const std::string& message);
  nlohmann::json errors = nlohmann::json::array();
  // Command-specific fields merged into the summary's top level (never
  // replacing the common ones).
  nlohmann::json extra = nlohmann::json::object();
  // Extra Prometheus lines appended to the metrics file (with their HELP/TYPE).
  std::string extra_metrics;
  // Files to use when the flags name none (e.g. a sync job's report: block).
  JobReportFiles defaults;
  // Overrides the status derived from the exit code (e.g. "no_changes" is not
  // used; "safety_stop" is derived). Leave empty normally.
  std::string status;
  // Called with the finished summary (backup run prints it on stdout).
  std::function<void(const nlohmann::json&)> on_summary;

 private:
  std::string command_;
  std::string metric_job_;
};

// "ok", "partial", "safety_stop", ... for an exit code.
std::string job_status_for(int exit_code);

// The summary document. `failure` is the error that ended the run, if any.
nlohmann::json job_summary(const JobReport& report, std::chrono::system_clock::time_point started,
                           std::chrono::system_clock::time_point finished, double duration_seconds, int exit_code,
                           const Error* failure);

// The metrics text. `last_success` is the Unix time of the last successful
// run (this one when it succeeded), if known.
std::string job_metrics(const JobReport& report, int exit_code, double finished_unix, double duration_seconds,
                        std::optional<double> last_success);

// {k="v",…} with Prometheus escaping; "" for no labels.
std::string prometheus_labels(const std::map<std::string, std::string>& labels);

// The value of `metric` with exactly `labels` in a Prometheus text, if present.
std::optional<double> metric_value(const std::string& text, const std::string& metric,
                                   const std::map<std::string, std::string>& labels);

// Runs `body`, then writes the summary and metrics (whatever happened) and
// logs one "finished" line (a JSON object with fields under --log-format
// json). Rethrows the body's error; returns its exit status.
int run_reported(CommandContext& ctx, const JobReportFiles& files, JobReport& report,
                 const std::function<int(JobReport&)>& body);

// One structured log line on stderr: under --log-format json
// {"level","time","message","fields"}; as text "message (k=v, ...)" for
// info (suppressed by --quiet) and "warning: ..." for warn.
void log_event(CommandContext& ctx, const std::string& level, const std::string& message,
               const nlohmann::json& fields = nlohmann::json::object());

}  // namespace daoctl::commands
