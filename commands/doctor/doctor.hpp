// daoctl doctor: a self-check of configuration, connectivity, TLS (settings
// and the certificate's expiry), auth, clock (the server's Date header) and
// API version, and with --job the sync job's chain: LDAP bind and base DN,
// source files, state and report directories. Each check prints
// ok/warn/FAIL/skip, and a failed one what to fix.
#pragma once

#include "commands/common/cli_fwd.hpp"
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "commands/common/context.hpp"

namespace daoctl::commands {

struct DoctorCheck {
  enum class State { Ok, Warn, Fail, Skip };
  std::string name;
  State state = State::Ok;
  std::string detail;
  std::string hint;  // how to fix; empty when ok
};

// Seconds since the epoch of an RFC 3339 UTC timestamp ("2026-11-26T23:37:24Z",
// fractional seconds and a numeric offset accepted); nullopt if malformed.
std::optional<std::chrono::system_clock::time_point> parse_rfc3339(const std::string& text);

// An RFC 9110 IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"); nullopt otherwise.
std::optional<std::chrono::system_clock::time_point> parse_http_date(const std::string& text);

struct DoctorOptions {
  std::string job_file;   // --job: also check this sync job's sources and directories
  std::string state_dir;  // --state-dir, as the job runs with it
  int cert_warn_days = 30;
  int cert_fail_days = 7;
};

std::vector<DoctorCheck> run_doctor_checks(const DoctorOptions& opts, CommandContext& ctx);
std::vector<DoctorCheck> run_doctor_checks(CommandContext& ctx);
// Prints the checks, each failed one with "fix: <what to do>"; throws Auth
// (exit 4) when auth failed, else a Remote error (exit 1) when any check
// failed; warnings alone keep exit 0.
int run_doctor(const DoctorOptions& opts, CommandContext& ctx);
int run_doctor(CommandContext& ctx);
void register_doctor(CLI::App& root, CommandContext& ctx);

}  // namespace daoctl::commands
