// Confirmation of destructive actions (DESIGN.md, "Safety"): one rule for
// every command that deletes, restores or prunes on the platform.
//   --yes                      don't ask; go ahead.
//   a terminal, no --yes       say what will happen, then ask for a typed answer.
//   no terminal, no --yes      refuse: exit 5, nothing changed.
#pragma once

#include <string>

#include "commands/common/context.hpp"

namespace daoctl::commands {

// Returns when the action is confirmed: --yes was given, or on a terminal the
// user typed `expected` exactly. Otherwise throws a Safety error (exit 5) on
// `object`: without a terminal the hint is to pass --yes. `consequence`, when
// given, is printed on stderr before the question: what will happen, in a
// sentence ("Deleting removes user ivanov.i (id 42) for good; ...").
void confirm_by_typing(CommandContext& ctx, const std::string& action, const std::string& object,
                       const std::string& expected, const std::string& consequence = {});

}  // namespace daoctl::commands
