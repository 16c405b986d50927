#include "commands/common/context.hpp"

#include "core/config/config_files.hpp"

#include <sstream>

namespace daoctl::commands {

CommandContext::CommandContext(Io& io, config::Env env, ClientFactory factory)
    : io_(io), env_(std::move(env)), factory_(std::move(factory)) {}

std::string CommandContext::config_path() const {
  return config::config_path(global.config, env_);
}

const std::optional<config::ConfigFile>& CommandContext::config_file() {
  if (!config_file_) config_file_ = value_or_throw(config::load_config_file(config_path()));
  return *config_file_;
}

const config::ResolvedContext& CommandContext::resolved() {
  if (!resolved_) {
    // A config file named on purpose (--config, DAOCTL_CONFIG) that is not
    // there is a mistake to report, not a reason to fall back to defaults:
    // a typo would otherwise send the command to another platform, or none.
    // The default path may be absent (environment variables then suffice),
    // and `config set-context` creates a named file without coming here.
    if (config::config_path_named(global.config, env_) && !config_file())
      throw CommandError(ErrorKind::Config, "the config file does not exist", config_path(),
                         global.config && !global.config->empty() ? "named by --config" : "named by DAOCTL_CONFIG",
                         "check the path, or create it with: daoctl config set-context NAME --url URL");
    config::FlagOverrides flags;
    flags.context = global.context;
    flags.url = global.url;
    flags.ca_file = global.ca_file;
    flags.insecure = global.insecure;
    flags.timeout_seconds = global.timeout_seconds;
    resolved_ = value_or_throw(config::resolve_context(flags, env_, config_file()));
  }
  return *resolved_;
}

std::chrono::seconds CommandContext::attempt_timeout() const {
  return global.attempt_timeout_seconds ? std::chrono::seconds(*global.attempt_timeout_seconds)
                                        : kDefaultAttemptTimeout;
}

ClientSettings CommandContext::client_settings() {
  const auto& r = resolved();
  if (r.url.empty()) {
    throw CommandError(ErrorKind::Config, "no platform URL configured", "",
                       "none of --url, DAOCTL_URL or a config context sets one",
                       "export DAOCTL_URL=https://..., or run: daoctl config set-context NAME "
                       "--url URL");
  }
  ClientSettings s;
  s.url = r.url;
  s.token = value_or_throw(config::read_token(r.token));
  s.ca_file = r.ca_file;
  s.insecure = r.insecure;
  s.timeout = attempt_timeout();
  // --timeout bounds the whole command; a person at a terminal waits less
  // than a cron job, which has no overall limit unless one is asked for.
  std::optional<std::chrono::seconds> total;
  if (long_running) total.reset();
  else if (r.timeout_explicit) total = r.timeout;
  else if (job_report == nullptr) total = kInteractiveTimeout;
  if (total) {
    s.total_timeout = *total;
    s.deadline = started + *total;
    s.timeout = std::min(s.timeout, *total);
  }
  s.retry_notices = global.verbose > 0 ||
                    (io_.stderr_is_tty() && !global.quiet && global.log_format != "json");
  s.concurrency = global.concurrency.value_or(kDefaultConcurrency);
  s.rate_limit = global.rate_limit.value_or(0);
  if (global.max_attempts) s.max_attempts = *global.max_attempts;
  s.max_retry_wait = global.max_retry_wait;
  if (global.pacing) s.pacing.adaptive = *global.pacing != "fixed";
  if (global.pacing_min_rate) s.pacing.min_rate = *global.pacing_min_rate;
  s.verbose = global.verbose > 0;
  return s;
}

platform::PlatformClient& CommandContext::client() {
  if (!client_) client_ = factory_(client_settings(), io_);
  return *client_;
}

std::unique_ptr<platform::PlatformClient> CommandContext::probe_client(
    const ClientSettings& settings) {
  ClientSettings probe = settings;
  probe.max_attempts = 1;
  probe.timeout = std::min(probe.timeout, std::chrono::seconds(10));
  return factory_(probe, io_);
}

output::Format CommandContext::format() const {
  if (global.output.empty()) return output::Format::Table;
  return value_or_throw(output::parse_format(global.output));
}

void CommandContext::print_list(const std::vector<json>& items,
                                const std::vector<output::Column>& columns) {
  // Rendered first so that a long list can go through the pager on a terminal.
  std::ostringstream text;
  output::render_list(text, items, columns, format(), style());
  io_.write_paged(text.str());
  io_.out().flush();
}

void CommandContext::print_item(const json& item, const std::vector<output::Column>& columns) {
  switch (format()) {
    case output::Format::Json:
      output::render_json(io_.out(), item);
      break;
    case output::Format::Yaml:
      output::render_yaml(io_.out(), item);
      break;
    case output::Format::Table:
    case output::Format::Csv:
      output::render_list(io_.out(), {item}, columns, format(), style());
      break;
  }
  io_.out().flush();
}

void CommandContext::info(const std::string& line) {
  if (!global.quiet) io_.err() << line << '\n';
}

void CommandContext::warn(const std::string& line) { io_.err() << "warning: " << line << '\n'; }

}  // namespace daoctl::commands
