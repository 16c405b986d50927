// daoctl doctor: a self-check of configuration, connectivity, TLS, auth,
// clock and API version, each printed with ok/warn/FAIL and a fix hint.
#pragma once

#include <CLI/CLI.hpp>
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

std::vector<DoctorCheck> run_doctor_checks(CommandContext& ctx);
// Prints the checks; throws Auth (exit 4) when auth failed, else a Remote
// error (exit 1) when any check failed; warnings alone keep exit 0.
int run_doctor(CommandContext& ctx);
void register_doctor(CLI::App& root, CommandContext& ctx);

}  // namespace daoctl::commands
