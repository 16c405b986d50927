#include "commands/doctor/doctor.hpp"

#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <iomanip>
#include <sstream>

#include "commands/common/command_doc.hpp"
#include "connectors/hr/http_json_source.hpp"
#include "core/config/config_files.hpp"

namespace daoctl::commands {

using State = DoctorCheck::State;

std::optional<std::chrono::system_clock::time_point> parse_rfc3339(const std::string& text) {
  std::tm tm{};
  std::istringstream in(text);
  in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%S");
  if (in.fail()) return std::nullopt;
  std::string rest;
  std::getline(in, rest);
  std::size_t i = 0;
  if (i < rest.size() && rest[i] == '.') {
    ++i;
    while (i < rest.size() && std::isdigit(static_cast<unsigned char>(rest[i]))) ++i;
  }
  long offset_seconds = 0;
  const std::string zone = rest.substr(i);
  if (zone == "Z" || zone == "z") {
    offset_seconds = 0;
  } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
    const long hours = std::strtol(zone.substr(1, 2).c_str(), nullptr, 10);
    const long minutes = std::strtol(zone.substr(4, 2).c_str(), nullptr, 10);
    offset_seconds = (zone[0] == '+' ? 1 : -1) * (hours * 3600 + minutes * 60);
  } else {
    return std::nullopt;
  }
  const std::time_t t = ::timegm(&tm);
  if (t == static_cast<std::time_t>(-1)) return std::nullopt;
  return std::chrono::system_clock::from_time_t(t - offset_seconds);
}

std::vector<DoctorCheck> run_doctor_checks(CommandContext& ctx) {
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

  auto health = probe->get_json("/api/v1/health", "platform health at " + hr::redact_url(resolved->url));
  if (!health || !health->is_object()) {
    add("reachable", State::Fail,
        health ? "health reply is not a JSON object" : health.error().describe(),
        "check the URL, proxy and firewall; try: curl " + hr::redact_url(resolved->url) + "/api/v1/health");
  } else {
    add("reachable", State::Ok,
        "server " + health->value("version", "?") + " status " + health->value("status", "?"));
  }

  if (token_error) {
    add("auth", State::Fail, *token_error, token_hint);
  } else if (health) {
    auto me = probe->get_json("/api/v1/me", "token check (GET /api/v1/me)");
    if (me) {
      std::string scopes;
      for (const auto& s : me->value("scopes", json::array())) {
        if (!scopes.empty()) scopes += ",";
        scopes += s.is_string() ? s.get<std::string>() : s.dump();
      }
      add("auth", State::Ok,
          "token accepted for " + me->value("subject", "?") + " (scopes: " + scopes + ")");
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
    const auto server_time = parse_rfc3339(health->value("time", ""));
    if (!server_time) {
      add("clock", State::Warn, "server reports no valid time");
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
        add("clock", State::Ok, "skew " + std::to_string(skew) + " s");
      }
    }
    const std::string api = health->value("api_version", "");
    if (api == "1") {
      add("api", State::Ok, "api version 1");
    } else {
      add("api", State::Fail, "server speaks api version '" + api + "', daoctl speaks 1",
          "upgrade daoctl or the platform so both speak the same API version");
    }
  } else {
    add("clock", State::Skip, "server unreachable");
    add("api", State::Skip, "server unreachable");
  }
  return checks;
}

int run_doctor(CommandContext& ctx) {
  const auto checks = run_doctor_checks(ctx);
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
    for (const auto& c : report) {
      const std::string state = c["state"];
      std::string label = state;
      label.resize(4, ' ');
      if (colour) {
        const char* code = state == "ok" ? "32" : state == "FAIL" ? "31" : "33";
        label = std::string("\x1b[") + code + "m" + label + "\x1b[0m";
      }
      out << label << "  " << std::left << std::setw(9) << c["check"].get<std::string>()
          << c["detail"].get<std::string>() << '\n';
      if (!c["hint"].get<std::string>().empty() && state != "ok") {
        out << "      " << std::string(9, ' ') << "fix: " << c["hint"].get<std::string>()
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
  add_command(root, {"doctor", "Check config, connectivity, TLS, auth, clock and API version",
                     "daoctl doctor --context prod"})
      .callback([&ctx] { ctx.exit_status = run_doctor(ctx); });
}

}  // namespace daoctl::commands
