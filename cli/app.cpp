#include "cli/app.hpp"

#include "cli/docs.hpp"
#include "cli/complete.hpp"

#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <iostream>
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/terminal_io.hpp"
#include "cli/usage_help.hpp"
#include "commands/common/command_doc.hpp"
#include "connectors/local/interrupt_cleanup.hpp"
#include "core/output/progress.hpp"
#include "commands/common/output_formats.hpp"
#include "commands/register_all.hpp"
#include "core/text/ascii.hpp"

extern char** environ;

namespace daoctl::cli {

namespace {

config::Env process_env() {
  config::Env env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const char* eq = std::strchr(*e, '=');
    if (eq != nullptr) env.emplace(std::string(*e, static_cast<std::size_t>(eq - *e)), std::string(eq + 1));
  }
  return env;
}

// SIGINT/SIGTERM end the process with 130 at once. Nothing daoctl writes can
// be left half-done by this: files are replaced by rename(2), and the platform
// sees an aborted request like any dropped connection. Only async-signal-safe
// calls here, hence write(2) and _exit(2).
extern "C" void on_interrupt(int) {
  // Temporary files (an export's file before its rename) go first.
  local::remove_registered_files();
  static const char message[] = "\ndaoctl: interrupted\n";
  [[maybe_unused]] auto n = ::write(STDERR_FILENO, message, sizeof message - 1);
  ::_exit(exit_code::interrupted);
}

std::string json_escape(const std::string& s) { return nlohmann::json(s).dump(); }

void print_error(commands::Io& io, const std::string& log_format, const Error& e) {
  if (log_format == "json") {
    io.err() << "{\"level\":\"error\",\"kind\":" << json_escape(to_string(e.kind))
             << ",\"message\":" << json_escape(e.describe());
    if (!e.hint.empty()) io.err() << ",\"hint\":" << json_escape(e.hint);
    if (e.http_status != 0) io.err() << ",\"http_status\":" << e.http_status;
    io.err() << "}\n";
    return;
  }
  io.err() << "daoctl: error: " << e.describe() << '\n';
  if (!e.hint.empty()) io.err() << "hint: " << e.hint << '\n';
}

}  // namespace

bool colour_enabled(bool is_tty, const config::Env& env) {
  auto get = [&](const char* name) -> std::string {
    auto it = env.find(name);
    return it == env.end() ? std::string() : it->second;
  };
  const std::string force = get("CLICOLOR_FORCE");
  if (!force.empty() && force != "0") return true;
  if (!is_tty) return false;
  if (env.count("NO_COLOR") != 0 && !get("NO_COLOR").empty()) return false;
  return get("TERM") != "dumb";
}

namespace {

// `daoctl completion bash|zsh|fish`: lives here because it needs the whole
// tree, which only the composition root has.
void add_completion_command(CLI::App& root, commands::CommandContext& ctx) {
  auto shell = std::make_shared<std::string>();
  auto& cmd = commands::add_command(root, {"completion", "Print the shell completion script (bash, zsh or fish)",
                                           "daoctl completion bash > ~/.local/share/bash-completion/completions/daoctl"});
  cmd.add_option("shell", *shell, "The shell")->required()->check(CLI::IsMember({"bash", "zsh", "fish"}));
  CLI::App* app = &root;
  cmd.callback([shell, app, &ctx] {
    if (*shell == "bash") ctx.io().out() << bash_completion(*app);
    else if (*shell == "zsh") ctx.io().out() << zsh_completion(*app);
    else ctx.io().out() << fish_completion(*app);
    ctx.exit_status = exit_code::ok;
  });
}

// Whether an option name announces a secret (`--token`, `--bind-password`,
// `--api-key`, `--client-secret`). daoctl itself takes secrets only from the
// environment, files or commands, but people type them anyway; such values
// must not come back in a usage error, which ends up in cron mail and CI logs.
bool names_a_secret(std::string_view arg) {
  if (!arg.starts_with('-')) return false;
  const std::string lower = text::lower_ascii(arg.substr(0, arg.find('=')));
  for (const char* word : {"token", "password", "passwd", "secret", "key", "credential"})
    if (lower.find(word) != std::string::npos) return true;
  return false;
}

}  // namespace

std::string redact_secret_arguments(std::string text, const std::vector<std::string>& args) {
  std::vector<std::string> secrets;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (!names_a_secret(args[i])) continue;
    if (auto eq = args[i].find('='); eq != std::string::npos) secrets.push_back(args[i].substr(eq + 1));
    else if (i + 1 < args.size()) secrets.push_back(args[i + 1]);
  }
  // Longest first, so a secret that contains another is replaced whole.
  std::sort(secrets.begin(), secrets.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
  for (const auto& secret : secrets) {
    if (secret.empty()) continue;
    for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 10))
      text.replace(at, secret.size(), "<redacted>");
  }
  return text;
}

std::unique_ptr<CLI::App> make_app(commands::CommandContext& ctx, const CommandRegistrar& registrar,
                                   const std::string& version) {
  auto app = std::make_unique<CLI::App>(
      "daoctl: admin and integration toolkit for the DaOffice corporate social network",
      "daoctl");
  // Global flags may follow the command: `daoctl users list -o json`.
  app->fallthrough();
  app->require_subcommand(1);
  app->set_version_flag("--version", "daoctl " + version);
  app->failure_message([](const CLI::App* failed, const CLI::Error& e) {
    std::string path;
    for (const CLI::App* a = failed; a != nullptr; a = a->get_parent()) {
      path = a->get_name() + (path.empty() ? "" : " " + path);
    }
    return "daoctl: error: " + std::string(e.what()) + "\nhint: see '" + path + " --help'\n";
  });

  auto& g = ctx.global;
  auto set_string = [](std::optional<std::string>& target) {
    return [&target](const std::string& v) { target = v; };
  };
  app->add_option_function<std::string>("--context", set_string(g.context),
                                        "Config context to use (env DAOCTL_CONTEXT)");
  app->add_option_function<std::string>("--config", set_string(g.config),
                                        "Config file (env DAOCTL_CONFIG)");
  // Each command declares the formats it prints (commands/common/output_formats.cpp);
  // they are checked once the command is known.
  app->add_option("-o,--output", g.output, "Output format: table, json, yaml, csv, or a command's own (see its help)");
  app->add_flag("-q,--quiet", g.quiet, "Print only data, no status lines");
  app->add_flag("-v,--verbose", g.verbose, "Trace HTTP requests on stderr (token redacted)");
  app->add_flag("--no-color", g.no_color, "Never print ANSI colour (also NO_COLOR)");
  app->add_flag("--no-pager", g.no_pager, "Never page long lists on a terminal (also DAOCTL_PAGER=cat)");
  app->add_flag("-y,--yes", g.yes, "Confirm destructive actions without asking");
  app->add_option("--log-format", g.log_format, "Log and error format on stderr")
      ->check(CLI::IsMember({"text", "json"}));
  app->add_option_function<std::string>("--url", set_string(g.url),
                                        "Platform base URL (env DAOCTL_URL)");
  app->add_option_function<std::string>("--ca-file", set_string(g.ca_file),
                                        "PEM CA bundle to verify the platform with");
  app->add_flag("--insecure", g.insecure, "Skip TLS certificate verification (dangerous)");
  app->add_option_function<int>(
         "--timeout", [&g](const int& v) { g.timeout_seconds = v; },
         "Seconds the whole command may take, retries included (default 60 for interactive commands, "
         "none for jobs: sync, deprovision, import, backup, stats export, apply; see TIMEOUTS in daoctl(1))")
      ->check(CLI::PositiveNumber);
  app->add_option_function<int>(
         "--attempt-timeout", [&g](const int& v) { g.attempt_timeout_seconds = v; },
         "Seconds one attempt of a request may wait for its answer, and a transfer may go without a "
         "byte, before it is retried (default 30)")
      ->check(CLI::PositiveNumber);
  app->add_option("--concurrency", g.concurrency,
                  "Requests in flight at once (default 8; wins over a sync job's apply.concurrency)")
      ->check(CLI::Range(1, 64));
  app->add_option("--rate-limit", g.rate_limit,
                  "Client-side limit, requests per second (0: none, the default; wins over a sync job's "
                  "apply.rate_limit)")
      ->check(CLI::NonNegativeNumber);
  app->add_option_function<std::string>(
         "--pacing", [&g](const std::string& v) { g.pacing = v; },
         "On 429/503: adaptive (slow the whole client to the rate the platform takes) or fixed (only "
         "--rate-limit and each request's Retry-After); default adaptive, see docs/PACING.md")
      ->check(CLI::IsMember({"adaptive", "fixed"}));

  registrar(*app, ctx);
  add_completion_command(*app, ctx);
  app->footer("Example:\n  daoctl users list -o json\n\nEnvironment: DAOCTL_URL, DAOCTL_TOKEN, "
              "DAOCTL_CONTEXT, DAOCTL_CONFIG, NO_COLOR.\nExit codes: 0 ok, 1 failure, 2 usage or "
              "config, 3 partial, 4 auth, 5 safety stop, 6 locked, 7 not found, 8 changes pending, 130 "
              "interrupted.");
  return app;
}

int run(const std::vector<std::string>& args, AppDependencies deps) {
  commands::Io& io = *deps.io;
  commands::CommandContext ctx(io, deps.env, deps.client_factory);
  ctx.client_version = deps.version;
  ctx.exit_code_of = exit_code_for;
  const CommandRegistrar registrar =
      deps.register_commands ? deps.register_commands : CommandRegistrar(commands::register_all_commands);
  std::unique_ptr<CLI::App> app;
  try {
    app = make_app(ctx, registrar, deps.version);
    // The hidden `daoctl __complete WORDS...` of the completion scripts
    // (cli/complete.hpp): never parsed as a command line, so it has no help,
    // no man page and no usage errors.
    if (!args.empty() && args[0] == "__complete")
      return run_complete(*app, ctx, std::vector<std::string>(args.begin() + 1, args.end()));
    // The root's parse-complete hook runs before the selected command's
    // callback, so --no-color is settled before anything is printed.
    app->parse_complete_callback([&ctx, root = app.get()] {
      if (ctx.global.no_color) ctx.io().disable_colour();
      if (ctx.global.no_pager) ctx.io().disable_pager();
      ctx.io().set_log_format(ctx.global.log_format);
      commands::check_output_format(*root, ctx.global.output);
    });
    std::vector<std::string> reversed(args.rbegin(), args.rend());
    app->parse(reversed);
    io.out().flush();
    return ctx.exit_status;
  } catch (const CLI::ParseError& e) {
    std::ostringstream out;
    std::ostringstream err;
    const int code = app ? app->exit(e, out, err) : 2;
    io.out() << out.str();
    // An unknown command or flag, or a group without its command, gets
    // "did you mean" and the nearest help instead of CLI11's bare message.
    std::optional<std::string> better;
    if (code != 0 && app) better = diagnose_usage(*app, args);
    io.err() << redact_secret_arguments(better ? *better : err.str(), args);
    return code == 0 ? exit_code::ok : exit_code::usage;
  } catch (const CommandError& e) {
    io.out().flush();
    print_error(io, ctx.global.log_format, e.error());
    return exit_code_for(e.error().kind);
  } catch (const std::exception& e) {
    io.out().flush();
    Error internal{ErrorKind::Internal, "internal error", "", e.what(),
                   "this is a bug in daoctl; please report it with the command line", 0, {}};
    print_error(io, ctx.global.log_format, internal);
    return exit_code::failure;
  }
}

commands::ClientFactory curl_client_factory(std::string user_agent) {
  auto warned = std::make_shared<bool>(false);
  return [user_agent, warned](const commands::ClientSettings& s, commands::Io& io) {
    if (s.insecure && !*warned) {
      *warned = true;
      io.err() << "warning: TLS certificate verification is DISABLED (--insecure): anyone on "
                  "the network path can read the API token and all data\n";
    }
    http::TransportOptions transport;
    transport.max_in_flight = s.concurrency;
    transport.request_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(s.timeout);
    transport.connect_timeout = std::min(transport.connect_timeout, transport.request_timeout);
    // No byte for --timeout seconds ends any transfer, also the long ones
    // (backup download and upload) whose own total timeout is hours.
    transport.stall_timeout = transport.request_timeout;
    transport.ca_file = s.ca_file;
    transport.insecure = s.insecure;
    transport.user_agent = user_agent;
    if (s.verbose) {
      transport.trace = [&io](const std::string& line) { output::write_above_progress(io.err(), line); };
    }
    platform::ClientOptions options;
    options.deadline = s.deadline;
    options.attempt_timeout = transport.request_timeout;
    if (s.total_timeout.count() > 0) options.deadline_name = fmt::format("--timeout {} s", s.total_timeout.count());
    if (s.retry_notices)
      // Above the progress line, if one is drawn: never torn into it.
      options.on_retry = [&io](const std::string& line) { output::write_above_progress(io.err(), "daoctl: " + line); };
    options.base_url = s.url;
    options.detect_non_platform = true;
    options.token = s.token;
    options.rate_limit = s.rate_limit;
    options.pacing = s.pacing;
    options.retry.max_attempts = s.max_attempts;
    if (s.max_retry_wait) {
      options.retry.max_delay = *s.max_retry_wait;
      options.retry.max_retry_after = *s.max_retry_wait;
    }
    return std::make_unique<platform::PlatformClient>(platform::make_curl_transport(transport),
                                                      std::move(options));
  };
}

int main(int argc, char** argv) {
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
  std::ios::sync_with_stdio(true);
  // Response bodies (a SCIM page of 1000 users is ~1 MiB) come and go by
  // the thousand in a listing or a sync. With glibc's defaults each one was
  // mapped and unmapped, or the heap trimmed and grown again, and the page
  // faults cost more CPU than the reading itself (issue 17: 1M users,
  // 3.8 s of CPU before, 1.4 s after). Keep such blocks in the heap and
  // reuse them; peak memory stays what the data in flight needs.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  const config::Env env = process_env();
  TerminalIo io(env);
  AppDependencies deps;
  deps.io = &io;
  deps.env = env;
  deps.version = DAOCTL_VERSION;
  deps.client_factory = curl_client_factory(std::string("daoctl/") + DAOCTL_VERSION);
  const std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + argc);
  return run(args, std::move(deps));
}

}  // namespace daoctl::cli
