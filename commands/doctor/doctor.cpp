#include "commands/doctor/doctor.hpp"
#include "connectors/platform/answer.hpp"
#include "connectors/platform/service_api.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <ctime>
#include <iomanip>
#include <sstream>

#include <filesystem>
#include <locale>
#include <CLI/CLI.hpp>

#include "commands/common/command_doc.hpp"
#include "connectors/hr/http_json_source.hpp"
#include "commands/sync/engine.hpp"
#include "connectors/local/files.hpp"
#include "connectors/sources/source_probe.hpp"
#include "connectors/tls/certificate.hpp"
#include "core/config/config_files.hpp"
#include "core/text/date.hpp"

namespace daoctl::commands {

using State = DoctorCheck::State;

std::optional<std::chrono::system_clock::time_point> parse_rfc3339(const std::string& text) {
  auto t = text::parse_rfc3339(text);
  if (!t) return std::nullopt;
  return std::chrono::system_clock::time_point(*t);
}

std::optional<std::chrono::system_clock::time_point> parse_http_date(const std::string& text) {
  std::tm tm{};
  std::istringstream in(text);
  in.imbue(std::locale::classic());
  in >> std::get_time(&tm, "%a, %d %b %Y %H:%M:%S");
  if (in.fail()) return std::nullopt;
  std::string zone;
  in >> zone;
  if (zone != "GMT" && zone != "UTC") return std::nullopt;
  const std::time_t t = ::timegm(&tm);
  if (t == static_cast<std::time_t>(-1)) return std::nullopt;
  return std::chrono::system_clock::from_time_t(t);
}

namespace {

std::string day_text(std::chrono::system_clock::time_point t) {
  return text::format_rfc3339(std::chrono::time_point_cast<std::chrono::seconds>(t)).substr(0, 10);
}

// A directory daoctl must write into: exists (or can be made) and is writable.
std::optional<std::string> unwritable_dir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::path p(dir.empty() ? "." : dir);
  // The nearest existing ancestor decides whether the directory can be made.
  while (!std::filesystem::exists(p, ec) && p.has_parent_path() && p != p.parent_path()) p = p.parent_path();
  if (!std::filesystem::is_directory(p, ec)) return p.string() + " is not a directory";
  if (::access(p.c_str(), W_OK | X_OK) != 0) return p.string() + ": " + std::strerror(errno);
  return std::nullopt;
}

void add_job_checks(const DoctorOptions& opts, CommandContext& ctx, std::vector<DoctorCheck>& checks) {
  auto add = [&](std::string name, State state, std::string detail, std::string hint = {}) {
    checks.push_back({std::move(name), state, std::move(detail), std::move(hint)});
  };
  sync::JobSpec job;
  try {
    job = sync_engine::load_job_file(opts.job_file, "", ctx.now());
  } catch (const CommandError& e) {
    add("job", State::Fail, e.error().describe(),
        e.error().hint.empty() ? "fix the job file; daoctl sync validate -f " + opts.job_file + " lists every problem"
                               : e.error().hint);
    return;
  }
  add("job", State::Ok, fmt::format("{}: job '{}', {} source(s)", opts.job_file, job.name, job.sources.size()));
  std::string base_dir = std::filesystem::path(opts.job_file).parent_path().string();
  if (base_dir.empty()) base_dir = ".";
  for (const auto& source : job.sources) {
    const std::string name = "source " + source.name;
    auto probe = sources::probe_source(source, base_dir);
    if (!probe) add(name, State::Fail, probe.error().describe(), probe.error().hint);
    else if (!probe->probed) add(name, State::Skip, probe->detail);
    else add(name, State::Ok, probe->detail);
  }
  const std::string state_dir = opts.state_dir.empty() ? local::default_state_dir() : opts.state_dir;
  if (auto why = unwritable_dir(state_dir))
    add("state", State::Fail, "state directory " + state_dir + " is not writable (" + *why + ")",
        "create it for the user daoctl runs as (systemd: StateDirectory=daoctl), or pass --state-dir");
  else
    add("state", State::Ok, "state directory " + state_dir + " writable");
  for (const auto& [what, file] : {std::pair{"summary_file", job.report.summary_file},
                                   std::pair{"metrics_file", job.report.metrics_file},
                                   std::pair{"results_file", job.report.results_file}}) {
    if (file.empty()) continue;
    const std::string dir = std::filesystem::path(file).parent_path().string();
    if (auto why = unwritable_dir(dir))
      add("report", State::Fail, std::string(what) + " " + file + ": directory not writable (" + *why + ")",
          "create the directory or let the daoctl user write it (node_exporter textfile dirs are often root-only)");
  }
}

}  // namespace

std::vector<DoctorCheck> run_doctor_checks(CommandContext& ctx) { return run_doctor_checks(DoctorOptions{}, ctx); }

std::vector<DoctorCheck> run_doctor_checks(const DoctorOptions& opts, CommandContext& ctx) {
  std::vector<DoctorCheck> checks;
  auto add = [&](std::string name, State state, std::string detail, std::string hint = {}) {
    checks.push_back({std::move(name), state, std::move(detail), std::move(hint)});
  };

  const config::ResolvedContext* resolved = nullptr;
  try {
    resolved = &ctx.resolved();
  } catch (const CommandError& e) {
    add("config", State::Fail, e.error().describe(), e.error().hint);
    return checks;
  }
  if (resolved->url.empty()) {
    add("config", State::Fail, "no platform URL configured",
        "export DAOCTL_URL, or run: daoctl config set-context NAME --url URL");
    return checks;
  }
  add("config", State::Ok,
      (resolved->context_name.empty() ? std::string("no context")
                                      : "context " + resolved->context_name) +
          ", url " + hr::redact_url(resolved->url) + " (from " + resolved->url_origin + ")");

  // TLS settings are checked before any request: a bad CA file explains a
  // failed health check below.
  const bool https = resolved->url.rfind("https://", 0) == 0;
  if (!https) {
    add("tls", State::Warn, "plain http: traffic is not encrypted",
        "use an https:// URL outside test setups");
  } else if (resolved->insecure) {
    add("tls", State::Fail, "certificate verification is OFF (--insecure or insecure: true)",
        "remove insecure and set ca_file to your corporate CA bundle");
  } else if (!resolved->ca_file.empty() && ::access(resolved->ca_file.c_str(), R_OK) != 0) {
    add("tls", State::Fail, "CA file " + resolved->ca_file + " is not readable",
        "fix the path or permissions of ca_file");
  } else {
    add("tls", State::Ok,
        "verification on, " + (resolved->ca_file.empty() ? std::string("system trust store")
                                                          : "CA file " + resolved->ca_file));
  }

  ClientSettings settings;
  settings.url = resolved->url;
  settings.ca_file = resolved->ca_file;
  settings.insecure = resolved->insecure;
  settings.timeout = resolved->timeout;
  settings.verbose = ctx.global.verbose > 0;
  std::optional<std::string> token_error;
  std::string token_hint;
  try {
    settings.token = value_or_throw(config::read_token(resolved->token));
  } catch (const CommandError& e) {
    token_error = e.error().describe();
    token_hint = e.error().hint;
  }
  auto probe = ctx.probe_client(settings);

  std::optional<std::string> date_header;
  auto health = [&]() -> Result<json> {
    auto answer = platform::get_health(*probe, "platform health at " + hr::redact_url(resolved->url));
    if (!answer) return std::unexpected(answer.error());
    date_header = answer->date;
    return answer->body;
  }();
  // Every field read from an answer is type-checked (platform::Answer): a
  // wrong type fails the check it belongs to, naming the field.
  const json health_doc = health ? *health : json();
  const platform::Answer health_answer(health_doc, "platform health");
  auto health_text = [&health_answer](std::string_view pointer, const char* fallback) {
    return health_answer.get_or<std::string>(pointer, fallback);
  };
  if (!health || !health->is_object()) {
    add("reachable", State::Fail,
        health ? "health reply is not a JSON object" : health.error().describe(),
        "check the URL, proxy and firewall; try: curl " + hr::redact_url(resolved->url) + platform::kHealthPath);
  } else if (auto version = health_text("/version", "?"), status = health_text("/status", "?"); !version || !status) {
    add("reachable", State::Fail, (!version ? version : status).error().describe(),
        "the platform's health answer does not follow its API contract");
  } else {
    add("reachable", State::Ok, "server " + *version + " status " + *status);
  }

  if (https) {
    auto where = tls::probe_options_for_url(resolved->url);
    if (where) {
      where->ca_file = resolved->ca_file;
      where->timeout = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::min<std::chrono::seconds>(resolved->timeout, std::chrono::seconds(10)));
    }
    auto cert = where ? tls::probe_certificate(*where) : Result<tls::ServerCertificate>(std::unexpected(where.error()));
    if (!cert && !health && cert.error().kind == ErrorKind::Network) {
      add("cert", State::Skip, "server unreachable");
    } else if (!cert) {
      add("cert", State::Fail, cert.error().describe(), "check that " + hr::redact_url(resolved->url) + " speaks TLS");
    } else {
      const auto left = std::chrono::duration_cast<std::chrono::hours>(cert->not_after - ctx.now()).count() / 24;
      const std::string what = fmt::format("{} expires {} ({} days)", cert->subject, day_text(cert->not_after), left);
      if (cert->not_after <= ctx.now()) {
        add("cert", State::Fail, cert->subject + " EXPIRED on " + day_text(cert->not_after),
            "renew the platform's TLS certificate now; clients refuse it");
      } else if (left < opts.cert_fail_days) {
        add("cert", State::Fail, what, "renew the platform's TLS certificate: it expires within days");
      } else if (left < opts.cert_warn_days) {
        add("cert", State::Warn, what, "plan the renewal of the platform's TLS certificate");
      } else if (!cert->verified && !resolved->insecure) {
        add("cert", State::Fail, what + "; not trusted: " + cert->verify_error,
            resolved->ca_file.empty() ? "set ca_file (or --ca-file) to the CA bundle that issued it"
                                      : "the certificate does not chain to " + resolved->ca_file +
                                            " or does not name this host");
      } else {
        add("cert", State::Ok, what);
      }
    }
  }

  if (token_error) {
    add("auth", State::Fail, *token_error, token_hint);
  } else if (health) {
    const std::string me_object = fmt::format("token check (GET {})", platform::kMePath);
    auto me = platform::get_me(*probe, me_object);
    const json me_doc = me ? *me : json();
    const platform::Answer me_answer(me_doc, me_object);
    auto scope_list = me_answer.find_kind("/scopes", platform::JsonKind::Array);
    auto subject = me_answer.get_or<std::string>("/subject", "?");
    if (me && (!scope_list || !subject)) {
      add("auth", State::Fail, (!scope_list ? scope_list.error() : subject.error()).describe(),
          fmt::format("the platform's {} answer does not follow its API contract", platform::kMePath));
    } else if (me) {
      std::string scopes;
      for (const auto& s : *scope_list ? **scope_list : json::array()) {
        if (!scopes.empty()) scopes += ",";
        scopes += s.is_string() ? s.get<std::string>() : s.dump();
      }
      add("auth", State::Ok, "token accepted for " + *subject + " (scopes: " + scopes + ")");
    } else if (me.error().kind == ErrorKind::Auth) {
      add("auth", State::Fail,
          me.error().http_status == 403 ? "token lacks the admin scope (403)"
                                        : "token rejected (401): " + me.error().detail,
          "create a new admin API token and store it in DAOCTL_TOKEN or the context's token_file");
    } else {
      add("auth", State::Fail, me.error().describe());
    }
  } else {
    add("auth", State::Skip, "server unreachable");
  }

  if (health && health->is_object()) {
    // The HTTP Date header (every RFC 9110 server sends it), else the health
    // document's time.
    std::optional<std::chrono::system_clock::time_point> server_time;
    std::string clock_source = "Date header";
    if (date_header) server_time = parse_http_date(*date_header);
    if (!server_time) {
      server_time = parse_rfc3339(health_text("/time", "").value_or(""));
      clock_source = "health time";
    }
    if (!server_time) {
      add("clock", State::Warn, "server reports no valid time (no Date header, no health time)");
    } else {
      const auto skew =
          std::chrono::duration_cast<std::chrono::seconds>(ctx.now() - *server_time).count();
      const auto magnitude = std::llabs(skew);
      if (magnitude > 60) {
        add("clock", State::Warn,
            "local clock is " + std::to_string(magnitude) + " s " + (skew > 0 ? "ahead of" : "behind") +
                " the server",
            "enable NTP (timedatectl set-ntp true); skew breaks token expiry and sync timestamps");
      } else {
        add("clock", State::Ok, "skew " + std::to_string(skew) + " s (" + clock_source + ")");
      }
    }
    const auto api_read = health_text("/api_version", "");
    const std::string api = api_read.value_or("");
    if (!api_read) {
      add("api", State::Fail, api_read.error().describe(),
          "the platform's health answer does not follow its API contract");
    } else if (api == "1") {
      add("api", State::Ok, "api version 1");
    } else {
      add("api", State::Fail, "server speaks api version '" + api + "', daoctl speaks 1",
          "upgrade daoctl or the platform so both speak the same API version");
    }
  } else {
    add("clock", State::Skip, "server unreachable");
    add("api", State::Skip, "server unreachable");
  }
  if (!opts.job_file.empty()) add_job_checks(opts, ctx, checks);
  return checks;
}

int run_doctor(CommandContext& ctx) { return run_doctor(DoctorOptions{}, ctx); }

int run_doctor(const DoctorOptions& opts, CommandContext& ctx) {
  const auto checks = run_doctor_checks(opts, ctx);
  int failed = 0;
  bool auth_failed = false;
  json report = json::array();
  for (const auto& c : checks) {
    const char* state = c.state == State::Ok     ? "ok"
                        : c.state == State::Warn ? "warn"
                        : c.state == State::Fail ? "FAIL"
                                                 : "skip";
    if (c.state == State::Fail) {
      ++failed;
      auth_failed = auth_failed || c.name == "auth";
    }
    report.push_back({{"check", c.name}, {"state", state}, {"detail", c.detail}, {"hint", c.hint}});
  }
  const auto format = ctx.format();
  if (format == output::Format::Json) {
    output::render_json(ctx.io().out(), report);
  } else if (format == output::Format::Yaml) {
    output::render_yaml(ctx.io().out(), report);
  } else {
    auto& out = ctx.io().out();
    const bool colour = ctx.io().colour();
    int width = 9;
    for (const auto& c : report)
      if (c["check"].get<std::string>().size() > 9)
        width = std::max(width, static_cast<int>(c["check"].get<std::string>().size()) + 1);
    for (const auto& c : report) {
      const std::string state = c["state"];
      std::string label = state;
      label.resize(4, ' ');
      if (colour) {
        const char* code = state == "ok" ? "32" : state == "FAIL" ? "31" : "33";
        label = std::string("\x1b[") + code + "m" + label + "\x1b[0m";
      }
      const std::string name = c["check"].get<std::string>();
      out << label << "  " << std::left << std::setw(width) << (name.size() >= static_cast<std::size_t>(width) ? name + " " : name)
          << c["detail"].get<std::string>() << '\n';
      if (!c["hint"].get<std::string>().empty() && state != "ok") {
        out << "      " << std::string(static_cast<std::size_t>(width), ' ') << "fix: " << c["hint"].get<std::string>()
            << '\n';
      }
    }
  }
  ctx.io().out().flush();
  if (failed > 0) {
    throw CommandError(auth_failed ? ErrorKind::Auth : ErrorKind::Remote,
                       std::to_string(failed) + " of " + std::to_string(checks.size()) +
                           " checks failed",
                       "daoctl doctor");
  }
  return exit_code::ok;
}

void register_doctor(CLI::App& root, CommandContext& ctx) {
  auto opts = std::make_shared<DoctorOptions>();
  auto& cmd = add_command(root, {"doctor",
                                 "Check config, connectivity, TLS certificate, auth, clock, API version and a job's "
                                 "sources (LDAP bind, files)",
                                 "daoctl doctor --job /etc/daoctl/nightly.yaml"});
  cmd.add_option("--job", opts->job_file,
                 "Also check this sync job: LDAP binds and base DNs, source files, state and report directories");
  cmd.add_option("--state-dir", opts->state_dir, "The state directory the job runs with (as for sync apply)");
  cmd.add_option("--cert-warn-days", opts->cert_warn_days,
                 "Warn when the platform's TLS certificate expires within N days (fail within 7)")
      ->check(CLI::NonNegativeNumber);
  cmd.callback([opts, &ctx] { ctx.exit_status = run_doctor(*opts, ctx); });
}

}  // namespace daoctl::commands
