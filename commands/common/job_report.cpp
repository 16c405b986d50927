#include "commands/common/job_report.hpp"

#include "connectors/local/interrupt_cleanup.hpp"

#include <fmt/format.h>

#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <csignal>
#include <exception>
#include <sstream>
#include <CLI/CLI.hpp>

#include <thread>

#include "connectors/local/files.hpp"
#include "core/text/date.hpp"

namespace daoctl::commands {

using nlohmann::json;

namespace {

std::string escape_label(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out.push_back(c);
  }
  return out;
}

std::string label_text(const std::map<std::string, std::string>& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  for (const auto& [k, v] : labels) {
    if (out.size() > 1) out += ",";
    out += k + "=\"" + escape_label(v) + "\"";
  }
  return out + "}";
}

std::string metric_name_part(const std::string& text) {
  std::string out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    out.push_back(std::isalnum(u) ? static_cast<char>(std::tolower(u)) : '_');
  }
  return out;
}

}  // namespace

void add_job_report_flags(CLI::App& cmd, JobReportFiles& files, bool legacy_aliases) {
  cmd.add_option(legacy_aliases ? "--summary-file,--summary" : "--summary-file", files.summary_file,
                 "Write the JSON run summary to this file (atomically, also on failure)");
  cmd.add_option(legacy_aliases ? "--metrics-file,--metrics" : "--metrics-file", files.metrics_file,
                 "Write Prometheus textfile metrics to this file (atomically, also on failure)");
}

JobReport::JobReport(std::string command, std::string metric_job)
    : command_(std::move(command)), metric_job_(metric_name_part(metric_job)) {}

void JobReport::error(const std::string& object, const std::string& message) {
  if (errors.size() < 100) errors.push_back({{"object", object}, {"message", message}});
}

std::string job_status_for(int exit_code) {
  switch (exit_code) {
    case exit_code::ok: return "ok";
    case exit_code::partial: return "partial";
    case exit_code::safety: return "safety_stop";
    case exit_code::auth: return "auth_failed";
    case exit_code::locked: return "locked";
    case exit_code::not_found: return "not_found";
    case exit_code::usage: return "usage_error";
    case exit_code::interrupted: return "interrupted";
    default: return "failed";
  }
}

json job_summary(const JobReport& report, std::chrono::system_clock::time_point started,
                 std::chrono::system_clock::time_point finished, double duration_seconds, int exit_code,
                 const Error* failure) {
  json j = json::object();
  j["command"] = "daoctl " + report.command();
  j["started"] = text::format_rfc3339(started);
  j["finished"] = text::format_rfc3339(finished);
  j["duration_seconds"] = std::round(duration_seconds * 1000) / 1000;
  j["status"] = report.status.empty() ? job_status_for(exit_code) : report.status;
  j["exit_code"] = exit_code;
  j["counts"] = json::object();
  for (const auto& [k, v] : report.counts) j["counts"][k] = v;
  json errors = report.errors;
  if (failure) {
    json e = {{"kind", to_string(failure->kind)}, {"message", failure->describe()}};
    if (!failure->object.empty()) e["object"] = failure->object;
    if (!failure->hint.empty()) e["hint"] = failure->hint;
    errors.push_back(e);
  }
  j["errors"] = errors;
  for (const auto& [k, v] : report.extra.items())
    if (!j.contains(k)) j[k] = v;
  return j;
}

std::string prometheus_labels(const std::map<std::string, std::string>& labels) { return label_text(labels); }

std::string job_metrics(const JobReport& report, int exit_code, double finished_unix, double duration_seconds,
                        std::optional<double> last_success) {
  const std::string prefix = "daoctl_" + report.metric_job();
  const std::string labels = label_text(report.labels);
  std::string out;
  auto gauge = [&](const std::string& name, const std::string& help, const std::string& value) {
    out += fmt::format("# HELP {0} {1}\n# TYPE {0} gauge\n{0}{2} {3}\n", prefix + name, help, labels, value);
  };
  gauge("_last_run_success", "1 if the last run of daoctl " + report.command() + " succeeded, else 0.",
        exit_code == exit_code::ok ? "1" : "0");
  gauge("_last_run_timestamp_seconds", "Unix time the last run finished.", fmt::format("{:.0f}", finished_unix));
  if (last_success)
    gauge("_last_success_timestamp_seconds", "Unix time of the last successful run.",
          fmt::format("{:.0f}", *last_success));
  gauge("_duration_seconds", "Wall time of the last run.", fmt::format("{:.3f}", duration_seconds));
  gauge("_last_run_exit_code", "Exit code of the last run (see daoctl(1)).", std::to_string(exit_code));
  if (!report.counts.empty()) {
    const std::string name = prefix + "_items";
    out += fmt::format("# HELP {0} What the last run counted, by kind.\n# TYPE {0} gauge\n", name);
    for (const auto& [kind, n] : report.counts) {
      auto l = report.labels;
      l["kind"] = kind;
      out += fmt::format("{}{} {}\n", name, label_text(l), n);
    }
  }
  // What the platform client did (the summary's "http" block): retries,
  // throttling and the pace it learned (docs/PACING.md).
  if (auto http = report.extra.find("http"); http != report.extra.end() && http->is_object()) {
    auto number = [&](const json& parent, const char* key) -> std::optional<double> {
      auto it = parent.find(key);
      if (it == parent.end() || !it->is_number()) return std::nullopt;
      return it->get<double>();
    };
    auto http_gauge = [&](const json& parent, const char* key, const std::string& name, const std::string& help) {
      if (auto v = number(parent, key)) gauge(name, help, fmt::format("{:g}", *v));
    };
    http_gauge(*http, "requests", "_http_requests", "HTTP requests sent to the platform in the last run, retries included.");
    http_gauge(*http, "retries", "_http_retries", "Requests of the last run that were retries.");
    http_gauge(*http, "throttled", "_http_throttled", "Answers 429 or 503 in the last run.");
    http_gauge(*http, "retry_wait_seconds", "_http_retry_wait_seconds",
               "Seconds retries waited out backoff or Retry-After in the last run, summed over requests.");
    if (auto pacing = http->find("pacing"); pacing != http->end() && pacing->is_object()) {
      http_gauge(*pacing, "rate", "_http_pacing_rate",
                 "The pace learned from 429/503 and RateLimit-Policy at the end of the last run, requests/s (0: not paced).");
      http_gauge(*pacing, "lowest_rate", "_http_pacing_lowest_rate", "The lowest pace of the last run, requests/s (0: not paced).");
      http_gauge(*pacing, "wait_seconds", "_http_pacing_wait_seconds",
                 "Seconds requests were held back for their slot of the pace in the last run, summed over requests.");
    }
  }
  out += report.extra_metrics;
  return out;
}

std::optional<double> metric_value(const std::string& text, const std::string& metric,
                                   const std::map<std::string, std::string>& labels) {
  const std::string key = metric + label_text(labels) + " ";
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.starts_with(key)) continue;
    try {
      return std::stod(line.substr(key.size()));
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

void log_event(CommandContext& ctx, const std::string& level, const std::string& message, const json& fields) {
  if (ctx.global.log_format == "json") {
    json line = {{"level", level},
                 {"time", text::format_rfc3339(ctx.now())},
                 {"message", message}};
    if (!fields.empty()) line["fields"] = fields;
    ctx.io().err() << line.dump() << '\n' << std::flush;
    return;
  }
  std::string text = message;
  if (!fields.empty()) {
    std::string kv;
    for (const auto& [k, v] : fields.items()) {
      if (!kv.empty()) kv += ", ";
      kv += k + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
    }
    text += " (" + kv + ")";
  }
  if (level == "warn" || level == "error") ctx.warn(text);
  else ctx.info(text);
}

namespace {

// Writes the summary and the metrics file of a finished (or interrupted)
// run. Returns the first write error.
std::optional<CommandError> write_report_files(const std::string& summary_file, const std::string& metrics_file,
                                               const JobReport& report, const json& summary, int code,
                                               std::chrono::system_clock::time_point finished, double duration) {
  std::optional<CommandError> write_failure;
  // The summary names people (per-item errors): 0600, like the state dir.
  if (!summary_file.empty())
    if (auto st = local::write_file_atomic(summary_file, summary.dump(2) + "\n", 0600); !st)
      write_failure = CommandError(Error(st.error()));
  if (!metrics_file.empty()) {
    const double finished_unix = std::chrono::duration<double>(finished.time_since_epoch()).count();
    std::optional<double> last_success;
    if (code == exit_code::ok) {
      last_success = finished_unix;
    } else if (auto old = local::read_file(metrics_file)) {
      last_success =
          metric_value(*old, "daoctl_" + report.metric_job() + "_last_success_timestamp_seconds", report.labels);
    }
    if (auto st = local::write_file_atomic(metrics_file, job_metrics(report, code, finished_unix, duration, last_success));
        !st && !write_failure)
      write_failure = CommandError(Error(st.error()));
  }
  return write_failure;
}

// While a job command runs, SIGINT and SIGTERM are taken by this thread
// instead of the process-wide handler (cli/app.cpp, which _exits at once):
// it writes the summary (status "interrupted", exit code 130) and the
// metrics, as a failed run does, then ends the process with 130 - so a
// monitor never keeps showing the previous run's success. Work already on
// disk (journals, the deprovisioning ledger and its intents) is what the
// next run reconciles. The signals are blocked in the calling thread before
// the body starts, so every thread the body creates inherits the block.
// What the thread reads of the report (labels, the files) is set before the
// slow part of a run; the counts are not reported (they are mid-update).
class InterruptWatcher {
 public:
  InterruptWatcher(const JobReportFiles& files, JobReport& report, std::chrono::system_clock::time_point started,
                   std::chrono::steady_clock::time_point steady_started)
      : files_(files), report_(report), started_(started), steady_started_(steady_started) {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    sigaddset(&set_, SIGUSR2);  // "stop watching"
    if (pthread_sigmask(SIG_BLOCK, &set_, &old_) != 0) return;
    active_ = true;
    thread_ = std::thread([this] { watch(); });
  }
  ~InterruptWatcher() {
    if (!active_) return;
    stopping_ = true;
    pthread_kill(thread_.native_handle(), SIGUSR2);
    thread_.join();
    // A SIGINT/SIGTERM that came in after the thread stopped is still
    // pending: restoring the mask delivers it to the process-wide handler.
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  InterruptWatcher(const InterruptWatcher&) = delete;
  InterruptWatcher& operator=(const InterruptWatcher&) = delete;

 private:
  void watch() {
    for (;;) {
      int sig = 0;
      if (sigwait(&set_, &sig) != 0) continue;
      if (sig == SIGUSR2) {
        if (stopping_) return;
        continue;
      }
      interrupted(sig);
    }
  }

  [[noreturn]] void interrupted(int sig) {
    // Temporary files (an export's file before its rename) go first.
    local::remove_registered_files();
    static const char message[] = "\ndaoctl: interrupted\n";
    [[maybe_unused]] auto n = ::write(STDERR_FILENO, message, sizeof message - 1);
    try {
      JobReport snapshot(report_.command(), report_.metric_job());
      snapshot.labels = report_.labels;
      const std::string summary_file =
          !files_.summary_file.empty() ? files_.summary_file : report_.defaults.summary_file;
      const std::string metrics_file =
          !files_.metrics_file.empty() ? files_.metrics_file : report_.defaults.metrics_file;
      const auto finished = std::chrono::system_clock::now();
      const double duration =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - steady_started_).count();
      json summary = job_summary(snapshot, started_, finished, duration, exit_code::interrupted, nullptr);
      summary["errors"].push_back({{"kind", "interrupted"},
                                   {"message", std::string("interrupted by ") + (sig == SIGINT ? "SIGINT" : "SIGTERM")},
                                   {"hint", "the next run reconciles what was done and converges"}});
      write_report_files(summary_file, metrics_file, snapshot, summary, exit_code::interrupted, finished, duration);
    } catch (...) {
      // Nothing more can be said: the exit code still tells.
    }
    // The main thread ran on meanwhile. It registers no new temporary now
    // (the registry stays closed), but a library may have written again
    // under a path already removed (libxlsxwriter opens its output only
    // when it closes the workbook): a last pass, a moment before the end.
    local::remove_registered_files();
    ::_exit(exit_code::interrupted);
  }

  const JobReportFiles& files_;
  JobReport& report_;
  std::chrono::system_clock::time_point started_;
  std::chrono::steady_clock::time_point steady_started_;
  sigset_t set_{};
  sigset_t old_{};
  bool active_ = false;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace

int run_reported(CommandContext& ctx, const JobReportFiles& files, JobReport& report,
                 const std::function<int(JobReport&)>& body) {
  const auto started = ctx.now();
  const auto steady_started = std::chrono::steady_clock::now();
  int code = exit_code::ok;
  std::optional<CommandError> failure;
  std::exception_ptr internal;  // rethrown as it was: cli/ reports it as a bug
  struct Scope {
    CommandContext& ctx;
    JobReport* previous;
    ~Scope() { ctx.job_report = previous; }
  } scope{ctx, ctx.job_report};
  ctx.job_report = &report;
  try {
    InterruptWatcher watcher(files, report, started, steady_started);
    code = body(report);
  } catch (const CommandError& e) {
    failure = e;
    code = ctx.exit_code_of ? ctx.exit_code_of(e.error().kind) : exit_code::failure;
  } catch (const std::exception& e) {
    internal = std::current_exception();
    failure = CommandError(ErrorKind::Internal, "internal error", "", e.what());
    code = exit_code::failure;
  }
  const auto finished = ctx.now();
  const double duration = std::chrono::duration<double>(std::chrono::steady_clock::now() - steady_started).count();
  const std::string summary_file = !files.summary_file.empty() ? files.summary_file : report.defaults.summary_file;
  const std::string metrics_file = !files.metrics_file.empty() ? files.metrics_file : report.defaults.metrics_file;
  json summary = job_summary(report, started, finished, duration, code, failure ? &failure->error() : nullptr);
  // What the platform client did, retries included (a run through 429s and
  // resets says so); commands with their own "http" block keep it.
  if (const auto* client = ctx.built_client(); client && !summary.contains("http")) {
    summary["http"] = platform::stats_json(client->stats(), client->options().pacing);
  }
  if (summary.contains("http") && !report.extra.contains("http")) report.extra["http"] = summary["http"];
  std::optional<CommandError> write_failure;
  if (code != exit_code::locked)
    write_failure = write_report_files(summary_file, metrics_file, report, summary, code, finished, duration);
  if (report.on_summary) report.on_summary(summary);
  json fields = {{"command", summary["command"]}, {"status", summary["status"]}, {"exit_code", code},
                 {"duration_seconds", summary["duration_seconds"]}};
  if (!report.counts.empty()) fields["counts"] = summary["counts"];
  if (ctx.global.log_format == "json")
    log_event(ctx, code == exit_code::ok ? "info" : "error", "daoctl " + report.command() + " finished", fields);
  if (internal) std::rethrow_exception(internal);
  if (failure) throw *failure;
  if (write_failure) {
    // The job itself succeeded, but monitoring would not see it: say so.
    if (code == exit_code::ok) throw *write_failure;
    ctx.warn("cannot write the run report: " + write_failure->error().describe());
  }
  return code;
}

}  // namespace daoctl::commands
