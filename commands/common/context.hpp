// CommandContext: what every command's run function gets besides its Options —
// the Io, the global flags, the environment, and the platform client, built
// lazily so that commands that never call the platform (config, version
// without a server) work without a URL or token.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "commands/common/io.hpp"
#include "connectors/platform/client.hpp"
#include "core/config/config.hpp"
#include "core/output/render.hpp"

namespace daoctl::commands {

using nlohmann::json;

// Global flags (registered once on the root command by cli/).
struct GlobalOptions {
  std::optional<std::string> context;
  std::optional<std::string> config;
  std::optional<std::string> url;
  std::optional<std::string> ca_file;
  std::optional<int> timeout_seconds;         // --timeout: the whole command
  std::optional<int> attempt_timeout_seconds;  // --attempt-timeout: one attempt, and the stall limit
  std::string output;  // empty: table
  std::string log_format = "text";
  bool quiet = false;
  int verbose = 0;
  bool no_color = false;
  bool no_pager = false;
  bool yes = false;
  bool insecure = false;
  // Unset: the job file's apply.concurrency / apply.rate_limit for a job
  // command, else the defaults below (kDefaultConcurrency, no limit). A flag
  // always wins over the job file.
  std::optional<int> concurrency;
  std::optional<double> rate_limit;
  // Retries of a request (sync sets them from the job or its flags); unset:
  // the client's defaults.
  std::optional<int> max_attempts;
  std::optional<std::chrono::milliseconds> max_retry_wait;
  // --pacing adaptive|fixed (a sync job's apply.pacing.mode when unset);
  // the floor of a learned pace (apply.pacing.min_rate). docs/PACING.md.
  std::optional<std::string> pacing;
  std::optional<double> pacing_min_rate;
};

inline constexpr int kDefaultConcurrency = 8;
// The default whole-command limit of interactive commands (those that write
// no run report: users, groups, api, config, doctor...). Job commands (sync,
// deprovision, import, backup, stats export, apply) have none by default:
// each request still gives up after its attempts.
inline constexpr std::chrono::seconds kInteractiveTimeout{60};
inline constexpr std::chrono::seconds kDefaultAttemptTimeout{30};

// Everything needed to build a PlatformClient; token already read.
struct ClientSettings {
  std::string url;
  std::string token;
  std::string ca_file;
  bool insecure = false;
  // One attempt of a request, and the longest a transfer may go without a
  // byte (--attempt-timeout; default 30 s, never above the whole limit).
  std::chrono::seconds timeout{30};
  // The whole command's limit (--timeout, a context's timeout; default
  // kInteractiveTimeout for commands without a run report, none for jobs),
  // as a point in steady_clock time counted from the command's start.
  std::optional<std::chrono::steady_clock::time_point> deadline;
  std::chrono::seconds total_timeout{0};  // the same as a length, for messages (0: none)
  // Print one line per retry on stderr (a terminal, not --quiet).
  bool retry_notices = false;
  int concurrency = kDefaultConcurrency;
  double rate_limit = 0;
  int max_attempts = 5;
  // The longest wait before one retry (backoff cap and longest Retry-After
  // honoured); unset: the client's defaults.
  std::optional<std::chrono::milliseconds> max_retry_wait;
  platform::PacingOptions pacing;
  bool verbose = false;  // trace requests to Io::err (redacted by the transport)
};

class JobReport;  // commands/common/job_report.hpp

using ClientFactory =
    std::function<std::unique_ptr<platform::PlatformClient>(const ClientSettings&, Io&)>;

class CommandContext {
 public:
  CommandContext(Io& io, config::Env env, ClientFactory factory);

  Io& io() { return io_; }
  const config::Env& env() const { return env_; }

  GlobalOptions global;
  std::string client_version = "0.0.0";
  // Exit status of the command that ran (set by its callback; errors throw).
  int exit_status = 0;
  // The one map from an error to the process exit code, given by cli/ (the
  // only caller of exit_code_for), for a job's run summary, which records the
  // code the process will end with. Unset: every error is exit 1.
  std::function<int(ErrorKind)> exit_code_of;
  // The run report of the job command that is running (set by run_reported),
  // for counts and details; nullptr for other commands.
  JobReport* job_report = nullptr;
  std::function<std::chrono::system_clock::time_point()> now = [] {
    return std::chrono::system_clock::now();
  };
  // When the command started (steady clock): --timeout counts from here.
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  // A command that runs until it is stopped (sync watch): no overall time
  // limit at all, neither the interactive default nor --timeout, whose
  // deadline, counted from the start, would end every request after it
  // (--attempt-timeout still bounds each attempt).
  bool long_running = false;
  // One attempt's limit and the stall limit of transfers (--attempt-timeout).
  std::chrono::seconds attempt_timeout() const;

  // The config file path in effect (--config > DAOCTL_CONFIG > XDG > HOME).
  std::string config_path() const;
  // The parsed config file (nullopt if absent); read once. Throws CommandError.
  const std::optional<config::ConfigFile>& config_file();
  // Flags > env > file > defaults; computed once. Throws CommandError.
  const config::ResolvedContext& resolved();
  // Settings for a client: URL required (Config error otherwise), token read.
  ClientSettings client_settings();
  // The shared client, built on first use. Throws CommandError.
  platform::PlatformClient& client();
  // The shared client if a command built it, else null (never builds one).
  const platform::PlatformClient* built_client() const { return client_.get(); }
  // A separate client that tries each request once with a short timeout,
  // for probes (version, doctor) that must report rather than retry.
  std::unique_ptr<platform::PlatformClient> probe_client(const ClientSettings& settings);

  // -o/--output, defaulting to table. Throws a Usage error for a bad name.
  output::Format format() const;
  output::RenderStyle style() { return {io_.colour()}; }

  // Renders items / one item on stdout in the selected format.
  void print_list(const std::vector<json>& items, const std::vector<output::Column>& columns);
  void print_item(const json& item, const std::vector<output::Column>& columns);
  // A status line on stderr, suppressed by --quiet.
  void info(const std::string& line);
  // A warning line on stderr ("warning: ..."), never suppressed.
  void warn(const std::string& line);

 private:
  Io& io_;
  config::Env env_;
  ClientFactory factory_;
  std::optional<std::optional<config::ConfigFile>> config_file_;
  std::optional<config::ResolvedContext> resolved_;
  std::unique_ptr<platform::PlatformClient> client_;
};

}  // namespace daoctl::commands
