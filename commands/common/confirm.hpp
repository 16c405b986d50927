// Confirmation of destructive actions (DESIGN.md, "Safety").
#pragma once

#include <string>

#include "commands/common/context.hpp"

namespace daoctl::commands {

// Returns when the action is confirmed: --yes was given, or on a terminal the
// user typed `expected` exactly. Otherwise throws a Safety error (exit 5) on
// `object`: without a terminal the hint is to pass --yes.
void confirm_by_typing(CommandContext& ctx, const std::string& action, const std::string& object,
                       const std::string& expected);

}  // namespace daoctl::commands
