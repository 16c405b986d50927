// env apply's executor: makes the changes of a plan, in the plan's order.
#pragma once

#include <cstddef>
#include <map>
#include <string>

#include "commands/env/env_file.hpp"

namespace daoctl::commands::env_verbs {

// Applies every change of `plan`, keeping the ids later changes resolve
// names with; `etags` (settings API name -> ETag read with `state`) make each
// settings PUT conditional. The first failure is thrown with a hint saying
// how many changes were applied; the job report counts "applied" and
// "<action>d". Returns the number applied.
std::size_t apply_env_changes(CommandContext& ctx, const LoadedEnv& loaded, const env::PlatformState& state,
                              std::map<std::string, std::string> etags, const env::EnvPlan& plan);

}  // namespace daoctl::commands::env_verbs
